using NUnit.Framework;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>Rules judged on one record alone, each at its default threshold from the protocol file and one step inside it.</summary>
[TestFixture]
public class SafetyEngineSingleRecordRuleTests
{
    [TestCase(4, true)]
    [TestCase(3, false)]
    [TestCase(6, true)]
    public void Evaluate_MadrsItem10AroundFour_Madrs10HighOnlyAtOrAboveFour(int item10, bool fires)
    {
        var madrs = Madrs("FU-D28", item10, 20);

        var alerts = Alerts(SafetyEngine.Madrs10High, Data(madrs));

        Assert.That(alerts, Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_MadrsItem10Four_AlertNamesItemValueVisitAndThreshold()
    {
        var madrs = Madrs("FU-D28", 4, 20);

        var alert = Alerts(SafetyEngine.Madrs10High, Data(madrs)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("high"));
            Assert.That(alert.SourceType, Is.EqualTo(SourceTypes.Assessment));
            Assert.That(alert.SourceKey, Is.EqualTo(madrs.Id.ToString("N")));
            Assert.That(alert.VisitCode, Is.EqualTo("FU-D28"));
            Assert.That(alert.Message, Is.EqualTo("MADRS item 10 (suicidal thoughts) = 4 at FU-D28 (threshold 4)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string> { ["item10"] = "4", ["minItem10"] = "4" }));
        }
    }

    [Test]
    public void Evaluate_IncompleteMadrsWithItem10Five_Madrs10HighStillFires()
    {
        // Item 10 answered, another item missing: no total, but the suicidal-thoughts answer must not be ignored.
        var items = new decimal?[] { 3, 3, null, 3, 3, 3, 3, 3, 3, 5 };
        var madrs = Assessment("MADRS", "FU-D7", null, items);

        Assert.That(Alerts(SafetyEngine.Madrs10High, Data(madrs)), Has.Count.EqualTo(1));
    }

    [TestCase(5)]
    [TestCase(7)]
    [TestCase(18)]
    public void Evaluate_BslSelfHarmItemThree_BslSelfHarmFires(int item)
    {
        var bsl = Bsl("FU-D14", 0, (item, 3));

        Assert.That(Alerts(SafetyEngine.BslSelfHarm, Data(bsl)), Has.Count.EqualTo(1));
    }

    [TestCase(5)]
    [TestCase(7)]
    [TestCase(18)]
    public void Evaluate_BslSelfHarmItemTwo_NoBslSelfHarm(int item)
    {
        // Sum 50 spreads as 3 on items 1–4 and 2 on the rest, so items 5, 7 and 18 are 2 unless set.
        var bsl = Bsl("FU-D14", 50, (item, 2));

        Assert.That(Alerts(SafetyEngine.BslSelfHarm, Data(bsl)), Is.Empty);
    }

    [Test]
    public void Evaluate_BslVoicesItemFour_NotASelfHarmItemSoNoAlert()
    {
        var bsl = Bsl("FU-D14", 0, (15, 4));

        Assert.That(Alerts(SafetyEngine.BslSelfHarm, Data(bsl)), Is.Empty);
    }

    [Test]
    public void Evaluate_TwoBslSelfHarmItemsHigh_OneAlertNamingBoth()
    {
        var bsl = Bsl("FU-D28", 0, (5, 3), (18, 4));

        var alert = Alerts(SafetyEngine.BslSelfHarm, Data(bsl)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Message, Is.EqualTo(
                "BSL-23 self-harm items at FU-D28: item 5 (thought of hurting myself) = 3, item 18 (the idea of death had a certain fascination) = 4 (threshold 3)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string> { ["item5"] = "3", ["item18"] = "4", ["minItemValue"] = "3" }));
        }
    }

    [TestCase("pre", 26, true)]
    [TestCase("t40", 26, true)]
    [TestCase("t40", 25, false)]
    [TestCase("t120", 26, true)]
    public void Evaluate_CadssTotalAtInfusionTimepoint_CadssSevereFromTwentySix(string timepoint, int total, bool fires)
    {
        var cadss = Cadss("INF3", timepoint, total);

        Assert.That(Alerts(SafetyEngine.CadssSevere, Data(cadss)), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_CadssThirtyAtBaselineVisit_NotAnInfusionTimepointSoNoCadssSevere()
    {
        var cadss = Cadss("BL", null, 30);

        Assert.That(Alerts(SafetyEngine.CadssSevere, Data(cadss)), Is.Empty);
    }

    [Test]
    public void Evaluate_CadssThirtyOneAtInf3T40_MessageNamesTotalVisitAndThreshold()
    {
        var alert = Alerts(SafetyEngine.CadssSevere, Data(Cadss("INF3", "t40", 31))).Single();

        Assert.That(alert.Message, Is.EqualTo("CADSS total 31 at INF3 t40 (severe dissociation threshold 26)"));
    }

    [TestCase("t120", 5, true)]
    [TestCase("t120", 4, false)]
    [TestCase("t240", 5, true)]
    [TestCase("t40", 20, false)]
    [TestCase("pre", 5, false)]
    public void Evaluate_CadssTotalByTimepoint_CadssPersistAboveFourAtT120OrLater(string timepoint, int total, bool fires)
    {
        var cadss = Cadss("INF2", timepoint, total);

        Assert.That(Alerts(SafetyEngine.CadssPersist, Data(cadss)), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [TestCase(4)]
    [TestCase(11)]
    [TestCase(12)]
    [TestCase(15)]
    public void Evaluate_BprsPositiveItemFour_BprsPosItemFires(int item)
    {
        var bprs = Bprs("INF2", "t40", (item, 4));

        Assert.That(Alerts(SafetyEngine.BprsPosItem, Data(bprs)), Has.Count.EqualTo(1));
    }

    [TestCase(4)]
    [TestCase(11)]
    [TestCase(12)]
    [TestCase(15)]
    public void Evaluate_BprsPositiveItemThree_NoBprsPosItem(int item)
    {
        var bprs = Bprs("INF2", "t40", (item, 3));

        Assert.That(Alerts(SafetyEngine.BprsPosItem, Data(bprs)), Is.Empty);
    }

    [Test]
    public void Evaluate_BprsNonPositiveItemSeven_NoBprsPosItem()
    {
        // Item 5 (guilt feelings) is not a positive-symptom item however high it is.
        var bprs = Bprs("INF2", "t40", (5, 7));

        Assert.That(Alerts(SafetyEngine.BprsPosItem, Data(bprs)), Is.Empty);
    }

    [Test]
    public void Evaluate_BprsHallucinatoryBehaviourFive_MessageNamesItem()
    {
        var alert = Alerts(SafetyEngine.BprsPosItem, Data(Bprs("INF2", "t40", (12, 5)))).Single();

        Assert.That(alert.Message, Is.EqualTo("BPRS positive-symptom (psychosis) item at INF2 t40: item 12 (hallucinatory behaviour) = 5 (threshold 4)"));
    }

    [TestCase(180, 80, true)]
    [TestCase(179, 80, false)]
    [TestCase(120, 110, true)]
    [TestCase(120, 109, false)]
    [TestCase(179, 109, false)]
    public void Evaluate_BloodPressureAroundLimits_VitalsBpAtSystolic180OrDiastolic110(int systolic, int diastolic, bool fires)
    {
        var vitals = Vitals("INF1", "t40", systolic: systolic, diastolic: diastolic);

        Assert.That(Alerts(SafetyEngine.VitalsBp, Data(vitals: [vitals])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_SystolicAndDiastolicBothHigh_OneVitalsBpAlertForTheRecord()
    {
        var vitals = Vitals("INF1", "t40", systolic: 190, diastolic: 115);

        var alert = Alerts(SafetyEngine.VitalsBp, Data(vitals: [vitals])).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceType, Is.EqualTo(SourceTypes.Vitals));
            Assert.That(alert.SourceKey, Is.EqualTo(vitals.Id.ToString("N")));
            Assert.That(alert.Message, Is.EqualTo("Blood pressure 190/115 mmHg at INF1 t40 (alert at systolic 180 or diastolic 110 and above)"));
        }
    }

    [TestCase(120, true)]
    [TestCase(119, false)]
    [TestCase(51, false)]
    [TestCase(50, true)]
    public void Evaluate_HeartRateAroundLimits_VitalsHrAt120AndAboveOr50AndBelow(int heartRate, bool fires)
    {
        var vitals = Vitals("INF2", "t120", heartRate: heartRate);

        Assert.That(Alerts(SafetyEngine.VitalsHr, Data(vitals: [vitals])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [TestCase(91, true)]
    [TestCase(92, false)]
    public void Evaluate_Spo2AroundLimit_VitalsSpo2Below92(int spo2, bool fires)
    {
        var vitals = Vitals("INF2", "t40", spo2: spo2);

        Assert.That(Alerts(SafetyEngine.VitalsSpo2, Data(vitals: [vitals])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_Spo2NinetyOne_MessageNamesValueVisitAndLimit()
    {
        var alert = Alerts(SafetyEngine.VitalsSpo2, Data(vitals: [Vitals("INF2", "t40", spo2: 91)])).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("high"));
            Assert.That(alert.Message, Is.EqualTo("Oxygen saturation (SpO2) 91 % at INF2 t40 (alert below 92 %)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string> { ["spo2"] = "91", ["below"] = "92" }));
        }
    }
}
