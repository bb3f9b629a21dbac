using NUnit.Framework;
using Trial.Core.Instruments;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>Rules that compare a record with another one: the previous MADRS, the baseline, the same visit's pre.</summary>
[TestFixture]
public class SafetyEngineTrendRuleTests
{
    [TestCase(1, 3, true)]
    [TestCase(1, 2, false)]
    [TestCase(0, 2, true)]
    [TestCase(3, 1, false)]
    public void Evaluate_Item10AgainstPreviousMadrs_Madrs10RiseFromARiseOfTwo(int previous, int current, bool fires)
    {
        var data = Data(Madrs("FU-D14", previous, 15), Madrs("FU-D28", current, 15));

        Assert.That(Alerts(SafetyEngine.Madrs10Rise, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_Item10RoseOneToFour_AlertNamesBothValuesAndThePreviousVisit()
    {
        var current = Madrs("FU-D28", 4, 20);
        var data = Data(Madrs("FU-D14", 1, 15), current);

        var alert = Alerts(SafetyEngine.Madrs10Rise, data).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("medium"));
            Assert.That(alert.SourceKey, Is.EqualTo(Key(current)));
            Assert.That(alert.VisitCode, Is.EqualTo("FU-D28"));
            Assert.That(alert.Message, Is.EqualTo(
                "MADRS item 10 (suicidal thoughts) rose from 1 to 4 at FU-D28 (previous MADRS at FU-D14; threshold: a rise of 2)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string> { ["item10"] = "4", ["previous"] = "1", ["rise"] = "3", ["minRise"] = "2" }));
        }
    }

    [Test]
    public void Evaluate_RiseOnlyAgainstAnOlderMadrs_NoRiseAlertForTheLatest()
    {
        // BL 1 -> INF1 pre 3 is a rise of 2 (alert on INF1 pre); POST24 3 is no rise against its previous, INF1 pre,
        // although it is 2 above the older BL.
        var inf1 = Madrs("INF1", 3, 28);
        var data = Data(Madrs("BL", 1, 28), inf1, Madrs("POST24", 3, 20));

        var alerts = Alerts(SafetyEngine.Madrs10Rise, data);

        Assert.That(alerts.Select(a => a.SourceKey), Is.EqualTo(new[] { Key(inf1) }));
    }

    [Test]
    public void Evaluate_PreviousMadrsLacksItem10_ComparedWithTheLatestMadrsThatAnsweredIt()
    {
        // 1 -> (item 10 missing) -> 3: the rise of 2 is measured against FU-D7, and the alert says so.
        var current = Madrs("FU-D28", 3, 15);
        var data = Data(Madrs("FU-D7", 1, 15), MadrsWithoutItem10("FU-D14"), current);

        var alert = Alerts(SafetyEngine.Madrs10Rise, data).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceKey, Is.EqualTo(Key(current)));
            Assert.That(alert.Message, Is.EqualTo(
                "MADRS item 10 (suicidal thoughts) rose from 1 to 3 at FU-D28 (previous MADRS at FU-D7; item 10 was not answered at FU-D14; threshold: a rise of 2)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string> { ["item10"] = "3", ["previous"] = "1", ["rise"] = "2", ["minRise"] = "2" }));
        }
    }

    [Test]
    public void Evaluate_TwoMadrsLackItem10_ComparedWithTheOneBeforeBoth()
    {
        var current = Madrs("FU-M3", 2, 15);
        var data = Data(Madrs("FU-D7", 0, 15), MadrsWithoutItem10("FU-D14"), MadrsWithoutItem10("FU-D28"), current);

        var alert = Alerts(SafetyEngine.Madrs10Rise, data).Single();

        Assert.That(alert.Message, Does.Contain("(previous MADRS at FU-D7; item 10 was not answered at FU-D14, FU-D28;"));
    }

    [Test]
    public void Evaluate_MadrsLacksItem10AfterARise_LaterMadrsComparedWithTheLatestAnsweredNotAnOlderOne()
    {
        // FU-D14 (2) is the latest answered before FU-M3 (3): a rise of 1, although FU-M3 is 3 above FU-D7.
        var fuD14 = Madrs("FU-D14", 2, 15);
        var data = Data(Madrs("FU-D7", 0, 15), fuD14, MadrsWithoutItem10("FU-D28"), Madrs("FU-M3", 3, 15));

        Assert.That(Alerts(SafetyEngine.Madrs10Rise, data).Select(a => a.SourceKey), Is.EqualTo(new[] { Key(fuD14) }));
    }

    [Test]
    public void Evaluate_TwoMadrsAtTheSameInstant_ProtocolVisitOrderDecidesWhichIsPrevious()
    {
        // Same timestamp (e.g. entered without a time); FU-D14 comes before FU-D28 in the protocol, whatever the input
        // order, and whatever the ids (these would sort FU-D28 first).
        var instant = At("FU-D28", null);
        var later = Madrs("FU-D28", 3, 15, instant) with { Id = new Guid("00000000-0000-0000-0000-000000000001") };
        var earlier = Madrs("FU-D14", 1, 15, instant) with { Id = new Guid("ffffffff-0000-0000-0000-000000000000") };
        var data = Data(later, earlier);

        var alert = Alerts(SafetyEngine.Madrs10Rise, data).Single();

        Assert.That(alert.SourceKey, Is.EqualTo(Key(later)));
    }

    [Test]
    public void Evaluate_Item10OneTwoThreeAfterInf1_SuicidalityEscalatingOnTheThird()
    {
        var third = Madrs("INF3", 3, 20);
        var data = Data(Madrs("POST24", 1, 20), Madrs("INF2", 2, 20), third);

        var alert = Alerts(SafetyEngine.SuicidalityEscalating, data).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("high"));
            Assert.That(alert.SourceKey, Is.EqualTo(Key(third)));
            Assert.That(alert.VisitCode, Is.EqualTo("INF3"));
            Assert.That(alert.Message, Is.EqualTo(
                "MADRS item 10 (suicidal thoughts) rose at 2 consecutive MADRS assessments after treatment began: 1 at POST24 → 2 at INF2 pre → 3 at INF3 pre"));
            Assert.That(alert.Values["sequence"], Is.EqualTo("1,2,3"));
        }
    }

    [Test]
    public void Evaluate_Item10MissingWithinTheRun_SuicidalityEscalatingOverTheMadrsThatAnsweredIt()
    {
        var fourth = Madrs("INF4", 3, 20);
        var data = Data(Madrs("POST24", 1, 20), Madrs("INF2", 2, 20), MadrsWithoutItem10("INF3"), fourth);

        var alert = Alerts(SafetyEngine.SuicidalityEscalating, data).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceKey, Is.EqualTo(Key(fourth)));
            Assert.That(alert.Message, Is.EqualTo(
                "MADRS item 10 (suicidal thoughts) rose at 2 consecutive MADRS assessments after treatment began: 1 at POST24 → 2 at INF2 pre → 3 at INF4 pre (item 10 was not answered at INF3 pre)"));
            Assert.That(alert.Values["sequence"], Is.EqualTo("1,2,3"));
        }
    }

    [Test]
    public void Evaluate_Item10MissingBetweenAFlatStep_NoSuicidalityEscalating()
    {
        var data = Data(Madrs("POST24", 1, 20), Madrs("INF2", 2, 20), MadrsWithoutItem10("INF3"), Madrs("INF4", 2, 20));

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data), Is.Empty);
    }

    [Test]
    public void Evaluate_Item10OneTwoTwo_NoSuicidalityEscalating()
    {
        var data = Data(Madrs("POST24", 1, 20), Madrs("INF2", 2, 20), Madrs("INF3", 2, 20));

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data), Is.Empty);
    }

    [Test]
    public void Evaluate_RisesSeparatedByAFlatStep_NoSuicidalityEscalating()
    {
        var data = Data(Madrs("POST24", 1, 20), Madrs("INF2", 2, 20), Madrs("INF3", 2, 20), Madrs("INF4", 3, 20));

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data), Is.Empty);
    }

    [Test]
    public void Evaluate_RunStartingFromInf1Pre_SuicidalityEscalating()
    {
        // The starting point may be pre-treatment; both rises (to POST24 and to INF2) are after INF1.
        var third = Madrs("INF2", 3, 20);
        var data = Data(Madrs("BL", 1, 20), Madrs("INF1", 1, 20), Madrs("POST24", 2, 20), third);

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data).Select(a => a.SourceKey), Is.EqualTo(new[] { Key(third) }));
    }

    [Test]
    public void Evaluate_OneOfTheRisesIsFromBaselineToInf1Pre_NoSuicidalityEscalating()
    {
        // BL 1 -> INF1 pre 2 is a rise before any infusion, so only one rise (to POST24) counts.
        var data = Data(Madrs("BL", 1, 20), Madrs("INF1", 2, 20), Madrs("POST24", 3, 20));

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data), Is.Empty);
    }

    [Test]
    public void Evaluate_RunKeepsClimbing_SuicidalityEscalatingOnEachAssessmentThatCompletesTwoRises()
    {
        var third = Madrs("FU-D14", 2, 20);
        var fourth = Madrs("FU-D28", 3, 20);
        var data = Data(Madrs("INF4", 0, 20), Madrs("FU-D7", 1, 20), third, fourth);

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data).Select(a => a.SourceKey), Is.EqualTo(new[] { Key(third), Key(fourth) }));
    }

    [Test]
    public void Evaluate_ThreeConsecutiveRisesConfigured_TwoRisesDoNotFire()
    {
        var protocol = WithRule(SafetyEngine.SuicidalityEscalating, r => WithParameter(r, "consecutiveRises", 3));
        var data = Data(Madrs("POST24", 1, 20), Madrs("INF2", 2, 20), Madrs("INF3", 3, 20));

        Assert.That(Alerts(SafetyEngine.SuicidalityEscalating, data, protocol: protocol), Is.Empty);
    }

    [TestCase(30, true)]
    [TestCase(29, false)]
    public void Evaluate_MadrsTotalAgainstBlBaselineOf25_MadrsWorseFrom30(int total, bool fires)
    {
        // 1.2 × 25 = 30.
        var data = Data(Madrs("BL", 1, 25), Madrs("INF1", 1, 24), Madrs("FU-D28", 1, total));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [TestCase(29, true)]
    [TestCase(28, false)]
    public void Evaluate_ThresholdNotAWholeNumber_MadrsWorseAtOrAboveTheExactProduct(int total, bool fires)
    {
        // 1.2 × 24 = 28.8: 29 is worse, 28 is not.
        var data = Data(Madrs("BL", 1, 24), Madrs("FU-D14", 1, total));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [TestCase(24, true)]
    [TestCase(23, false)]
    public void Evaluate_NoBlMadrs_Inf1PreIsTheBaseline(int total, bool fires)
    {
        // 1.2 × 20 = 24.
        var data = Data(Madrs("INF1", 1, 20), Madrs("POST24", 1, total));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_BlAndInf1PreBothPresent_BlIsTheBaseline()
    {
        // Against INF1 pre (threshold 12) 29 would be worse; against BL (threshold 30) it is not.
        var data = Data(Madrs("BL", 1, 25), Madrs("INF1", 1, 10), Madrs("FU-D14", 1, 29));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Is.Empty);
    }

    [Test]
    public void Evaluate_Inf1PreWorseThanBl_NotAfterTheFirstInfusionSoNoMadrsWorse()
    {
        var data = Data(Madrs("BL", 1, 20), Madrs("INF1", 1, 30));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Is.Empty);
    }

    [Test]
    public void Evaluate_MadrsWorseAtFuD28_MessageNamesTotalBaselineAndThreshold()
    {
        var alert = Alerts(SafetyEngine.MadrsWorse, Data(Madrs("BL", 1, 25), Madrs("FU-D28", 1, 31))).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Message, Is.EqualTo("MADRS total 31 at FU-D28 is worse than baseline 25 at BL (threshold 1.2 × baseline = 30)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string>
            {
                ["total"] = "31", ["baseline"] = "25", ["minRatioToBaseline"] = "1.2", ["threshold"] = "30",
            }));
        }
    }

    [Test]
    public void Evaluate_BaselineTotalZero_NoRatioSoNoMadrsWorse()
    {
        // 1.2 × 0 = 0 would call every later MADRS, even another 0, "worse".
        var data = Data(Madrs("BL", 0, 0), Madrs("FU-D7", 0, 0), Madrs("FU-D14", 1, 5));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Is.Empty);
    }

    [Test]
    public void Evaluate_NoBaselineMadrs_NoMadrsWorse()
    {
        var data = Data(Madrs("POST24", 1, 10), Madrs("FU-D28", 1, 40));

        Assert.That(Alerts(SafetyEngine.MadrsWorse, data), Is.Empty);
    }

    [TestCase(3, 6, true)]
    [TestCase(3, 5, false)]
    public void Evaluate_BprsPositiveAtT40AgainstSameVisitPre_BprsPosRiseFromPlusThree(int item12Pre, int item12T40, bool fires)
    {
        // Pre BPRS+ = 1 + 1 + item12 + 1; the t40 differs only in item 12.
        var data = Data(Bprs("INF2", "pre", (12, item12Pre)), Bprs("INF2", "t40", (12, item12T40)));

        Assert.That(Alerts(SafetyEngine.BprsPosRise, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_BprsPositiveRiseAtT120_MessageNamesBothValuesAndTheRise()
    {
        var t120 = BprsPositive("INF3", "t120", 3, 3, 3, 2);
        var data = Data(BprsPositive("INF3", "pre", 2, 2, 1, 3), t120);

        var alert = Alerts(SafetyEngine.BprsPosRise, data).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceKey, Is.EqualTo(Key(t120)));
            Assert.That(alert.Message, Is.EqualTo(
                "BPRS positive symptoms (BPRS+) 11 at INF3 t120, up 3 from 8 before the infusion at INF3 pre (threshold: a rise of 3)"));
        }
    }

    [Test]
    public void Evaluate_BprsMissingItemsOutsideBprsPlus_BprsPosRiseStillFires()
    {
        // Pre lacks item 1, t40 lacks item 2: neither has a total, but both have BPRS+ (4 before, 9 after).
        var pre = BprsWithout(1, Bprs("INF2", "pre"));
        var t40 = BprsWithout(2, BprsPositive("INF2", "t40", 1, 1, 6, 1));

        var alert = Alerts(SafetyEngine.BprsPosRise, Data(pre, t40)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceKey, Is.EqualTo(Key(t40)));
            Assert.That(alert.Values["positive"], Is.EqualTo("9"));
            Assert.That(alert.Values["prePositive"], Is.EqualTo("4"));
        }
    }

    [Test]
    public void Evaluate_RiseOnlyAgainstAnotherVisitsPre_NoBprsPosRise()
    {
        // INF1 pre BPRS+ 4; INF2 pre 6 and t40 8: +2 within INF2, though +4 against INF1 pre.
        var data = Data(
            BprsPositive("INF1", "pre", 1, 1, 1, 1),
            BprsPositive("INF2", "pre", 2, 1, 2, 1),
            BprsPositive("INF2", "t40", 2, 2, 3, 1));

        Assert.That(Alerts(SafetyEngine.BprsPosRise, data), Is.Empty);
    }

    [Test]
    public void Evaluate_VisitHasNoPreBprs_NoBprsPosRise()
    {
        var data = Data(BprsPositive("INF1", "pre", 1, 1, 1, 1), BprsPositive("INF2", "t40", 3, 3, 3, 1));

        Assert.That(Alerts(SafetyEngine.BprsPosRise, data), Is.Empty);
    }

    [Test]
    public void Evaluate_BprsRiseAtT240_NotARuleTimepointSoNoBprsPosRise()
    {
        var data = Data(BprsPositive("INF2", "pre", 1, 1, 1, 1), BprsPositive("INF2", "t240", 3, 3, 3, 1));

        Assert.That(Alerts(SafetyEngine.BprsPosRise, data), Is.Empty);
    }

    // BL sum 10: mean 0.4348, mild (band 1). 44/23 = 1.9130 is high (band 3); 43/23 = 1.8696 is still moderate (band 2),
    // just under the 1.87 edge.
    [TestCase(44, true)]
    [TestCase(43, false)]
    public void Evaluate_BslMeanAgainstMildBaseline_BslBandUpAtTwoBands(int sum, bool fires)
    {
        var data = Data(Bsl("BL", 10), Bsl("INF1", 12), Bsl("FU-D14", sum));

        Assert.That(Alerts(SafetyEngine.BslBandUp, data), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_BslTwoBandsUp_MessageNamesMeansBandsAndBaseline()
    {
        var fu = Bsl("FU-D14", 44);
        var alert = Alerts(SafetyEngine.BslBandUp, Data(Bsl("BL", 10), fu)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.SourceKey, Is.EqualTo(Key(fu)));
            Assert.That(alert.Message, Is.EqualTo(
                "BSL-23 mean 1.913 (high) at FU-D14 is 2 severity bands above baseline 0.4348 (mild) at BL (threshold 2 bands)"));
        }
    }

    [Test]
    public void Evaluate_NoBlBsl_Inf1PreIsTheBaseline()
    {
        // INF1 pre sum 30: 1.3043, moderate (band 2). FU-D7 sum 62: 2.6957, very high (band 4) fires; FU-D14 sum 61:
        // 2.6522, high (band 3) does not.
        var fires = Bsl("FU-D7", 62);
        var data = Data(Bsl("INF1", 30), fires, Bsl("FU-D14", 61));

        Assert.That(Alerts(SafetyEngine.BslBandUp, data).Select(a => a.SourceKey), Is.EqualTo(new[] { Key(fires) }));
    }

    [Test]
    public void Evaluate_NoBaselineBsl_NoBslBandUp()
    {
        var data = Data(Bsl("FU-D7", 0), Bsl("FU-D14", 80));

        Assert.That(Alerts(SafetyEngine.BslBandUp, data), Is.Empty);
    }

    [Test]
    public void Evaluate_ZeroBandsRequired_BaselineItselfStillDoesNotFire()
    {
        var protocol = WithRule(SafetyEngine.BslBandUp, r => WithParameter(r, "minBandsAboveBaseline", 0));
        var later = Bsl("FU-D7", 10);
        var data = Data(Bsl("BL", 10), later);

        Assert.That(Alerts(SafetyEngine.BslBandUp, data, protocol: protocol).Select(a => a.SourceKey), Is.EqualTo(new[] { Key(later) }));
    }

    /// <summary>The same BPRS with one item unanswered, scored again as production would score it.</summary>
    private static AssessmentFact BprsWithout(int item, AssessmentFact bprs)
    {
        var items = bprs.Items.ToArray();
        items[item - 1] = null;
        return Assessment(InstrumentCatalog.Bprs, bprs.VisitCode, bprs.Timepoint, items);
    }
}
