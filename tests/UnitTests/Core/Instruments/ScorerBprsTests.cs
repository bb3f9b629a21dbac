using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ScorerBprsTests
{
    private static readonly InstrumentDefinition Bprs = InstrumentCatalog.Get(InstrumentCatalog.Bprs);

    [Test]
    public void Score_AllOne_TotalEighteenPositiveFour()
    {
        var result = Scorer.Score(Bprs, ItemBuilder.Filled(18, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["total"] = 18m, ["positive"] = 4m }));
            Assert.That(result.SeverityBand, Is.Null);
        }
    }

    [Test]
    public void Score_AllSeven_TotalOneHundredTwentySixPositiveTwentyEight()
    {
        var result = Scorer.Score(Bprs, ItemBuilder.Filled(18, 7));

        Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["total"] = 126m, ["positive"] = 28m }));
    }

    [Test]
    public void Score_PositiveItemsRated_PositiveIsItems4Plus11Plus12Plus15()
    {
        // Items 4, 11, 12, 15 = 2, 3, 5, 7 (BPRS+ 17); items 3 and 16 = 6 to show neighbours are not counted; the rest 1.
        decimal?[] items = [1, 1, 6, 2, 1, 1, 1, 1, 1, 1, 3, 5, 1, 1, 7, 6, 1, 1];

        var result = Scorer.Score(Bprs, items);

        // Total: 17 + 6 + 6 + 12 items at 1 = 41.
        Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["total"] = 41m, ["positive"] = 17m }));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(18)]
    public void Score_ItemOutsideBprsPlusMissing_IncompleteWithoutTotalButWithPositive(int missingItem)
    {
        // BPRS+ stands on items 4, 11, 12 and 15 alone, so a gap elsewhere must not hide it from the safety rules.
        var result = Scorer.Score(Bprs, ItemBuilder.With(ItemBuilder.Filled(18, 4), missingItem, null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["positive"] = 16m }));
        }
    }

    [TestCase(4)]
    [TestCase(11)]
    [TestCase(12)]
    [TestCase(15)]
    public void Score_BprsPlusItemMissing_IncompleteWithoutTotalOrPositive(int missingItem)
    {
        var result = Scorer.Score(Bprs, ItemBuilder.With(ItemBuilder.Filled(18, 4), missingItem, null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.Empty);
        }
    }
}
