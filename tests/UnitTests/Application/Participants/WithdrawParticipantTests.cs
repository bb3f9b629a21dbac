using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Participants;

namespace Trial.Tests.Application.Participants;

[TestFixture]
public class WithdrawParticipantTests
{
    private static readonly DateTime Now = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    private StudyDatabase _study = null!;
    private WithdrawParticipant _withdraw = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _withdraw = new WithdrawParticipant(_study.Db);
        await _study.EnrolAsync();
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task CheckAsync_NoSuchParticipant_IsNotFound()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0099", new DateOnly(2026, 3, 1), DispositionReasons.WithdrawalBySubject, "Moved abroad"), Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound("No participant with code 'WAW-0099'.")));
    }

    [Test]
    public async Task CheckAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.KrakowInvestigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 1), DispositionReasons.WithdrawalBySubject, "Moved abroad"), Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new Forbidden("Participant WAW-0001 belongs to site WAW, which is not one of your sites.")));
    }

    [Test]
    public async Task CheckAsync_DateBeforeEnrolmentAndNoReason_RefusesBothFields()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 2, 15), DispositionReasons.WithdrawalBySubject, " "), Now);

        var invalid = (Invalid)outcome.Refusal!;
        Assert.That(invalid.Errors["date"], Is.EqualTo(new[] { "The date 2026-02-15 is before enrolment (2026-02-16)." }));
        Assert.That(invalid.Errors["reason"], Is.EqualTo(new[] { "A reason for the withdrawal is required." }));
    }

    [Test]
    public async Task CheckAsync_DateAfterTheSitesToday_Refuses()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 3), DispositionReasons.WithdrawalBySubject, "Moved abroad"), Now);

        Assert.That(outcome.Refusal!.Detail, Is.EqualTo("The date 2026-03-03 is in the future (today is 2026-03-02 at site WAW)."));
    }

    [Test]
    public async Task WriteAsync_Enrolled_WithdrawsAndAuditsTheChangedFields()
    {
        var withdrawn = await WithdrawAsync();

        Assert.That((withdrawn.Value!.Status, withdrawn.Value.WithdrawnDate, withdrawn.Value.WithdrawalReasonCode, withdrawn.Value.WithdrawalReason, withdrawn.Value.RowVersion),
            Is.EqualTo(("withdrawn", (DateOnly?)new DateOnly(2026, 3, 1), "WITHDRAWAL BY SUBJECT", "Moved abroad", 2)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.Action, audit.Reason), Is.EqualTo(("state-change", "Moved abroad")));
        Assert.That(audit.OldValue, Is.EqualTo("""{"code":"WAW-0001","status":"enrolled","version":1,"withdrawalReason":null,"withdrawalReasonCode":null,"withdrawnDate":null}"""));
        Assert.That(audit.NewValue, Is.EqualTo("""{"code":"WAW-0001","status":"withdrawn","version":2,"withdrawalReason":"Moved abroad","withdrawalReasonCode":"WITHDRAWAL BY SUBJECT","withdrawnDate":"2026-03-01"}"""));
    }

    [Test]
    public async Task WriteAsync_AlreadyWithdrawn_IsAConflictAndWritesNothing()
    {
        await WithdrawAsync();

        var again = await WithdrawAsync();

        Assert.That(again.Refusal, Is.EqualTo(new Conflict("WAW-0001 was already withdrawn on 2026-03-01.")));
        Assert.That(await _study.TrailAsync("WAW-0001"), Has.Count.EqualTo(2), "the enrolment and the first withdrawal");
    }

    [TestCase(null, "A coded reason for the withdrawal (reasonCode) is required: one of")]
    [TestCase("", "A coded reason for the withdrawal (reasonCode) is required: one of")]
    [TestCase("lost to follow-up", "\"lost to follow-up\" is not a reason code; use one of")]
    [TestCase("LOST TO FOLLOWUP", "\"LOST TO FOLLOWUP\" is not a reason code; use one of")]
    [TestCase(" OTHER", "\" OTHER\" is not a reason code; use one of")]
    public async Task CheckAsync_MissingOrUnknownReasonCode_RefusesReasonCodeListingTheCodes(string? code, string start)
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 1), code, "Moved abroad"), Now);

        var invalid = (Invalid)outcome.Refusal!;
        Assert.That(invalid.Errors.Keys, Is.EqualTo(new[] { "reasonCode" }));
        var message = invalid.Errors["reasonCode"].Single();
        Assert.That(message, Does.StartWith(start));
        foreach (var allowed in DispositionReasons.All) Assert.That(message, Does.Contain($"\"{allowed}\""));
    }

    [Test]
    public void DispositionReasons_AreTheCdiscNcompltTermsSpeltExactly()
    {
        Assert.That(DispositionReasons.All, Is.EqualTo(new[]
        {
            "ADVERSE EVENT", "LACK OF EFFICACY", "WITHDRAWAL BY SUBJECT", "LOST TO FOLLOW-UP", "PHYSICIAN DECISION", "PROTOCOL DEVIATION", "DEATH", "OTHER",
        }));
    }

    [Test]
    public async Task WriteAsync_LostToFollowUp_IsAWithdrawalCodedLostToFollowUp()
    {
        var input = await _withdraw.CheckAsync(StudyDatabase.Investigator,
            new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 1), DispositionReasons.LostToFollowUp, "No answer to calls or letters since INF1."), Now);

        var withdrawn = StudyDatabase.Succeeded(await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _withdraw.WriteAsync(w, input.Value!)));

        Assert.That((withdrawn.Status, withdrawn.WithdrawalReasonCode), Is.EqualTo(("withdrawn", "LOST TO FOLLOW-UP")));
        Assert.That((await _study.FindAsync("WAW-0001"))!.WithdrawalReasonCode, Is.EqualTo("LOST TO FOLLOW-UP"));
    }

    [Test]
    public async Task WriteAsync_CompletedParticipant_IsAConflictAndWritesNothing()
    {
        var participant = await _study.FindAsync("WAW-0001");
        await _study.Db.WriteDerivedAsync(Now, w => Trial.Db.Participants.ParticipantQueries.CompleteAsync(w.Session, participant!.Id));

        var outcome = await WithdrawAsync();

        Assert.That(outcome.Refusal, Is.EqualTo(new Conflict(
            "WAW-0001 completed the study (its last follow-up visit is recorded); a participant who completed cannot be withdrawn.")));
        var stored = (await _study.FindAsync("WAW-0001"))!;
        Assert.That((stored.Status, stored.WithdrawnDate, stored.WithdrawalReasonCode), Is.EqualTo(("completed", (DateOnly?)null, (string?)null)));
        Assert.That(await _study.TrailAsync("WAW-0001"), Has.Count.EqualTo(1), "the enrolment only");
    }

    private async Task<Outcome<Trial.Db.Participants.ParticipantRow>> WithdrawAsync()
    {
        var input = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 1), DispositionReasons.WithdrawalBySubject, " Moved abroad "), Now);
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _withdraw.WriteAsync(w, input.Value!));
    }
}
