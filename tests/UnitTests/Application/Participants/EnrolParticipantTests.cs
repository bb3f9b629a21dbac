using NUnit.Framework;
using Trial.Application;
using Trial.Application.Participants;

namespace Trial.Tests.Application.Participants;

[TestFixture]
public class EnrolParticipantTests
{
    private StudyDatabase _study = null!;
    private EnrolParticipant _enrol = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _study = await StudyDatabase.CreateAsync();
        _enrol = new EnrolParticipant(_study.Protocol);
    }

    [TearDown]
    public async Task DeleteAsync() => await _study.DisposeAsync();

    [Test]
    public void Check_NothingEntered_RefusesNamingEveryRequiredField()
    {
        var outcome = _enrol.Check(StudyDatabase.Investigator, new EnrolmentInput(null, " ", null, null, null, null), StudyDatabase.EnrolledNoonUtc);

        var invalid = (Invalid)outcome.Refusal!;
        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "siteCode", "sex", "birthYear", "weightKg", "eligibility" }));
        // A blank sex is both missing and not one of the codes.
        Assert.That(invalid.Errors["sex"], Is.EqualTo(new[] { "Sex is required.", "Sex must be one of F, M, X; got ''." }));
        Assert.That(invalid.Detail, Is.EqualTo("One or more fields are invalid; nothing was stored."));
    }

    [Test]
    public void Check_BirthYearAfterThisYearAndWeightBelowTheProtocolsMinimum_RefusesBoth()
    {
        var input = StudyDatabase.Enrolment() with { BirthYear = 2027, WeightKg = 29.9m };

        var invalid = (Invalid)_enrol.Check(StudyDatabase.Investigator, input, StudyDatabase.EnrolledNoonUtc).Refusal!;

        Assert.That(invalid.Errors["birthYear"], Is.EqualTo(new[] { "Birth year must be between 1900 and 2026; got 2027." }));
        Assert.That(invalid.Errors["weightKg"], Is.EqualTo(new[] { "Weight must be between 30 and 250 kg; got 29.9." }));
    }

    [Test]
    public void Check_SiteNotTheActors_IsForbidden()
    {
        var refusal = _enrol.Check(StudyDatabase.Investigator, StudyDatabase.Enrolment("KRK"), StudyDatabase.EnrolledNoonUtc).Refusal;

        Assert.That(refusal, Is.EqualTo(new Forbidden("Site KRK is not one of your sites.")));
    }

    [Test]
    public void Check_OneFailedAntidepressantTrial_RefusesNamingTheCriterion()
    {
        var input = StudyDatabase.Enrolment() with { Eligibility = new EligibilityInput(1, true, true, false, false) };

        var invalid = (Invalid)_enrol.Check(StudyDatabase.Investigator, input, StudyDatabase.EnrolledNoonUtc).Refusal!;

        const string message = "Treatment-resistant depression needs at least 2 adequate antidepressant trials without response; 1 recorded.";
        Assert.That(invalid.Errors.Keys, Is.EqualTo(new[] { "eligibility.failedAntidepressantTrials" }));
        Assert.That(invalid.Detail, Is.EqualTo("The participant does not meet the eligibility criteria: " + message));
    }

    [Test]
    public async Task WriteAsync_TwoEligibleAtOneSite_GivesTheSitesNextCodesAndAuditsTheWholeParticipant()
    {
        var first = await EnrolAsync(StudyDatabase.Enrolment());
        var second = await EnrolAsync(StudyDatabase.Enrolment());

        Assert.That((first.Code, second.Code), Is.EqualTo(("WAW-0001", "WAW-0002")));
        var stored = await _study.FindAsync("WAW-0001");
        Assert.That((stored!.Status, stored.EnrolledDate, stored.EnrolledUtc, stored.RowVersion),
            Is.EqualTo(("enrolled", new DateOnly(2026, 2, 16), StudyDatabase.EnrolledNoonUtc, 1)));
        var audit = (await _study.TrailAsync("WAW-0001")).Single();
        Assert.That((audit.EntityType, audit.EntityId, audit.Action, audit.OldValue), Is.EqualTo(("participant", "WAW-0001", "create", (string?)null)));
        Assert.That(audit.NewValue, Is.EqualTo(
            "{\"birthYear\":1990,\"code\":\"WAW-0001\",\"discontinuationReason\":null,\"discontinuationReasonCode\":null," +
            "\"eligibility\":{\"bpdDiagnosis\":true,\"failedAntidepressantTrials\":2,\"highSuicideRisk\":false,\"psychotherapyWithoutResponse\":true," +
            "\"psychoticPersonalityOrganisation\":false},\"enrolledDate\":\"2026-02-16\",\"enrolledUtc\":\"2026-02-16T12:00:00Z\",\"infusionsDiscontinuedDate\":null," +
            "\"protocolVersion\":\"2.1.0\",\"screeningNumber\":\"WAW-S0001\",\"sex\":\"F\",\"siteCode\":\"WAW\",\"status\":\"enrolled\",\"version\":1,\"weightKg\":70,\"withdrawalReason\":null,\"withdrawalReasonCode\":null,\"withdrawnDate\":null}"));
    }

    [Test]
    public async Task WriteAsync_NoDateAfterMidnightInWarsaw_IsEnrolledOnTheSitesDate()
    {
        // 23:30 UTC on 1 March is 00:30 on 2 March in Warsaw.
        var now = new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Utc);
        var input = _enrol.Check(StudyDatabase.Investigator, StudyDatabase.Enrolment() with { EnrolledDate = null }, now).Value!;

        var participant = StudyDatabase.Succeeded(await _study.WriteAsync(StudyDatabase.Investigator, now, w => _enrol.WriteAsync(w, input)));

        Assert.That(participant.EnrolledDate, Is.EqualTo(new DateOnly(2026, 3, 2)));
    }

    [Test]
    public async Task WriteAsync_DateAfterTheSitesToday_RefusesAndTakesNoNumber()
    {
        var now = new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Utc);
        var input = _enrol.Check(StudyDatabase.Investigator, StudyDatabase.Enrolment(enrolled: new DateOnly(2026, 3, 3)), now).Value!;

        var outcome = await _study.WriteAsync(StudyDatabase.Investigator, now, w => _enrol.WriteAsync(w, input));

        Assert.That(outcome.Refusal, Is.InstanceOf<Invalid>());
        Assert.That(outcome.Refusal!.Detail, Is.EqualTo("Enrolment date 2026-03-03 is in the future (today is 2026-03-02 at site WAW)."));
        Assert.That((await EnrolAsync(StudyDatabase.Enrolment())).Code, Is.EqualTo("WAW-0001"), "the refused enrolment's number was rolled back");
    }

    [Test]
    public async Task WriteAsync_SiteThatDoesNotExist_RefusesTheSiteCode()
    {
        var input = _enrol.Check(StudyDatabase.Admin, StudyDatabase.Enrolment("GDA"), StudyDatabase.EnrolledNoonUtc).Value!;

        var outcome = await _study.WriteAsync(StudyDatabase.Admin, StudyDatabase.EnrolledNoonUtc, w => _enrol.WriteAsync(w, input));

        Assert.That(((Invalid)outcome.Refusal!).Errors["siteCode"], Is.EqualTo(new[] { "Unknown site 'GDA'." }));
    }

    private async Task<Trial.Db.Participants.ParticipantRow> EnrolAsync(EnrolmentInput enrolment)
    {
        var input = _enrol.Check(StudyDatabase.Investigator, enrolment, StudyDatabase.EnrolledNoonUtc).Value!;
        return StudyDatabase.Succeeded(await _study.WriteAsync(StudyDatabase.Investigator, StudyDatabase.EnrolledNoonUtc, w => _enrol.WriteAsync(w, input)));
    }
}
