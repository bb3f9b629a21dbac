using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Safety;

/// <summary>
/// Each safety rule driven through HTTP with a trajectory that matches it (and values just short of it that must not),
/// evaluated by the real Hangfire jobs: exactly the expected alerts, naming the rule, participant, visit, source record
/// and the values that fired it. The clock stays at 2026-03-10T12:00Z, so one host serves the whole fixture.
/// </summary>
public class SafetyRuleTests : WawSiteFixture
{
    private Task<string> NewParticipantAsync() => TrialHost.EnrolAsync(_investigator, "WAW");

    private Task<Guid> AssessAsync(string code, string visit, string? timepoint, string instrument, decimal?[] items) =>
        SafetyTestKit.AssessAsync(_investigator, code, visit, timepoint, instrument, items);

    private Task<JsonArray> SettledAsync(string code) => SettledAlertsAsync(_host, _monitor, code, ignoreRules: MissedVisits);

    [Test]
    public async Task Madrs10High_Item10AtThreshold_RaisesOneHighAlertAndNotBelow()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "BL", null, "MADRS", Madrs(28, item10: 3));
        var pre = await AssessAsync(code, "INF1", "pre", "MADRS", Madrs(29, item10: 4));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "MADRS10_HIGH", "high", code, "INF1", Source(pre), "MADRS item 10", "= 4", "INF1 pre", "threshold 4");
    }

    [Test]
    public async Task Madrs10Rise_FromOneToThree_RaisesOneMediumAlert()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "BL", null, "MADRS", Madrs(28, item10: 1));
        var pre = await AssessAsync(code, "INF1", "pre", "MADRS", Madrs(28, item10: 3));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "MADRS10_RISE", "medium", code, "INF1", Source(pre), "MADRS item 10", "from 1 to 3", "previous MADRS at BL");
    }

    [Test]
    public async Task BslSelfHarm_ItemsAtThree_RaiseOneAlertNamingEachItem()
    {
        var code = await NewParticipantAsync();
        var bl = await AssessAsync(code, "BL", null, "BSL23", Bsl(1, (5, 4), (7, 2), (18, 3)));
        await AssessAsync(code, "INF1", "pre", "BSL23", Bsl(1, (5, 2), (7, 2), (18, 2))); // 2 is below the threshold

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "BSL_SELFHARM", "high", code, "BL", Source(bl), "item 5", "= 4", "item 18", "= 3", "threshold 3");
        Assert.That(alerts[0]!["message"]!.GetValue<string>(), Does.Not.Contain("item 7"));
    }

    [Test]
    public async Task BslBandUp_TwoOrMoreBandsAboveBaseline_RaisesOneAlertAndOneBandDoesNot()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "BL", null, "BSL23", Bsl(1)); // mean 1: mild
        await AssessAsync(code, "INF1", "pre", "BSL23", Bsl(2, Enumerable.Range(13, 11).Select(i => (i, 1)).ToArray())); // 35/23 = 1.52: moderate, one band up
        var inf3 = await AssessAsync(code, "INF3", "pre", "BSL23", Bsl(3, (5, 2), (7, 2), (18, 2))); // 66/23 = 2.87: very high, three bands up

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "BSL_BAND_UP", "medium", code, "INF3", Source(inf3),
            "BSL-23 mean 2.8696 (very high)", "3 severity bands above", "baseline 1 (mild) at BL");
    }

    [Test]
    public async Task CadssSevere_TotalTwentySixAtT40_RaisesAndTwentyFiveDoesNot()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "BL", null, "CADSS", Cadss(30)); // not an infusion timepoint
        await AssessAsync(code, "INF1", "t40", "CADSS", Cadss(25));
        var severe = await AssessAsync(code, "INF2", "t40", "CADSS", Cadss(26));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "CADSS_SEVERE", "high", code, "INF2", Source(severe), "CADSS total 26", "INF2 t40", "threshold 26");
    }

    [Test]
    public async Task CadssPersist_TotalFiveAtT120_RaisesAndFourDoesNot()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "INF1", "t40", "CADSS", Cadss(18));
        await AssessAsync(code, "INF1", "t120", "CADSS", Cadss(4));
        await AssessAsync(code, "INF2", "t40", "CADSS", Cadss(15));
        var persisting = await AssessAsync(code, "INF2", "t120", "CADSS", Cadss(5));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "CADSS_PERSIST", "medium", code, "INF2", Source(persisting), "CADSS total 5", "INF2 t120", "above 4");
    }

    [Test]
    public async Task BprsPosItem_PositiveItemAtFour_RaisesOneAlertNamingIt()
    {
        var code = await NewParticipantAsync();
        var bl = await AssessAsync(code, "BL", null, "BPRS", Bprs((12, 4), (9, 6))); // item 9 (depressive mood) is not a BPRS+ item
        await AssessAsync(code, "INF1", "pre", "BPRS", Bprs((4, 3), (11, 3)));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "BPRS_POS_ITEM", "high", code, "BL", Source(bl), "item 12 (hallucinatory behaviour) = 4", "threshold 4");
        Assert.That(alerts[0]!["message"]!.GetValue<string>(), Does.Not.Contain("item 9"));
    }

    [Test]
    public async Task BprsPosRise_ThreeAboveSameVisitPre_RaisesAndTwoDoesNot()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "INF1", "pre", "BPRS", Bprs()); // BPRS+ 4
        var t40 = await AssessAsync(code, "INF1", "t40", "BPRS", Bprs((4, 2), (11, 2), (12, 2))); // BPRS+ 7: +3
        await AssessAsync(code, "INF1", "t120", "BPRS", Bprs((4, 2), (11, 2))); // BPRS+ 6: +2
        await AssessAsync(code, "INF2", "t40", "BPRS", Bprs((4, 3), (11, 2), (12, 2))); // BPRS+ 8, but no INF2 pre to compare with

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "BPRS_POS_RISE", "medium", code, "INF1", Source(t40),
            "BPRS+", "7 at INF1 t40", "up 3 from 4", "INF1 pre");
    }

    [Test]
    public async Task CadssSevere_OneItemLeftEmptyWithTheAnsweredItemsAboveTheThreshold_Raises()
    {
        // 22 items at 2 and item 23 empty: no total, but 44 is already far above 26 whatever item 23 was.
        var code = await NewParticipantAsync();
        var items = Filled(23, 2);
        items[22] = null;
        var t40 = await AssessAsync(code, "INF1", "t40", "CADSS", items);

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "CADSS_SEVERE", "high", code, "INF1", Source(t40), "CADSS total at least 44 (item 23 not answered)", "INF1 t40", "threshold 26");
    }

    [Test]
    public async Task SafetyScaleIncomplete_CadssWhoseEmptyItemCouldReachTheSevereThreshold_RaisesALowAlertNamingItAndTheRule()
    {
        var code = await NewParticipantAsync();
        var items = Filled(23, 1);
        items[4] = null; // 22 answered at 1: item 5 at 4 would make 26
        var t40 = await AssessAsync(code, "INF1", "t40", "CADSS", items);

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "SAFETY_SCALE_INCOMPLETE", "low", code, "INF1", Source(t40), "CADSS at INF1 t40 is incomplete (item 5 not answered)", "CADSS_SEVERE");
    }

    [Test]
    public async Task CadssPersist_AtDischargeJudgedAgainstThePreInfusionCadss()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "INF1", "pre", "CADSS", Cadss(6)); // dissociating before the drug
        await AssessAsync(code, "INF1", "t120", "CADSS", Cadss(9)); // above 4, but only 3 above pre
        var t240 = await AssessAsync(code, "INF1", "t240", "CADSS", Cadss(11)); // 5 above pre

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "CADSS_PERSIST", "medium", code, "INF1", Source(t240), "CADSS total 11 at INF1 t240", "up 5 from 6 before the infusion");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task VitalsBpRiseAndPredose_JudgedAgainstTheSameDaysPreInfusionValues(bool preEnteredLast)
    {
        var code = await NewParticipantAsync();
        Guid pre = default;
        if (!preEnteredLast) pre = await VitalsAsync(_investigator, code, "INF1", "pre", 142, 84, 72, 98); // 142 systolic: check before dosing
        await VitalsAsync(_investigator, code, "INF1", "t40", 178, 96, 80, 98); // +36/+12: no rise alert
        var t120 = await VitalsAsync(_investigator, code, "INF1", "t120", 150, 109, 80, 98); // diastolic +25
        if (preEnteredLast) pre = await VitalsAsync(_investigator, code, "INF1", "pre", 142, 84, 72, 98);

        var alerts = await SettledAsync(code);

        Assert.That(alerts.Select(Rule), Is.EquivalentTo(new[] { "VITALS_BP_RISE", "VITALS_BP_PREDOSE" }), alerts.ToJsonString());
        AssertAlert(alerts.Single(a => Rule(a) == "VITALS_BP_RISE"), "VITALS_BP_RISE", "medium", code, "INF1", Source(t120),
            "150/109 mmHg at INF1 t120", "+8/+25 mmHg from 142/84 before the infusion");
        AssertAlert(alerts.Single(a => Rule(a) == "VITALS_BP_PREDOSE"), "VITALS_BP_PREDOSE", "medium", code, "INF1", Source(pre),
            "142/84 mmHg before the infusion at INF1", "check it before dosing");
    }

    [TestCase(180, 90, 80, 98, "VITALS_BP", "high", "180/90 mmHg")]
    [TestCase(150, 110, 80, 98, "VITALS_BP", "high", "150/110 mmHg")]
    [TestCase(179, 109, 80, 98, null, null, null)]
    [TestCase(130, 80, 120, 98, "VITALS_HR", "medium", "Heart rate 120/min (too fast)")]
    [TestCase(130, 80, 50, 98, "VITALS_HR", "medium", "Heart rate 50/min (too slow)")]
    [TestCase(130, 80, 119, 98, null, null, null)]
    [TestCase(130, 80, 51, 98, null, null, null)]
    [TestCase(130, 80, 80, 91, "VITALS_SPO2", "high", "SpO2) 91 %")]
    [TestCase(130, 80, 80, 92, null, null, null)]
    public async Task Vitals_AtOrJustInsideThreshold_RaiseExactlyTheRuleOrNothing(
        int systolic, int diastolic, int heartRate, int spo2, string? rule, string? severity, string? named)
    {
        var code = await NewParticipantAsync();
        var id = await VitalsAsync(_investigator, code, "INF1", "t40", systolic, diastolic, heartRate, spo2);

        var alerts = await SettledAsync(code);

        if (rule is null)
        {
            Assert.That(alerts, Is.Empty, alerts.ToJsonString());
            return;
        }
        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], rule, severity!, code, "INF1", Source(id), named!, "INF1 t40");
    }

    [Test]
    public async Task MadrsWorse_TotalAtOnePointTwoTimesBaselineAfterInf1_RaisesOnlyThere()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "BL", null, "MADRS", Madrs(25, item10: 1));
        await AssessAsync(code, "INF1", "pre", "MADRS", Madrs(35, item10: 1)); // before treatment: not a worsening on it
        var post24 = await AssessAsync(code, "POST24", null, "MADRS", Madrs(30, item10: 1)); // 1.2 × 25
        await AssessAsync(code, "INF2", "pre", "MADRS", Madrs(29, item10: 1));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "MADRS_WORSE", "medium", code, "POST24", Source(post24),
            "MADRS total 30 at POST24", "baseline 25 at BL", "= 30");
    }

    [Test]
    public async Task SuicidalityEscalating_Item10RisingAtTwoConsecutiveVisitsAfterInf1_RaisesOneHighAlert()
    {
        var code = await NewParticipantAsync();
        await AssessAsync(code, "BL", null, "MADRS", Madrs(28, item10: 0));
        await AssessAsync(code, "INF1", "pre", "MADRS", Madrs(27, item10: 1)); // a rise before any infusion does not count
        await AssessAsync(code, "POST24", null, "MADRS", Madrs(22, item10: 2));
        var inf2 = await AssessAsync(code, "INF2", "pre", "MADRS", Madrs(22, item10: 3));

        var alerts = await SettledAsync(code);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "SUICIDALITY_ESCALATING", "high", code, "INF2", Source(inf2),
            "MADRS item 10", "1 at INF1 pre → 2 at POST24 → 3 at INF2 pre");
    }
}
