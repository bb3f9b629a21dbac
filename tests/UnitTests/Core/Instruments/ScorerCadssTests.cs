using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ScorerCadssTests
{
    private static readonly InstrumentDefinition Cadss = InstrumentCatalog.Get(InstrumentCatalog.Cadss);

    [Test]
    public void Score_AllZero_AllScoresZeroNoBand()
    {
        var result = Scorer.Score(Cadss, ItemBuilder.Filled(23, 0));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal>
            {
                ["total"] = 0m, ["depersonalization"] = 0m, ["derealization"] = 0m, ["amnesia"] = 0m,
            }));
            Assert.That(result.SeverityBand, Is.Null);
        }
    }

    [Test]
    public void Score_AllFour_TotalNinetyTwoAndSubscaleMaxima()
    {
        var result = Scorer.Score(Cadss, ItemBuilder.Filled(23, 4));

        // 7, 12 and 4 items at 4 each.
        Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal>
        {
            ["total"] = 92m, ["depersonalization"] = 28m, ["derealization"] = 48m, ["amnesia"] = 16m,
        }));
    }

    [Test]
    public void Score_DistinctValuePerSubscale_SubscaleSums()
    {
        // Depersonalization items (3–7, 20, 21) = 1, derealization items (1, 2, 8–13, 16–19) = 2, amnesia items (14, 15, 22, 23) = 3.
        decimal?[] items = [2, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 2, 2, 2, 2, 1, 1, 3, 3];

        var result = Scorer.Score(Cadss, items);

        Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal>
        {
            ["total"] = 43m, ["depersonalization"] = 7m, ["derealization"] = 24m, ["amnesia"] = 12m,
        }));
    }

    [TestCase(3, "depersonalization")]
    [TestCase(7, "depersonalization")]
    [TestCase(20, "depersonalization")]
    [TestCase(21, "depersonalization")]
    [TestCase(1, "derealization")]
    [TestCase(2, "derealization")]
    [TestCase(8, "derealization")]
    [TestCase(13, "derealization")]
    [TestCase(16, "derealization")]
    [TestCase(19, "derealization")]
    [TestCase(14, "amnesia")]
    [TestCase(15, "amnesia")]
    [TestCase(22, "amnesia")]
    [TestCase(23, "amnesia")]
    public void Score_SingleItemRated_CountsOnlyInItsSubscale(int item, string subscale)
    {
        var result = Scorer.Score(Cadss, ItemBuilder.With(ItemBuilder.Filled(23, 0), item, 4));

        var expected = new Dictionary<string, decimal>
        {
            ["total"] = 4m, ["depersonalization"] = 0m, ["derealization"] = 0m, ["amnesia"] = 0m,
        };
        expected[subscale] = 4m;
        Assert.That(result.Scores, Is.EqualTo(expected));
    }

    [TestCase(14, "amnesia")]
    [TestCase(23, "amnesia")]
    [TestCase(3, "depersonalization")]
    [TestCase(21, "depersonalization")]
    [TestCase(1, "derealization")]
    [TestCase(19, "derealization")]
    public void Score_OneItemMissing_IncompleteWithoutTotalOrItsSubscaleButWithTheOtherSubscales(int missingItem, string subscale)
    {
        var result = Scorer.Score(Cadss, ItemBuilder.With(ItemBuilder.Filled(23, 2), missingItem, null));

        // All 2: depersonalization 7 items, derealization 12, amnesia 4.
        var expected = new Dictionary<string, decimal> { ["depersonalization"] = 14m, ["derealization"] = 24m, ["amnesia"] = 8m };
        expected.Remove(subscale);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.EqualTo(expected));
        }
    }

    [Test]
    public void Score_OneItemOfEachSubscaleMissing_NoScores()
    {
        decimal?[] items = [.. ItemBuilder.Filled(23, 2)];
        items[1 - 1] = null;
        items[3 - 1] = null;
        items[14 - 1] = null;

        var result = Scorer.Score(Cadss, items);

        Assert.That(result.Scores, Is.Empty);
    }
}
