using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Visits;
using Trial.Core.Participants;

namespace Trial.Tests.Application.Visits;

[TestFixture]
public class RecordVisitTests
{
    // Enrolled on 16 February, INF1 is planned 14 days later, on 2 March.
    private static readonly DateOnly Inf1 = new(2026, 3, 2);
    private static readonly DateTime Now = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private StudyDatabase _study = null!;
    private RecordVisit _record = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _record = new RecordVisit(_study.Db, _study.Protocol);
        await _study.EnrolAsync();
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public async Task CheckAsync_VisitNotInTheProtocol_IsNotFound()
    {
        var outcome = await _record.CheckAsync(StudyDatabase.Investigator, new RecordVisitInput("WAW-0001", "INF9", Inf1, null), null, Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound("Visit 'INF9' is not in protocol 2.1.0.")));
    }

    [Test]
    public async Task CheckAsync_NoDate_RefusesTheDate()
    {
        var outcome = await _record.CheckAsync(StudyDatabase.Investigator, new RecordVisitInput("WAW-0001", "INF1", null, null), null, Now);

        Assert.That(((Invalid)outcome.Refusal!).Errors["actualDate"], Is.EqualTo(new[] { "actualDate (yyyy-MM-dd) is required." }));
    }

    [Test]
    public async Task WriteAsync_FirstInfusionOnItsPlannedDate_RecordsItInWindowAndAuditsIt()
    {
        var outcome = await RecordAsync("INF1", Inf1);

        var (visit, record) = (outcome.Value!.Visit, outcome.Value.Record!);
        Assert.That((visit.VisitCode, visit.Status, visit.ActualDate, visit.InWindow, record.RowVersion),
            Is.EqualTo(("INF1", "done", (DateOnly?)Inf1, (bool?)true, 1)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.EntityType, audit.EntityId, audit.Action), Is.EqualTo(("visit", "WAW-0001/INF1", "create")));
        Assert.That(audit.NewValue, Is.EqualTo("""{"actualDate":"2026-03-02","participantCode":"WAW-0001","version":1,"visitCode":"INF1"}"""));
    }

    [Test]
    public async Task WriteAsync_DateInTheFuture_RefusesTheDate()
    {
        var outcome = await RecordAsync("INF1", Inf1.AddDays(1));

        Assert.That(((Invalid)outcome.Refusal!).Errors["actualDate"],
            Is.EqualTo(new[] { "INF1 (Infusion 1) cannot be recorded on 2026-03-03: that date is in the future (today is 2026-03-02)." }));
    }

    [Test]
    public async Task WriteAsync_CorrectionNamingNoVersion_RequiresOne()
    {
        await RecordAsync("INF1", Inf1);

        var outcome = await RecordAsync("INF1", Inf1.AddDays(-1), reason: "Typo");

        Assert.That(outcome.Refusal, Is.InstanceOf<VersionRequired>());
    }

    [Test]
    public async Task WriteAsync_CorrectionWithoutReason_RefusesTheReason()
    {
        await RecordAsync("INF1", Inf1);

        var outcome = await RecordAsync("INF1", Inf1.AddDays(-1), ifMatch: "\"1\"");

        Assert.That(((Invalid)outcome.Refusal!).Errors["reason"], Is.EqualTo(new[] { "A reason is required to correct the date of a recorded visit." }));
    }

    [Test]
    public async Task WriteAsync_CorrectionToTheDateRecorded_ChangesAndAuditsNothing()
    {
        await RecordAsync("INF1", Inf1);

        var outcome = await RecordAsync("INF1", Inf1, reason: "Checked", ifMatch: "\"1\"");

        Assert.That((outcome.Value!.Record!.RowVersion, outcome.Value.Visit.ActualDate), Is.EqualTo((1, (DateOnly?)Inf1)));
        Assert.That(await _study.TrailAsync("WAW-0001"), Has.Count.EqualTo(2), "the enrolment and the visit");
    }

    [Test]
    public async Task WriteAsync_CorrectionToAnotherDate_MovesItAndAuditsBothDates()
    {
        await RecordAsync("INF1", Inf1);

        var outcome = await RecordAsync("INF1", Inf1.AddDays(-1), reason: "Typo", ifMatch: "\"1\"");

        Assert.That((outcome.Value!.Record!.RowVersion, outcome.Value.Visit.ActualDate, outcome.Value.Visit.InWindow),
            Is.EqualTo((2, (DateOnly?)Inf1.AddDays(-1), (bool?)true)), "INF1 sets its own window");
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.Action, audit.Reason), Is.EqualTo(("update", "Typo")));
        Assert.That(audit.OldValue, Is.EqualTo("""{"actualDate":"2026-03-02","participantCode":"WAW-0001","version":1,"visitCode":"INF1"}"""));
        Assert.That(audit.NewValue, Is.EqualTo("""{"actualDate":"2026-03-01","participantCode":"WAW-0001","version":2,"visitCode":"INF1"}"""));
    }

    [Test]
    public async Task WriteAsync_NewVisitAfterWithdrawalWithoutReason_IsAConflictNamingTheReason()
    {
        var withdraw = new WithdrawParticipant(_study.Db);
        var withdrawal = await withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 2, 20), DispositionReasons.WithdrawalBySubject, "Moved"), Now);
        await _study.WriteAsync(StudyDatabase.Investigator, Now, w => withdraw.WriteAsync(w, withdrawal.Value!));

        var outcome = await RecordAsync("INF1", Inf1);

        var conflict = (Conflict)outcome.Refusal!;
        Assert.That(conflict.Detail, Does.StartWith("WAW-0001 was withdrawn from the study on 2026-02-20; data entered after withdrawal needs a \"reason\""));
        Assert.That(conflict.Extensions!["field"], Is.EqualTo("reason"));
    }

    private async Task<Outcome<VisitInPlan>> RecordAsync(string visitCode, DateOnly date, string? reason = null, string? ifMatch = null)
    {
        var input = await _record.CheckAsync(StudyDatabase.Investigator, new RecordVisitInput("WAW-0001", visitCode, date, reason), ifMatch, Now);
        if (input.IsRefused) return input.Refusal!;
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _record.WriteAsync(w, input.Value!));
    }
}
