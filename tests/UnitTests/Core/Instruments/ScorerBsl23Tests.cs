using System.Globalization;
using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ScorerBsl23Tests
{
    private static readonly InstrumentDefinition Bsl = InstrumentCatalog.Get(InstrumentCatalog.Bsl23);

    [Test]
    public void Score_AllZero_MeanAndSumZeroNoneLow()
    {
        var result = Scorer.Score(Bsl, ItemBuilder.Filled(23, 0));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["mean"] = 0m, ["sum"] = 0m }));
            Assert.That(result.SeverityBand, Is.EqualTo("none/low"));
        }
    }

    [Test]
    public void Score_AllFour_MeanFourSumNinetyTwoExtremelyHigh()
    {
        var result = Scorer.Score(Bsl, ItemBuilder.Filled(23, 4));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["mean"] = 4m, ["sum"] = 92m }));
            Assert.That(result.SeverityBand, Is.EqualTo("extremely high"));
        }
    }

    // With 21–23 answered items no mean lands exactly on a threshold (that needs 25 or 100 items), so each
    // edge uses the achievable mean closest below and closest at-or-above it.
    [TestCase(22, 6, "0.2727", "none/low")]        // 6/22 = 0.27272…
    [TestCase(21, 6, "0.2857", "mild")]            // 6/21 = 0.28571…
    [TestCase(21, 22, "1.0476", "mild")]           // 22/21 = 1.04761…
    [TestCase(23, 25, "1.0870", "moderate")]       // 25/23 = 1.08695…
    [TestCase(23, 43, "1.8696", "moderate")]       // 43/23 = 1.86956…, rounds to 1.8696 but stays below 1.87
    [TestCase(21, 40, "1.9048", "high")]           // 40/21 = 1.90476…
    [TestCase(21, 56, "2.6667", "high")]           // 56/21 = 2.66666…
    [TestCase(22, 59, "2.6818", "very high")]      // 59/22 = 2.68181…
    [TestCase(22, 76, "3.4545", "very high")]      // 76/22 = 3.45454…
    [TestCase(21, 73, "3.4762", "extremely high")] // 73/21 = 3.47619…
    public void Score_MeanNextToBandThreshold_MeanRoundedToFourPlacesAndBand(int answered, int sum, decimal mean, string band)
    {
        var result = Scorer.Score(Bsl, ItemBuilder.WithSum(23, answered, 4, sum));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores["mean"], Is.EqualTo(mean));
            Assert.That(result.SeverityBand, Is.EqualTo(band));
        }
    }

    [Test]
    public void Score_AllAnswered_SumIsThePlainSumWithoutDecimals()
    {
        var result = Scorer.Score(Bsl, ItemBuilder.WithSum(23, 23, 4, 43));

        // Compared as text too: 43.0000 equals 43 as a decimal but would show as 43.0000 in the API and the extracts.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Scores["sum"], Is.EqualTo(43m));
            Assert.That(result.Scores["sum"].ToString(CultureInfo.InvariantCulture), Is.EqualTo("43"));
        }
    }

    [Test]
    public void Score_OneMissing_SumProratedToTwentyThreeItems()
    {
        // 59 over 22 answered items: 59 × 23 / 22 = 61.68181…; the plain sum of the answers would be 59.
        var result = Scorer.Score(Bsl, ItemBuilder.WithSum(23, 22, 4, 59));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["mean"] = 2.6818m, ["sum"] = 61.6818m }));
        }
    }

    [Test]
    public void Score_TwoMissing_CompleteMeanAndSumProratedOverTwentyOne()
    {
        // 40 over the 21 answered items = 1.90476… (high); over all 23 it would be 1.739 (moderate).
        // Sum prorated to 23 items: 40 × 23 / 21 = 43.80952…
        decimal?[] items = [4, null, 4, 4, null, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var result = Scorer.Score(Bsl, items);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["mean"] = 1.9048m, ["sum"] = 43.8095m }));
            Assert.That(result.SeverityBand, Is.EqualTo("high"));
        }
    }

    [Test]
    public void Score_ThreeMissing_IncompleteWithoutScoresOrBand()
    {
        var result = Scorer.Score(Bsl, ItemBuilder.WithSum(23, 20, 4, 40));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.Empty);
            Assert.That(result.SeverityBand, Is.Null);
        }
    }
}
