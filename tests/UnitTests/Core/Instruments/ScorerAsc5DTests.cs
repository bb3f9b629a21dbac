using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ScorerAsc5DTests
{
    private static readonly InstrumentDefinition Asc = InstrumentCatalog.Get(InstrumentCatalog.Asc5D);

    private static readonly string[] AllKeys =
    [
        "OB", "DED", "VR", "AA", "VIR", "unity", "spiritualExperience", "blissfulState", "insightfulness", "disembodiment",
        "impairedControlCognition", "anxiety", "complexImagery", "elementaryImagery", "audioVisualSynesthesia", "changedMeaningOfPercepts",
    ];

    [TestCase(0)]
    [TestCase(100)]
    [TestCase(55.5)]
    public void Score_AllItemsEqual_EveryScoreIsThatValue(decimal value)
    {
        var result = Scorer.Score(Asc, ItemBuilder.Filled(94, value));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores.Keys, Is.EquivalentTo(AllKeys));
            Assert.That(result.Scores.Values, Has.All.EqualTo(value));
            Assert.That(result.SeverityBand, Is.Null);
        }
    }

    [Test]
    public void Score_EachItemRatedItsOwnNumber_MeansOfTheListedItems()
    {
        // Item N rated N, so each score is the mean of its item numbers, e.g. OB = 1294 / 27 = 47.92592…
        var items = Enumerable.Range(1, 94).Select(n => (decimal?)n).ToArray();

        var result = Scorer.Score(Asc, items);

        Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal>
        {
            ["OB"] = 47.9259m,                      // 1294 / 27
            ["DED"] = 52.9048m,                     // 1111 / 21
            ["VR"] = 48.7778m,                      // 878 / 18
            ["AA"] = 45.3125m,                      // 725 / 16
            ["VIR"] = 38.0833m,                     // 457 / 12
            ["unity"] = 37.4m,                      // 187 / 5
            ["spiritualExperience"] = 61.3333m,     // 184 / 3
            ["blissfulState"] = 63m,                // 189 / 3
            ["insightfulness"] = 65.3333m,          // 196 / 3
            ["disembodiment"] = 50.3333m,           // 151 / 3
            ["impairedControlCognition"] = 47m,     // 329 / 7
            ["anxiety"] = 51.6667m,                 // 310 / 6
            ["complexImagery"] = 64.3333m,          // 193 / 3
            ["elementaryImagery"] = 23m,            // 69 / 3
            ["audioVisualSynesthesia"] = 39.3333m,  // 118 / 3
            ["changedMeaningOfPercepts"] = 37.6667m, // 113 / 3
        }));
    }

    [Test]
    public void Score_MeanOnAFourPlaceMidpoint_RoundsAwayFromZero()
    {
        // AA items: fifteen at 6.2 and one at 7.1, sum 100.1, mean 6.25625 exactly -> 6.2563 (banker's rounding would give 6.2562).
        var items = ItemBuilder.Filled(94, 0);
        var aaItems = new[] { 4, 5, 11, 13, 19, 25, 30, 48, 49, 55, 65, 66, 74, 76, 92, 93 };
        foreach (var item in aaItems)
        {
            items[item - 1] = 6.2m;
        }

        items[93 - 1] = 7.1m;

        var result = Scorer.Score(Asc, items);

        Assert.That(result.Scores["AA"], Is.EqualTo(6.2563m));
    }

    [Test]
    public void Score_VigilanceItemMissing_OnlyVigilanceReductionAbsent()
    {
        // Item 2 belongs to VIR and to none of the 11-ASC scales.
        var result = Scorer.Score(Asc, ItemBuilder.With(ItemBuilder.Filled(94, 40), 2, null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores.Keys, Is.EquivalentTo(AllKeys.Where(k => k != "VIR")));
            Assert.That(result.Scores.Values, Has.All.EqualTo(40m));
        }
    }

    [Test]
    public void Score_Item72Missing_VisionaryRestructuralizationAndComplexImageryAbsent()
    {
        var result = Scorer.Score(Asc, ItemBuilder.With(ItemBuilder.Filled(94, 10.5m), 72, null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores.Keys, Is.EquivalentTo(AllKeys.Where(k => k is not ("VR" or "complexImagery"))));
        }
    }

    [Test]
    public void Score_OneDecimalItems_ExactMean()
    {
        // Unity items 18, 34, 41, 42, 52 = 55.5, 60.1, 0, 100, 12.3: sum 227.9, mean 45.58.
        var items = ItemBuilder.Filled(94, 0);
        items[18 - 1] = 55.5m;
        items[34 - 1] = 60.1m;
        items[41 - 1] = 0m;
        items[42 - 1] = 100m;
        items[52 - 1] = 12.3m;

        var result = Scorer.Score(Asc, items);

        Assert.That(result.Scores["unity"], Is.EqualTo(45.58m));
    }

    [Test]
    public void Score_AllMissing_IncompleteWithNoScores()
    {
        var result = Scorer.Score(Asc, new decimal?[94]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.Empty);
        }
    }
}
