using NUnit.Framework;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// Rules that judge a post-infusion value against the same day's pre-infusion one: persisting dissociation (CADSS_PERSIST)
/// and a rise in blood pressure (VITALS_BP_RISE), with the pre-dose blood-pressure check (VITALS_BP_PREDOSE) beside them.
/// Thresholds are the default protocol's: CADSS above 4 and 4 above pre; a rise of 40 systolic or 25 diastolic; 140/90 before dosing.
/// </summary>
[TestFixture]
public class PreInfusionComparisonRuleTests
{
    [TestCase("t120", 2, 6, true)]   // up 4: the margin reached
    [TestCase("t120", 3, 6, false)]  // up 3: a participant who dissociated before the drug, little changed
    [TestCase("t240", 0, 5, true)]
    [TestCase("t240", 10, 13, false)] // above 4, but only 3 above an already dissociated pre
    [TestCase("t120", 0, 4, false)]  // not above the absolute threshold of 4
    public void Evaluate_CadssAfterTheInfusionAgainstThePreInfusionTotal_PersistOnlyWhenAboveBoth(string timepoint, int pre, int after, bool fires)
    {
        var data = Data(Cadss("INF2", "pre", pre), Cadss("INF2", timepoint, after));

        Assert.That(Alerts(SafetyEngine.CadssPersist, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_CadssPersistAgainstPre_AlertSaysFromWhatItRose()
    {
        var after = Cadss("INF3", "t240", 9);

        var alert = Alerts(SafetyEngine.CadssPersist, Data(Cadss("INF3", "pre", 2), after)).Single();

        Assert.That(alert.SourceKey, Is.EqualTo(Key(after)));
        Assert.That(alert.Message, Is.EqualTo(
            "CADSS total 9 at INF3 t240, up 7 from 2 before the infusion at INF3 pre: dissociation has not settled after the infusion "
            + "(alert when above 4 at t120 or t240 and at least 4 above the pre-infusion total)"));
        Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string>
        {
            ["total"] = "9", ["preTotal"] = "2", ["rise"] = "7", ["totalAbove"] = "4", ["minRiseOverPre"] = "4",
        }));
    }

    [Test]
    public void Evaluate_CadssPersistWithAnotherVisitsPreOnly_JudgedOnTheAbsoluteThresholdAndSaysSo()
    {
        // INF1's pre is another day and another dose: it does not count for INF2.
        var after = Cadss("INF2", "t120", 6);

        var alert = Alerts(SafetyEngine.CadssPersist, Data(Cadss("INF1", "pre", 5), after)).Single();

        Assert.That(alert.Message, Does.Contain("there is no complete pre-infusion CADSS at INF2 to compare with"));
    }

    [Test]
    public void Evaluate_CadssPersistMarginInProtocol_RuleUsesTheProtocolValue()
    {
        var protocol = WithRule(SafetyEngine.CadssPersist, r => WithParameter(r, "minRiseOverPre", 0));

        Assert.That(Alerts(SafetyEngine.CadssPersist, Data(Cadss("INF2", "pre", 6), Cadss("INF2", "t120", 6)), protocol: protocol), Has.Count.EqualTo(1));
    }

    [TestCase(120, 80, 160, 80, true)]  // systolic +40
    [TestCase(120, 80, 159, 104, false)] // +39 / +24
    [TestCase(120, 80, 130, 105, true)]  // diastolic +25
    [TestCase(150, 95, 150, 95, false)]  // high, but no rise: VITALS_BP_PREDOSE's matter, not this rule's
    public void Evaluate_BloodPressureAfterTheInfusion_RiseOverTheSameDaysPreValue(int preSystolic, int preDiastolic, int systolic, int diastolic, bool fires)
    {
        var data = Data(vitals: [Vitals("INF1", "pre", preSystolic, preDiastolic), Vitals("INF1", "t40", systolic, diastolic)]);

        Assert.That(Alerts(SafetyEngine.VitalsBpRise, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_BloodPressureRise_AlertNamesBothReadingsAndTheRise()
    {
        var t120 = Vitals("INF3", "t120", 172, 96);

        var alert = Alerts(SafetyEngine.VitalsBpRise, Data(vitals: [Vitals("INF3", "pre", 128, 78), t120])).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceType, Is.EqualTo(SourceTypes.Vitals));
            Assert.That(alert.SourceKey, Is.EqualTo(t120.Id.ToString("N")));
            Assert.That(alert.Severity, Is.EqualTo("medium"));
            Assert.That(alert.Message, Is.EqualTo(
                "Blood pressure 172/96 mmHg at INF3 t120, +44/+18 mmHg from 128/78 before the infusion (alert at a rise of 40 systolic or 25 diastolic)"));
        }
    }

    [Test]
    public void Evaluate_BloodPressureAfterTheInfusionWithoutPre_NoRiseJudged()
    {
        // INF1's pre is another day: INF2's values are not compared with it.
        var data = Data(vitals: [Vitals("INF1", "pre", 100, 60), Vitals("INF2", "t40", 170, 100)]);

        Assert.That(Alerts(SafetyEngine.VitalsBpRise, data), Is.Empty);
    }

    [TestCase("pre", 140, 80, true)]
    [TestCase("pre", 139, 89, false)]
    [TestCase("pre", 120, 90, true)]
    [TestCase("t40", 150, 95, false)] // after dosing: VITALS_BP and VITALS_BP_RISE watch it
    public void Evaluate_BloodPressureBeforeDosing_PredoseCheckAtOneFortyOverNinety(string timepoint, int systolic, int diastolic, bool fires)
    {
        var data = Data(vitals: [Vitals("INF2", timepoint, systolic, diastolic)]);

        Assert.That(Alerts(SafetyEngine.VitalsBpPredose, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_BloodPressureHighBeforeDosing_AlertAsksForACheckBeforeDosing()
    {
        var alert = Alerts(SafetyEngine.VitalsBpPredose, Data(vitals: [Vitals("INF4", "pre", 146, 88)])).Single();

        Assert.That(alert.Message, Is.EqualTo(
            "Blood pressure 146/88 mmHg before the infusion at INF4: check it before dosing (alert before an infusion at systolic 140 or diastolic 90 and above)"));
    }
}
