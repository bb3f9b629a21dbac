using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Visits;
using Trial.Core.Participants;
using Trial.Db.Participants;

namespace Trial.Tests.Application.Participants;

/// <summary>
/// A participant completes the study when the last follow-up visit of the plan (FU-M6) is recorded: the visit's use case
/// sets the status in the same write, with the participant's audit row; a withdrawn participant never completes.
/// </summary>
[TestFixture]
public class CompleteStudyTests
{
    // Enrolled on 16 February; INF1 on 2 March, so FU-M6 (last infusion + 182 days) is due on 31 August.
    private static readonly DateOnly Inf1 = new(2026, 3, 2);
    private static readonly DateOnly FuM6 = Inf1.AddDays(182);
    private static readonly DateTime Now = new(2026, 9, 2, 12, 0, 0, DateTimeKind.Utc);

    private StudyDatabase _study = null!;
    private RecordVisit _record = null!;
    private ParticipantRow _participant = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _record = new RecordVisit(_study.Db, _study.Protocol);
        _participant = await _study.EnrolAsync();
        await _study.RecordVisitAsync(_participant, "INF1", Inf1);
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public void LastFollowUpVisit_OfBothShippedProtocols_IsFuM6()
    {
        Assert.That(_study.Protocol.LastFollowUpVisit!.Code, Is.EqualTo("FU-M6"));
        Assert.That(Trial.Core.Protocol.ProtocolLoader.Load(Trial.Core.Protocol.ProtocolLoader.OpenLabelName).LastFollowUpVisit!.Code, Is.EqualTo("FU-M6"));
    }

    [Test]
    public async Task WriteAsync_LastFollowUpVisit_CompletesTheParticipantWithItsAuditRow()
    {
        StudyDatabase.Succeeded(await RecordAsync("FU-M6", FuM6));

        var stored = (await _study.FindAsync("WAW-0001"))!;
        Assert.That((stored.Status, stored.RowVersion), Is.EqualTo((ParticipantStatuses.Completed, 2)));
        var trail = await _study.TrailAsync("WAW-0001");
        Assert.That(trail.Select(a => (a.EntityType, a.Action)), Is.EqualTo(new[]
        {
            ("participant", "create"), ("visit", "create"), ("participant", "state-change"),
        }));
        var completion = trail.Last();
        Assert.That(completion.OldValue, Is.EqualTo("""{"code":"WAW-0001","status":"enrolled","version":1}"""));
        Assert.That(completion.NewValue, Is.EqualTo("""{"code":"WAW-0001","status":"completed","version":2}"""));
        Assert.That(completion.Reason, Is.EqualTo("Completed the study: FU-M6, the last follow-up visit of the plan, was recorded."));
        Assert.That(completion.UserId, Is.EqualTo(StudyDatabase.Investigator.UserId), "the write that recorded the visit");
    }

    [Test]
    public async Task WriteAsync_EarlierFollowUp_LeavesTheParticipantEnrolled()
    {
        StudyDatabase.Succeeded(await RecordAsync("FU-M3", Inf1.AddDays(91)));

        Assert.That((await _study.FindAsync("WAW-0001"))!.Status, Is.EqualTo(ParticipantStatuses.Enrolled));
        Assert.That((await _study.TrailAsync("WAW-0001")).Count(a => a.EntityType == "participant"), Is.EqualTo(1), "the enrolment only");
    }

    [Test]
    public async Task WriteAsync_RefusedLastFollowUp_StoresNothing()
    {
        var outcome = await RecordAsync("FU-M6", DateOnly.FromDateTime(Now).AddDays(3));

        Assert.That(outcome.Refusal, Is.InstanceOf<Invalid>(), "a date in the future");
        var stored = (await _study.FindAsync("WAW-0001"))!;
        Assert.That((stored.Status, stored.RowVersion), Is.EqualTo((ParticipantStatuses.Enrolled, 1)));
        Assert.That(await _study.TrailAsync("WAW-0001"), Has.Count.EqualTo(1), "the enrolment only");
    }

    [Test]
    public async Task WriteAsync_WithdrawnParticipant_StaysWithdrawnWhenTheLastFollowUpIsEnteredAfter()
    {
        var withdraw = new WithdrawParticipant(_study.Db);
        var withdrawal = await withdraw.CheckAsync(StudyDatabase.Investigator,
            new WithdrawalInput("WAW-0001", new DateOnly(2026, 4, 1), DispositionReasons.WithdrawalBySubject, "Consent withdrawn."), Now);
        StudyDatabase.Succeeded(await _study.WriteAsync(StudyDatabase.Investigator, Now, w => withdraw.WriteAsync(w, withdrawal.Value!)));

        StudyDatabase.Succeeded(await RecordAsync("FU-M6", FuM6, reason: "Safety follow-up by telephone."));

        var stored = (await _study.FindAsync("WAW-0001"))!;
        Assert.That((stored.Status, stored.WithdrawalReasonCode), Is.EqualTo((ParticipantStatuses.Withdrawn, "WITHDRAWAL BY SUBJECT")));
        Assert.That((await _study.TrailAsync("WAW-0001")).Last().EntityType, Is.EqualTo("visit"), "no completion after the visit");
    }

    [Test]
    public async Task WriteAsync_CorrectingTheLastFollowUpDate_DoesNotCompleteAgain()
    {
        StudyDatabase.Succeeded(await RecordAsync("FU-M6", FuM6));

        StudyDatabase.Succeeded(await RecordAsync("FU-M6", FuM6.AddDays(1), reason: "Typo", ifMatch: "\"1\""));

        var trail = await _study.TrailAsync("WAW-0001");
        Assert.That(trail.Count(a => a.EntityType == "participant" && a.Action == "state-change"), Is.EqualTo(1));
        Assert.That((await _study.FindAsync("WAW-0001"))!.Status, Is.EqualTo(ParticipantStatuses.Completed));
    }

    private async Task<Outcome<VisitInPlan>> RecordAsync(string visitCode, DateOnly date, string? reason = null, string? ifMatch = null)
    {
        var input = await _record.CheckAsync(StudyDatabase.Investigator, new RecordVisitInput("WAW-0001", visitCode, date, reason), ifMatch, Now);
        if (input.IsRefused) return input.Refusal!;
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _record.WriteAsync(w, input.Value!));
    }
}
