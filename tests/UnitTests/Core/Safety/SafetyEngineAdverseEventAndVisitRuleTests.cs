using NUnit.Framework;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

[TestFixture]
public class SafetyEngineAdverseEventAndVisitRuleTests
{
    private static readonly DateOnly Aware = new(2026, 3, 3);

    // Only the aware date is known and the site is on UTC (the default of these tests): the clock starts at 00:00 UTC on
    // the aware date, so the 24 h deadline is 2026-03-04 00:00 UTC.
    private static readonly DateTime Deadline = new(2026, 3, 4, 0, 0, 0, DateTimeKind.Utc);

    private static readonly TimeZoneInfo Warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    // 16:00 in Warsaw (UTC+1 in March) on the aware date.
    private static readonly DateTime AwareAt16Warsaw = new(2026, 3, 3, 15, 0, 0, DateTimeKind.Utc);

    [Test]
    public void Evaluate_SeriousAdverseEvent_SaeReportedCritical()
    {
        var sae = SeriousAdverseEvent(Aware, Deadline.AddHours(-2));

        var alert = Alerts(SafetyEngine.SaeReported, Data(adverseEvents: [sae])).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("critical"));
            Assert.That(alert.SourceType, Is.EqualTo(SourceTypes.AdverseEvent));
            Assert.That(alert.SourceKey, Is.EqualTo(sae.Id.ToString("N")));
            Assert.That(alert.VisitCode, Is.Null);
            Assert.That(alert.Message, Is.EqualTo(
                "Serious adverse event 'Suicide attempt', onset 2026-03-03 (criteria: hospitalisation; severity severe; relatedness to study drug: possible)"));
        }
    }

    [Test]
    public void Evaluate_NonSeriousAdverseEvent_NoSaeAlerts()
    {
        var ae = AdverseEvent() with { Severity = "severe" };

        var alerts = Evaluate(Data(adverseEvents: [ae]));

        Assert.That(alerts, Is.Empty);
    }

    [Test]
    public void Evaluate_UnreportedSaeExactly24HoursAfterStartOfAwareDay_SaeClockFires()
    {
        var sae = SeriousAdverseEvent(Aware, null);

        var alert = Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae]), Deadline).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("critical"));
            Assert.That(alert.SourceKey, Is.EqualTo(sae.Id.ToString("N")));
            Assert.That(alert.Message, Is.EqualTo(
                "Serious adverse event 'Suicide attempt' has not been reported to the sponsor; the site became aware on 2026-03-03 and the time of awareness "
                + "was not recorded, so the clock ran from the start of that day, local time (2026-03-03 00:00 UTC): the 24 h deadline was 2026-03-04 00:00 UTC"));
            Assert.That(alert.Values["deadlineUtc"], Is.EqualTo("2026-03-04T00:00:00Z"));
        }
    }

    [Test]
    public void Evaluate_UnreportedSaeOneSecondBeforeDeadline_NoSaeClock()
    {
        var sae = SeriousAdverseEvent(Aware, null);

        Assert.That(Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae]), Deadline.AddSeconds(-1)), Is.Empty);
    }

    [Test]
    public void Evaluate_SaeReportedExactlyAtDeadline_OnTimeSoNoSaeClockLater()
    {
        var sae = SeriousAdverseEvent(Aware, Deadline);

        Assert.That(Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae]), Deadline.AddDays(30)), Is.Empty);
    }

    [Test]
    public void Evaluate_SaeReportedOneSecondLate_SaeClockStaysAfterReporting()
    {
        var reported = Deadline.AddSeconds(1);
        var sae = SeriousAdverseEvent(Aware, reported);

        var alert = Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae]), Deadline.AddDays(30)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Message, Is.EqualTo(
                "Serious adverse event 'Suicide attempt' was reported to the sponsor late, at 2026-03-04 00:00:01 UTC; the site became aware on 2026-03-03 and the time "
                + "of awareness was not recorded, so the clock ran from the start of that day, local time (2026-03-03 00:00 UTC): the 24 h deadline was 2026-03-04 00:00 UTC"));
            Assert.That(alert.Values["sponsorReportedUtc"], Is.EqualTo("2026-03-04T00:00:01Z"));
        }
    }

    [Test]
    public void Evaluate_ReportedSixteenHoursAfterAwarenessAt16Local_OnTimeSoNoSaeClock()
    {
        // Counted from the start of the day (local or UTC) this would be late; from the recorded instant it is on time.
        var sae = SeriousAdverseEvent(Aware, AwareAt16Warsaw.AddHours(16)) with { AwareUtc = AwareAt16Warsaw };

        Assert.That(Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae], siteTimeZone: Warsaw), AwareAt16Warsaw.AddDays(30)), Is.Empty);
    }

    [Test]
    public void Evaluate_ReportedTwentyFiveHoursAfterAwareness_SaeClockNamesTheTimeOfAwareness()
    {
        var sae = SeriousAdverseEvent(Aware, AwareAt16Warsaw.AddHours(25)) with { AwareUtc = AwareAt16Warsaw };

        var alert = Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae], siteTimeZone: Warsaw), AwareAt16Warsaw.AddDays(30)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Message, Is.EqualTo(
                "Serious adverse event 'Suicide attempt' was reported to the sponsor late, at 2026-03-04 16:00 UTC; the site became aware at 2026-03-03 15:00 UTC, so the 24 h deadline was 2026-03-04 15:00 UTC"));
            Assert.That(alert.Values["awareUtc"], Is.EqualTo("2026-03-03T15:00:00Z"));
            Assert.That(alert.Values["deadlineUtc"], Is.EqualTo("2026-03-04T15:00:00Z"));
        }
    }

    [Test]
    public void Evaluate_UnreportedWithAwareUtc_SaeClockFromThatInstantNotFromTheStartOfTheDay()
    {
        var sae = SeriousAdverseEvent(Aware, null) with { AwareUtc = AwareAt16Warsaw };
        var data = Data(adverseEvents: [sae], siteTimeZone: Warsaw);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Alerts(SafetyEngine.SaeClock, data, AwareAt16Warsaw.AddHours(24).AddSeconds(-1)), Is.Empty);
            Assert.That(Alerts(SafetyEngine.SaeClock, data, AwareAt16Warsaw.AddHours(24)), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Evaluate_OnlyAwareDateInWarsaw_DeadlineIs23UtcTheDayBeforePlus24HoursAndMessageSaysTimeNotRecorded()
    {
        var sae = SeriousAdverseEvent(Aware, null);
        var data = Data(adverseEvents: [sae], siteTimeZone: Warsaw);
        var deadline = new DateTime(2026, 3, 3, 23, 0, 0, DateTimeKind.Utc);

        var alert = Alerts(SafetyEngine.SaeClock, data, deadline).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Alerts(SafetyEngine.SaeClock, data, deadline.AddSeconds(-1)), Is.Empty);
            Assert.That(alert.Message, Is.EqualTo(
                "Serious adverse event 'Suicide attempt' has not been reported to the sponsor; the site became aware on 2026-03-03 and the time of awareness "
                + "was not recorded, so the clock ran from the start of that day, local time (2026-03-02 23:00 UTC): the 24 h deadline was 2026-03-03 23:00 UTC"));
            Assert.That(alert.Values["deadlineUtc"], Is.EqualTo("2026-03-03T23:00:00Z"));
            Assert.That(alert.Values["siteTimeZone"], Is.EqualTo("Europe/Warsaw"));
        }
    }

    [Test]
    public void Evaluate_OnlyAwareDateInNewYork_DeadlineIs05UtcOfTheDayAfter()
    {
        // New York is UTC-5 until 2026-03-08: the aware date starts at 05:00 UTC.
        var data = Data(adverseEvents: [SeriousAdverseEvent(Aware, null)], siteTimeZone: NewYork);
        var deadline = new DateTime(2026, 3, 4, 5, 0, 0, DateTimeKind.Utc);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Alerts(SafetyEngine.SaeClock, data, deadline.AddSeconds(-1)), Is.Empty);
            Assert.That(Alerts(SafetyEngine.SaeClock, data, deadline).Single().Values["deadlineUtc"], Is.EqualTo("2026-03-04T05:00:00Z"));
        }
    }

    [Test]
    public void Evaluate_UnreportedNonSeriousEventDaysLater_NoSaeClock()
    {
        var ae = AdverseEvent() with { AwareDate = Aware };

        Assert.That(Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [ae]), Deadline.AddDays(3)), Is.Empty);
    }

    [Test]
    public void Evaluate_ReportingWindowOf48HoursConfigured_SaeClockUsesIt()
    {
        var protocol = WithRule(SafetyEngine.SaeClock, r => WithParameter(r, "reportWithinHours", 48));
        var sae = SeriousAdverseEvent(Aware, null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae]), Deadline.AddHours(24).AddSeconds(-1), protocol), Is.Empty);
            Assert.That(Alerts(SafetyEngine.SaeClock, Data(adverseEvents: [sae]), Deadline.AddHours(24), protocol), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Evaluate_LocalEvaluationTime_Throws()
    {
        var local = new DateTime(2026, 3, 4, 0, 0, 0, DateTimeKind.Local);

        Assert.That(() => SafetyEngine.Evaluate(DefaultProtocol, Data(), local), Throws.ArgumentException);
    }

    [Test]
    public void Evaluate_EventOfSpecialInterest_AesiHigh()
    {
        var ae = AdverseEvent("Cut forearm") with { SpecialInterest = "self-injury", Severity = "moderate" };

        var alert = Alerts(SafetyEngine.Aesi, Data(adverseEvents: [ae])).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("high"));
            Assert.That(alert.SourceKey, Is.EqualTo(ae.Id.ToString("N")));
            Assert.That(alert.Message, Is.EqualTo("Adverse event of special interest (self injury): 'Cut forearm', onset 2026-03-03 (severity moderate, not serious)"));
            Assert.That(alert.Values["specialInterest"], Is.EqualTo("self-injury"));
        }
    }

    [Test]
    public void Evaluate_EventWithoutSpecialInterest_NoAesi()
    {
        Assert.That(Alerts(SafetyEngine.Aesi, Data(adverseEvents: [AdverseEvent()])), Is.Empty);
    }

    [Test]
    public void Evaluate_TwoMissedVisits_OneVisitMissedEachKeyedByVisitCode()
    {
        var missed = new[] { new MissedVisitFact("FU-D28", new DateOnly(2026, 4, 27)), new MissedVisitFact("FU-D14", new DateOnly(2026, 4, 12)) };

        var alerts = Alerts(SafetyEngine.VisitMissed, Data(missedVisits: missed));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alerts.Select(a => (a.SourceType, a.SourceKey, a.VisitCode, a.Severity)), Is.EqualTo(new[]
            {
                (SourceTypes.Visit, "FU-D14", (string?)"FU-D14", "low"),
                (SourceTypes.Visit, "FU-D28", (string?)"FU-D28", "low"),
            }));
            Assert.That(alerts[0].Message, Is.EqualTo("Visit FU-D14 (Follow-up day 14) was missed: its window closed on 2026-04-12 with no visit recorded"));
        }
    }

    [Test]
    public void Evaluate_SameMissedVisitTwice_OneAlert()
    {
        var missed = new MissedVisitFact("FU-D7", new DateOnly(2026, 4, 1));

        Assert.That(Alerts(SafetyEngine.VisitMissed, Data(missedVisits: [missed, missed])), Has.Count.EqualTo(1));
    }
}
