using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Screening;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Db.Screening;

namespace Trial.Tests.Application.Screening;

[TestFixture]
public class RecordScreeningTests
{
    private static readonly Actor Investigator = UseCaseDatabase.Person(Roles.Investigator, "WAW");
    private static readonly EligibilityInput Eligible = new(2, true, true, false, true);

    private UseCaseDatabase _db = null!;
    private RecordScreening _screen = null!;
    private ReadScreenings _read = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _db = await UseCaseDatabase.CreateAsync();
        _screen = new RecordScreening(UseCaseDatabase.Blinded);
        _read = new ReadScreenings(_db.Db);
    }

    [TearDown]
    public async Task DeleteAsync() => await _db.DisposeAsync();

    [Test]
    public void Check_NothingEntered_RefusesNamingEveryRequiredField()
    {
        var invalid = (Invalid)_screen.Check(Investigator, new ScreeningInput(" ", null, null, null)).Refusal!;

        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "siteCode", "date", "eligibility" }));
    }

    [Test]
    public void Check_AnAnswerMissingAndTooManyTrialsAndAReasonTooLong_RefusesNamingEach()
    {
        var input = new ScreeningInput("WAW", UseCaseDatabase.Today, new EligibilityInput(51, true, null, false, false), new string('x', 2001));

        var invalid = (Invalid)_screen.Check(Investigator, input).Refusal!;

        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "eligibility.failedAntidepressantTrials", "eligibility.bpdDiagnosis", "reason" }));
    }

    [Test]
    public void Check_SiteNotTheActors_IsForbidden()
    {
        var refusal = _screen.Check(Investigator, new ScreeningInput("KRK", UseCaseDatabase.Today, Eligible, null)).Refusal;

        Assert.That(refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
    }

    [Test]
    public void Check_AnswersEnrolmentRefuses_FailTheSameCriteria()
    {
        var answers = new EligibilityInput(1, true, false, true, false);

        var screening = _screen.Check(Investigator, new ScreeningInput("WAW", UseCaseDatabase.Today, answers, null)).Value!;
        var enrolment = (Invalid)new EnrolParticipant(UseCaseDatabase.Blinded)
            .Check(Investigator, new EnrolmentInput("WAW", "F", 1990, 60, answers, null), UseCaseDatabase.Now).Refusal!;

        var expected = new[] { EligibilityCriteria.FailedAntidepressantTrials, EligibilityCriteria.BpdDiagnosis, EligibilityCriteria.PsychoticPersonalityOrganisation };
        Assert.That(screening.FailedCriteria, Is.EqualTo(expected));
        Assert.That(enrolment.Errors.Keys, Is.EqualTo(expected.Select(c => "eligibility." + c)));
    }

    [Test]
    public void Check_HighSuicideRiskAlone_IsEligible()
    {
        var screening = _screen.Check(Investigator, new ScreeningInput("WAW", UseCaseDatabase.Today, Eligible, null)).Value!;

        Assert.That(screening.FailedCriteria, Is.Empty);
    }

    [Test]
    public async Task WriteAsync_ScreeningsAtTwoSites_AreNumberedPerSiteWithTheirOutcomes()
    {
        var first = await RecordAsync(Investigator, "WAW", Eligible);
        var failure = await RecordAsync(Investigator, "WAW", Eligible with { BpdDiagnosis = false }, reason: "No BPD on SCID-5-PD.");
        var krakow = await RecordAsync(UseCaseDatabase.Person(Roles.Investigator, "KRK"), "KRK", Eligible);

        Assert.That((first.ScreeningNumber, failure.ScreeningNumber, krakow.ScreeningNumber), Is.EqualTo(("WAW-S0001", "WAW-S0002", "KRK-S0001")));
        var stored = (await _db.Db.ReadAsync(c => ScreeningQueries.FindByNumberAsync(c, "WAW-S0002")))!;
        Assert.That((stored.SiteCode, stored.ScreeningDate, stored.Outcome, stored.FailedCriteria, stored.Reason, stored.ParticipantCode, stored.BpdDiagnosis),
            Is.EqualTo(("WAW", UseCaseDatabase.Today.AddDays(-1), "screen-failure", "bpdDiagnosis", "No BPD on SCID-5-PD.", (string?)null, false)));
        Assert.That((first.Outcome, first.FailedCriteriaCodes), Is.EqualTo(("eligible", Array.Empty<string>())));
    }

    [Test]
    public async Task WriteAsync_AScreening_IsAuditedWholeInTheSameTransaction()
    {
        await RecordAsync(Investigator, "WAW", Eligible with { FailedAntidepressantTrials = 1 }, reason: "One trial only.");

        var audit = (await _db.AuditAsync("screening")).Single();
        Assert.That((audit.EntityId, audit.Action, audit.SiteCode, audit.ParticipantCode, audit.UserId),
            Is.EqualTo(("WAW-S0001", "create", "WAW", (string?)null, Investigator.UserId)));
        Assert.That(audit.NewValue, Is.EqualTo(
            "{\"date\":\"2026-03-09\",\"eligibility\":{\"bpdDiagnosis\":true,\"failedAntidepressantTrials\":1,\"highSuicideRisk\":true," +
            "\"psychotherapyWithoutResponse\":true,\"psychoticPersonalityOrganisation\":false},\"failedCriteria\":[\"failedAntidepressantTrials\"]," +
            "\"outcome\":\"screen-failure\",\"protocolVersion\":\"2.1.0\",\"reason\":\"One trial only.\",\"screeningNumber\":\"WAW-S0001\",\"siteCode\":\"WAW\"}"));
    }

    [Test]
    public async Task WriteAsync_DateAfterTheSitesToday_RefusesTheDateStoresNothingAndTakesNoNumber()
    {
        var outcome = await WriteAsync(Investigator, new ScreeningInput("WAW", UseCaseDatabase.Today.AddDays(1), Eligible, null));

        Assert.That(((Invalid)outcome.Refusal!).Errors["date"], Is.EqualTo(new[] { "Screening date 2026-03-11 is in the future (today is 2026-03-10 at site WAW)." }));
        Assert.That(await _db.AuditAsync("screening"), Is.Empty);
        Assert.That((await RecordAsync(Investigator, "WAW", Eligible)).ScreeningNumber, Is.EqualTo("WAW-S0001"), "the refused screening's number was given back");
    }

    [Test]
    public async Task WriteAsync_DateMoreThanTheProtocolsLimitAgo_RefusesTheDate()
    {
        var limit = UseCaseDatabase.Blinded.Eligibility.ScreeningDateMaxDaysAgo;

        var tooOld = await WriteAsync(Investigator, new ScreeningInput("WAW", UseCaseDatabase.Today.AddDays(-limit - 1), Eligible, null));
        var oldest = await WriteAsync(Investigator, new ScreeningInput("WAW", UseCaseDatabase.Today.AddDays(-limit), Eligible, null));

        Assert.That(((Invalid)tooOld.Refusal!).Errors.Keys, Is.EqualTo(new[] { "date" }));
        Assert.That(oldest.IsRefused, Is.False);
    }

    [Test]
    public async Task WriteAsync_SiteThatDoesNotExist_RefusesTheSiteCode()
    {
        var outcome = await WriteAsync(UseCaseDatabase.Admin, new ScreeningInput("GDA", UseCaseDatabase.Today, Eligible, null));

        Assert.That(((Invalid)outcome.Refusal!).Errors["siteCode"], Is.EqualTo(new[] { "Unknown site 'GDA'." }));
        Assert.That(await _db.AuditAsync("screening"), Is.Empty);
    }

    [Test]
    public async Task Read_ScreeningsOfTwoSites_AreSeenOnlyAtTheReadersSites()
    {
        await RecordAsync(Investigator, "WAW", Eligible);
        await RecordAsync(UseCaseDatabase.Person(Roles.Investigator, "KRK"), "KRK", Eligible);
        var monitor = UseCaseDatabase.Person(Roles.Monitor, "KRK");

        Assert.That((await _read.ListAsync(monitor, null)).Value!.Items.Select(s => s.ScreeningNumber), Is.EqualTo(new[] { "KRK-S0001" }));
        Assert.That((await _read.ListAsync(UseCaseDatabase.Admin, null)).Value!.Items.Select(s => s.ScreeningNumber), Is.EqualTo(new[] { "KRK-S0001", "WAW-S0001" }));
        Assert.That((await _read.ListAsync(monitor, "WAW")).Refusal, Is.InstanceOf<Forbidden>());
        Assert.That((await _read.FindAsync(monitor, "WAW-S0001")).Refusal,
            Is.EqualTo(new Forbidden("Screening WAW-S0001 belongs to site WAW, which is not one of your sites.")));
        Assert.That((await _read.FindAsync(monitor, "KRK-S0009")).Refusal, Is.EqualTo(new NotFound("No screening with number 'KRK-S0009'.")));
        Assert.That((await _read.FindAsync(monitor, "KRK-S0001")).Value!.Outcome, Is.EqualTo("eligible"));
    }

    private async Task<ScreeningRow> RecordAsync(Actor actor, string site, EligibilityInput answers, string? reason = null)
    {
        var outcome = await WriteAsync(actor, new ScreeningInput(site, UseCaseDatabase.Today.AddDays(-1), answers, reason));
        Assert.That(outcome.Refusal, Is.Null);
        return outcome.Value!;
    }

    private async Task<Outcome<ScreeningRow>> WriteAsync(Actor actor, ScreeningInput input)
    {
        var checkedInput = _screen.Check(actor, input);
        if (checkedInput.IsRefused) return checkedInput.Refusal!;
        return await _db.WriteAsync(actor, w => _screen.WriteAsync(w, checkedInput.Value!));
    }
}
