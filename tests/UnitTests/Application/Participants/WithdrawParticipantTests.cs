using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;

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
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0099", new DateOnly(2026, 3, 1), "Moved abroad"), Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new NotFound("No participant with code 'WAW-0099'.")));
    }

    [Test]
    public async Task CheckAsync_ParticipantOfAnotherSite_IsForbidden()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.KrakowInvestigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 1), "Moved abroad"), Now);

        Assert.That(outcome.Refusal, Is.EqualTo(new Forbidden("Participant WAW-0001 belongs to site WAW, which is not one of your sites.")));
    }

    [Test]
    public async Task CheckAsync_DateBeforeEnrolmentAndNoReason_RefusesBothFields()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 2, 15), " "), Now);

        var invalid = (Invalid)outcome.Refusal!;
        Assert.That(invalid.Errors["date"], Is.EqualTo(new[] { "The date 2026-02-15 is before enrolment (2026-02-16)." }));
        Assert.That(invalid.Errors["reason"], Is.EqualTo(new[] { "A reason for the withdrawal is required." }));
    }

    [Test]
    public async Task CheckAsync_DateAfterTheSitesToday_Refuses()
    {
        var outcome = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 3), "Moved abroad"), Now);

        Assert.That(outcome.Refusal!.Detail, Is.EqualTo("The date 2026-03-03 is in the future (today is 2026-03-02 at site WAW)."));
    }

    [Test]
    public async Task WriteAsync_Enrolled_WithdrawsAndAuditsTheChangedFields()
    {
        var withdrawn = await WithdrawAsync();

        Assert.That((withdrawn.Value!.Status, withdrawn.Value.WithdrawnDate, withdrawn.Value.WithdrawalReason, withdrawn.Value.RowVersion),
            Is.EqualTo(("withdrawn", (DateOnly?)new DateOnly(2026, 3, 1), "Moved abroad", 2)));
        var audit = (await _study.TrailAsync("WAW-0001")).Last();
        Assert.That((audit.Action, audit.Reason), Is.EqualTo(("state-change", "Moved abroad")));
        Assert.That(audit.OldValue, Is.EqualTo("""{"code":"WAW-0001","status":"enrolled","version":1,"withdrawalReason":null,"withdrawnDate":null}"""));
        Assert.That(audit.NewValue, Is.EqualTo("""{"code":"WAW-0001","status":"withdrawn","version":2,"withdrawalReason":"Moved abroad","withdrawnDate":"2026-03-01"}"""));
    }

    [Test]
    public async Task WriteAsync_AlreadyWithdrawn_IsAConflictAndWritesNothing()
    {
        await WithdrawAsync();

        var again = await WithdrawAsync();

        Assert.That(again.Refusal, Is.EqualTo(new Conflict("WAW-0001 was already withdrawn on 2026-03-01.")));
        Assert.That(await _study.TrailAsync("WAW-0001"), Has.Count.EqualTo(2), "the enrolment and the first withdrawal");
    }

    private async Task<Outcome<Trial.Db.Participants.ParticipantRow>> WithdrawAsync()
    {
        var input = await _withdraw.CheckAsync(StudyDatabase.Investigator, new WithdrawalInput("WAW-0001", new DateOnly(2026, 3, 1), " Moved abroad "), Now);
        return await _study.WriteAsync(StudyDatabase.Investigator, Now, w => _withdraw.WriteAsync(w, input.Value!));
    }
}
