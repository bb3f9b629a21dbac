using NUnit.Framework;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

[TestFixture]
public class AdverseEventRulesTests
{
    private static readonly DateOnly Today = new(2026, 3, 10);

    /// <summary>Noon UTC on <see cref="Today"/>, so the site's date is <see cref="Today"/> in UTC, Warsaw and New York.</summary>
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    private static readonly TimeZoneInfo Warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");

    private static IReadOnlyList<AdverseEventError> Validate(AdverseEventFact ae) => AdverseEventRules.Validate(ae, Now, TimeZoneInfo.Utc);

    private static AdverseEventFact Valid() => AdverseEvent() with
    {
        OnsetDate = new DateOnly(2026, 3, 3),
        AwareDate = new DateOnly(2026, 3, 4),
        EndDate = new DateOnly(2026, 3, 5),
        Outcome = "recovered",
    };

    private static AdverseEventFact ValidSerious() => Valid() with
    {
        Serious = true,
        SeriousCriteria = ["hospitalisation"],
        Severity = "severe",
        Relatedness = "possible",
        Expected = false,
        SponsorReportedUtc = new DateTime(2026, 3, 4, 15, 0, 0, DateTimeKind.Utc),
    };

    private static List<string> Fields(AdverseEventFact ae) => Validate(ae).Select(e => e.Field).ToList();

    [Test]
    public void AllowedValues_MatchTheApiContractSpellings()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(AdverseEventRules.Severities, Is.EqualTo(new[] { "mild", "moderate", "severe" }));
            Assert.That(AdverseEventRules.SeriousCriteria, Is.EqualTo(new[]
                { "death", "life-threatening", "hospitalisation", "disability", "congenital-anomaly", "important-medical-event" }));
            Assert.That(AdverseEventRules.Relatedness, Is.EqualTo(new[] { "not-related", "unlikely", "possible", "probable", "definite" }));
            Assert.That(AdverseEventRules.ActionsTaken, Is.EqualTo(new[] { "none", "interrupted", "dose-reduced", "withdrawn" }));
            Assert.That(AdverseEventRules.Outcomes, Is.EqualTo(new[]
                { "recovered", "recovering", "not-recovered", "recovered-with-sequelae", "fatal", "unknown" }));
            Assert.That(AdverseEventRules.SpecialInterests, Is.EqualTo(new[]
                { "suicidal-behaviour", "self-injury", "severe-dissociation", "psychotic-symptoms", "misuse" }));
        }
    }

    [Test]
    public void Validate_ValidNonSeriousEvent_NoErrors()
    {
        Assert.That(Validate(Valid()), Is.Empty);
    }

    [Test]
    public void Validate_ValidSeriousEventOfSpecialInterest_NoErrors()
    {
        Assert.That(Validate(ValidSerious() with { SpecialInterest = "suicidal-behaviour" }), Is.Empty);
    }

    [Test]
    public void Validate_BlankTerm_TermError()
    {
        Assert.That(Fields(Valid() with { Term = " " }), Is.EqualTo(new[] { "term" }));
    }

    [Test]
    public void Validate_UnknownSeverity_SeverityErrorListingAllowedValues()
    {
        var errors = Validate(Valid() with { Severity = "life-threatening" });

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("severity", "Severity 'life-threatening' is not one of mild, moderate, severe."),
        }));
    }

    [Test]
    public void Validate_UnknownRelatedness_RelatednessError()
    {
        Assert.That(Fields(Valid() with { Relatedness = "related" }), Is.EqualTo(new[] { "relatedness" }));
    }

    [Test]
    public void Validate_UnknownActionTaken_ActionTakenError()
    {
        Assert.That(Fields(Valid() with { ActionTaken = "dose reduced" }), Is.EqualTo(new[] { "actionTaken" }));
    }

    [Test]
    public void Validate_UnknownOutcome_OutcomeError()
    {
        Assert.That(Fields(Valid() with { Outcome = "resolved" }), Is.EqualTo(new[] { "outcome" }));
    }

    [Test]
    public void Validate_UnknownSpecialInterest_SpecialInterestError()
    {
        Assert.That(Fields(Valid() with { SpecialInterest = "suicide" }), Is.EqualTo(new[] { "specialInterest" }));
    }

    [Test]
    public void Validate_UnknownSeriousnessCriterion_SeriousCriteriaErrorNamingIt()
    {
        var errors = Validate(ValidSerious() with { SeriousCriteria = ["hospitalization"] });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors.Single().Field, Is.EqualTo("seriousCriteria"));
            Assert.That(errors.Single().Message, Does.StartWith("'hospitalization' is not a seriousness criterion"));
        }
    }

    [Test]
    public void Validate_CriteriaRecordedButNotSerious_SeriousError()
    {
        Assert.That(Fields(ValidSerious() with { Serious = false }), Is.EqualTo(new[] { "serious" }));
    }

    [Test]
    public void Validate_SeriousWithoutCriteria_SeriousCriteriaError()
    {
        Assert.That(Fields(ValidSerious() with { SeriousCriteria = [] }), Is.EqualTo(new[] { "seriousCriteria" }));
    }

    [Test]
    public void Validate_FatalOutcomeWithoutDeathCriterion_SeriousCriteriaError()
    {
        var errors = Validate(ValidSerious() with { Outcome = "fatal" });

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("seriousCriteria", "The outcome is fatal, so 'death' must be among the seriousness criteria."),
        }));
    }

    [Test]
    public void Validate_FatalOutcomeWithDeathCriterion_NoErrors()
    {
        Assert.That(Validate(ValidSerious() with { Outcome = "fatal", SeriousCriteria = ["death"] }), Is.Empty);
    }

    [Test]
    public void Validate_FatalOutcomeWithoutEndDate_EndDateErrorSayingItIsTheDateOfDeath()
    {
        var errors = Validate(ValidSerious() with { Outcome = "fatal", SeriousCriteria = ["death"], EndDate = null });

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("endDate", "The outcome is fatal, so the end date is needed: it is the date of death."),
        }));
    }

    [TestCase("recovered", "recovered")]
    [TestCase("recovered-with-sequelae", "recovered with sequelae")]
    public void Validate_RecoveredOutcomeWithoutEndDate_EndDateError(string outcome, string said)
    {
        var errors = Validate(Valid() with { Outcome = outcome, EndDate = null });

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("endDate", $"The outcome is {said}, so the end date is needed: the date the event resolved."),
        }));
    }

    [TestCase("recovering")]
    [TestCase("not-recovered")]
    [TestCase("unknown")]
    public void Validate_OutcomeWithoutAnEndWithoutEndDate_NoErrors(string outcome)
    {
        Assert.That(Validate(Valid() with { Outcome = outcome, EndDate = null }), Is.Empty);
    }

    [Test]
    public void Validate_EndDateBeforeOnset_EndDateError()
    {
        Assert.That(Fields(Valid() with { EndDate = new DateOnly(2026, 3, 2) }), Is.EqualTo(new[] { "endDate" }));
    }

    [Test]
    public void Validate_EndDateOnOnsetDate_NoErrors()
    {
        Assert.That(Validate(Valid() with { EndDate = new DateOnly(2026, 3, 3) }), Is.Empty);
    }

    [Test]
    public void Validate_AwareBeforeOnset_AwareDateError()
    {
        Assert.That(Fields(Valid() with { AwareDate = new DateOnly(2026, 3, 2) }), Is.EqualTo(new[] { "awareDate" }));
    }

    [Test]
    public void Validate_EndDateTomorrow_EndDateErrorForFutureDate()
    {
        var errors = Validate(Valid() with { EndDate = Today.AddDays(1) });

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("endDate", "The end date 2026-03-11 is in the future (today is 2026-03-10)."),
        }));
    }

    [Test]
    public void Validate_AllDatesToday_NoErrors()
    {
        var ae = ValidSerious() with
        {
            OnsetDate = Today,
            AwareDate = Today,
            EndDate = Today,
            SponsorReportedUtc = Today.ToDateTime(new TimeOnly(23, 0), DateTimeKind.Utc),
        };

        Assert.That(Validate(ae), Is.Empty);
    }

    [Test]
    public void Validate_OnsetAndAwareTomorrow_BothFutureErrors()
    {
        // Still going on, so no end date is due.
        var ae = Valid() with { OnsetDate = Today.AddDays(1), AwareDate = Today.AddDays(1), EndDate = null, Outcome = "recovering" };

        Assert.That(Fields(ae), Is.EqualTo(new[] { "onsetDate", "awareDate" }));
    }

    [Test]
    public void Validate_SponsorReportTomorrow_SponsorReportedUtcError()
    {
        var ae = ValidSerious() with { SponsorReportedUtc = Today.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) };

        Assert.That(Fields(ae), Is.EqualTo(new[] { "sponsorReportedUtc" }));
    }

    [Test]
    public void Validate_SponsorReportBeforeAwareDate_SponsorReportedUtcError()
    {
        // Aware on 2026-03-04; reported at the end of the day before.
        var ae = ValidSerious() with { SponsorReportedUtc = new DateTime(2026, 3, 3, 23, 59, 0, DateTimeKind.Utc) };

        Assert.That(Fields(ae), Is.EqualTo(new[] { "sponsorReportedUtc" }));
    }

    [TestCase(3, 3, 22, 59, Description = "23:59 in Warsaw on the aware date")]
    [TestCase(4, 3, 23, 0, Description = "00:00 in Warsaw on the aware date, still the day before in UTC")]
    public void Validate_AwareUtcOnTheAwareDateAtTheSite_NoErrors(int awareDay, int utcDay, int utcHour, int utcMinute)
    {
        var ae = Valid() with { AwareDate = new DateOnly(2026, 3, awareDay), AwareUtc = new DateTime(2026, 3, utcDay, utcHour, utcMinute, 0, DateTimeKind.Utc) };

        Assert.That(AdverseEventRules.Validate(ae, Now, Warsaw), Is.Empty);
    }

    [Test]
    public void Validate_AwareUtcOnAnotherDayAtTheSite_AwareUtcErrorNamingBothDates()
    {
        // 2026-03-04 23:30 UTC is 00:30 on 2026-03-05 in Warsaw.
        var ae = Valid() with { AwareDate = new DateOnly(2026, 3, 4), AwareUtc = new DateTime(2026, 3, 4, 23, 30, 0, DateTimeKind.Utc) };

        var errors = AdverseEventRules.Validate(ae, Now, Warsaw);

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("awareUtc",
                "The time the site became aware (2026-03-04 23:30 UTC) is on 2026-03-05 at the site (Europe/Warsaw), but the date the site became aware is 2026-03-04; "
                + "the two must be the same day, site time."),
        }));
    }

    [Test]
    public void Validate_AwareUtcAfterNow_AwareUtcErrorForFutureTime()
    {
        var ae = Valid() with { AwareDate = Today, EndDate = Today, AwareUtc = Now.AddMinutes(1) };

        var errors = AdverseEventRules.Validate(ae, Now, TimeZoneInfo.Utc);

        Assert.That(errors, Is.EqualTo(new[]
        {
            new AdverseEventError("awareUtc", "The time the site became aware (2026-03-10 12:01 UTC) is in the future (now is 2026-03-10 12:00 UTC)."),
        }));
    }

    [Test]
    public void Validate_AwareUtcExactlyNow_NoErrors()
    {
        Assert.That(Validate(Valid() with { AwareDate = Today, EndDate = Today, AwareUtc = Now }), Is.Empty);
    }

    [Test]
    public void Validate_SiteAlreadyOnTheNextDay_DatesOfThatDayAreNotFuture()
    {
        // 23:30 UTC on 03-10 is 00:30 on 03-11 in Warsaw: an event that began there "today" is not in the future.
        var lateEvening = new DateTime(2026, 3, 10, 23, 30, 0, DateTimeKind.Utc);
        var ae = Valid() with { OnsetDate = Today.AddDays(1), AwareDate = Today.AddDays(1), EndDate = null, Outcome = "recovering" };

        Assert.That(AdverseEventRules.Validate(ae, lateEvening, Warsaw), Is.Empty);
    }

    [TestCase("not-recovered")]
    [TestCase("recovering")]
    public void Validate_EndDateWithOngoingOutcome_NoErrors(string outcome)
    {
        Assert.That(Validate(Valid() with { Outcome = outcome }), Is.Empty);
    }

    [Test]
    public void Susar_SeriousPossiblyRelatedUnexpectedHospitalisation_FifteenDaysFromAwareDate()
    {
        var status = AdverseEventRules.Susar(ValidSerious());

        Assert.That(status, Is.EqualTo(new SusarStatus(true, 15, new DateOnly(2026, 3, 19))));
    }

    [TestCase("probable")]
    [TestCase("definite")]
    public void Susar_ProbablyOrDefinitelyRelated_IsSusar(string relatedness)
    {
        Assert.That(AdverseEventRules.Susar(ValidSerious() with { Relatedness = relatedness }).IsSusar, Is.True);
    }

    [Test]
    public void Susar_LifeThreatening_SevenDays()
    {
        var status = AdverseEventRules.Susar(ValidSerious() with { SeriousCriteria = ["life-threatening", "hospitalisation"] });

        Assert.That(status, Is.EqualTo(new SusarStatus(true, 7, new DateOnly(2026, 3, 11))));
    }

    [Test]
    public void Susar_FatalOutcome_SevenDays()
    {
        var status = AdverseEventRules.Susar(ValidSerious() with { Outcome = "fatal", SeriousCriteria = ["death"] });

        Assert.That(status, Is.EqualTo(new SusarStatus(true, 7, new DateOnly(2026, 3, 11))));
    }

    [TestCase("not-related")]
    [TestCase("unlikely")]
    public void Susar_NotRelatedOrUnlikely_NotSusar(string relatedness)
    {
        Assert.That(AdverseEventRules.Susar(ValidSerious() with { Relatedness = relatedness }), Is.EqualTo(new SusarStatus(false, null, null)));
    }

    [Test]
    public void Susar_Expected_NotSusar()
    {
        Assert.That(AdverseEventRules.Susar(ValidSerious() with { Expected = true }), Is.EqualTo(new SusarStatus(false, null, null)));
    }

    [Test]
    public void Susar_NotSerious_NotSusar()
    {
        var ae = ValidSerious() with { Serious = false, SeriousCriteria = [] };

        Assert.That(AdverseEventRules.Susar(ae), Is.EqualTo(new SusarStatus(false, null, null)));
    }
}
