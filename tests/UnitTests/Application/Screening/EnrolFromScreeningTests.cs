using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Screening;
using Trial.Core.Access;
using Trial.Db.Participants;
using Trial.Db.Screening;

namespace Trial.Tests.Application.Screening;

/// <summary>Enrolment names the eligible screening it comes from, or records one from the answers it is given.</summary>
[TestFixture]
public class EnrolFromScreeningTests
{
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");
    private static readonly EligibilityInput Eligible = new(3, true, true, false, false);

    private UseCaseDatabase _db = null!;
    private RecordScreening _screen = null!;
    private EnrolParticipant _enrol = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _db = await UseCaseDatabase.CreateAsync();
        _screen = new RecordScreening(UseCaseDatabase.Blinded);
        _enrol = new EnrolParticipant(UseCaseDatabase.Blinded);
    }

    [TearDown]
    public async Task DeleteAsync() => await _db.DisposeAsync();

    [Test]
    public async Task Enrol_FromAnEligibleScreening_TakesItsAnswersAndLinksBoth()
    {
        await ScreenAsync("WAW", Eligible with { HighSuicideRisk = true });

        var participant = (await EnrolAsync(FromScreening("WAW-S0001"))).Value!;

        Assert.That((participant.Code, participant.ScreeningNumber, participant.FailedAntidepressantTrials, participant.HighSuicideRisk),
            Is.EqualTo(("WAW-0001", "WAW-S0001", 3, true)));
        var stored = (await _db.Db.ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, "WAW-0001")))!;
        Assert.That(stored.ScreeningNumber, Is.EqualTo("WAW-S0001"));
        Assert.That((await FindScreeningAsync("WAW-S0001")).ParticipantCode, Is.EqualTo("WAW-0001"));
        Assert.That((await _db.AuditAsync("participant")).Single().NewValue, Does.Contain("\"screeningNumber\":\"WAW-S0001\""));
    }

    [Test]
    public async Task Enrol_WithAnswersAndNoScreening_RecordsItsEligibleScreeningInTheSameTransaction()
    {
        await ScreenAsync("WAW", Eligible with { BpdDiagnosis = false });

        var participant = (await EnrolAsync(new EnrolmentInput("WAW", "M", 1985, 80, Eligible, UseCaseDatabase.Today.AddDays(-2)))).Value!;

        Assert.That(participant.ScreeningNumber, Is.EqualTo("WAW-S0002"));
        var screening = await FindScreeningAsync("WAW-S0002");
        Assert.That((screening.Outcome, screening.ScreeningDate, screening.FailedAntidepressantTrials, screening.ParticipantCode, screening.Reason),
            Is.EqualTo(("eligible", UseCaseDatabase.Today.AddDays(-2), 3, "WAW-0001", (string?)null)));
        Assert.That((await _db.AuditAsync("screening")).Select(a => a.EntityId), Is.EqualTo(new[] { "WAW-S0001", "WAW-S0002" }));
    }

    [Test]
    public async Task Enrol_IneligibleWithoutScreening_IsRefusedAndRecordsNoScreening()
    {
        var refusal = _enrol.Check(Investigator, new EnrolmentInput("WAW", "F", 1990, 60, Eligible with { FailedAntidepressantTrials = 1 }, null), UseCaseDatabase.Now).Refusal;

        Assert.That(((Invalid)refusal!).Errors.Keys, Is.EqualTo(new[] { "eligibility.failedAntidepressantTrials" }));
        Assert.That(await _db.Db.ReadAsync(c => ScreeningQueries.ListAsync(c, null, 1000, "", 0)), Is.Empty);
    }

    [Test]
    public void Check_ScreeningNumberAndAnswersBoth_RefusesTheAnswers()
    {
        var refusal = _enrol.Check(Investigator, FromScreening("WAW-S0001") with { Eligibility = Eligible }, UseCaseDatabase.Now).Refusal;

        Assert.That(((Invalid)refusal!).Errors.Keys, Is.EqualTo(new[] { "eligibility" }));
    }

    [Test]
    public async Task Enrol_UnknownScreening_RefusesTheNumberAndStoresNothing()
    {
        var outcome = await EnrolAsync(FromScreening("WAW-S0042"));

        Assert.That(((Invalid)outcome.Refusal!).Errors["screeningNumber"], Is.EqualTo(new[] { "No screening with number 'WAW-S0042'." }));
        await AssertNothingEnrolledAsync();
    }

    [Test]
    public async Task Enrol_FromAScreenFailure_RefusesTheNumberNamingTheCriteria()
    {
        await ScreenAsync("WAW", Eligible with { PsychotherapyWithoutResponse = false });

        var outcome = await EnrolAsync(FromScreening("WAW-S0001"));

        Assert.That(((Invalid)outcome.Refusal!).Errors["screeningNumber"], Is.EqualTo(new[]
        {
            "Screening WAW-S0001 was a screen failure (criteria not met: psychotherapyWithoutResponse); only an eligible screening can be enrolled.",
        }));
        await AssertNothingEnrolledAsync();
    }

    [Test]
    public async Task Enrol_FromAnotherSitesScreening_RefusesTheNumber()
    {
        await ScreenAsync("KRK", Eligible);

        var outcome = await EnrolAsync(FromScreening("KRK-S0001"));

        Assert.That(((Invalid)outcome.Refusal!).Errors["screeningNumber"],
            Is.EqualTo(new[] { "Screening KRK-S0001 is not a screening of site WAW; enrol at the site that screened." }));
        await AssertNothingEnrolledAsync();
    }

    [Test]
    public async Task Enrol_FromAScreeningAlreadyUsed_IsAConflictNamingTheNumber()
    {
        await ScreenAsync("WAW", Eligible);
        await EnrolAsync(FromScreening("WAW-S0001"));

        var outcome = await EnrolAsync(FromScreening("WAW-S0001"));

        var conflict = (Conflict)outcome.Refusal!;
        Assert.That(conflict.Detail, Is.EqualTo("Screening WAW-S0001 was already used to enrol WAW-0001; each screening enrols one participant."));
        Assert.That(conflict.Extensions!["field"], Is.EqualTo("screeningNumber"));
        Assert.That((await _db.Db.ReadAsync(c => ParticipantQueries.ListAsync(c, null, 1000, "", 0))).Select(p => p.Code), Is.EqualTo(new[] { "WAW-0001" }));
    }

    [Test]
    public async Task Enrol_DatedBeforeItsScreening_RefusesTheEnrolmentDate()
    {
        await ScreenAsync("WAW", Eligible);

        var outcome = await EnrolAsync(FromScreening("WAW-S0001") with { EnrolledDate = UseCaseDatabase.Today.AddDays(-2) });

        Assert.That(((Invalid)outcome.Refusal!).Errors["enrolledDate"],
            Is.EqualTo(new[] { "Enrolment date 2026-03-08 is before the screening WAW-S0001 (2026-03-09)." }));
        await AssertNothingEnrolledAsync();
    }

    private static EnrolmentInput FromScreening(string number) => new("WAW", "F", 1990, 60, null, UseCaseDatabase.Today, number);

    private async Task ScreenAsync(string site, EligibilityInput answers)
    {
        var actor = UseCaseDatabase.Person(Roles.Investigator, site);
        var input = _screen.Check(actor, new ScreeningInput(site, UseCaseDatabase.Today.AddDays(-1), answers, null)).Value!;
        Assert.That((await _db.WriteAsync(actor, w => _screen.WriteAsync(w, input))).Refusal, Is.Null);
    }

    private async Task<Outcome<ParticipantRow>> EnrolAsync(EnrolmentInput enrolment)
    {
        var input = _enrol.Check(Investigator, enrolment, UseCaseDatabase.Now);
        Assert.That(input.Refusal, Is.Null);
        return await _db.WriteAsync(Investigator, w => _enrol.WriteAsync(w, input.Value!));
    }

    private async Task<ScreeningRow> FindScreeningAsync(string number) => (await _db.Db.ReadAsync(c => ScreeningQueries.FindByNumberAsync(c, number)))!;

    /// <summary>A refused enrolment leaves no participant, no audit row, and gives its participant number back.</summary>
    private async Task AssertNothingEnrolledAsync()
    {
        Assert.That(await _db.Db.ReadAsync(c => ParticipantQueries.ListAsync(c, null, 1000, "", 0)), Is.Empty);
        Assert.That(await _db.AuditAsync("participant"), Is.Empty);
        await ScreenAsync("WAW", Eligible);
        var next = await _db.Db.ReadAsync(c => ScreeningQueries.ListAsync(c, ["WAW"], 1000, "", 0));
        Assert.That((await EnrolAsync(FromScreening(next[^1].ScreeningNumber))).Value!.Code, Is.EqualTo("WAW-0001"));
    }
}
