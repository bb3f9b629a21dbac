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
        var result = Scorer.Score(Bsl, TestItems.Filled(23, 0));

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
        var result = Scorer.Score(Bsl, TestItems.Filled(23, 4));

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
        var result = Scorer.Score(Bsl, TestItems.WithSum(23, answered, 4, sum));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores["mean"], Is.EqualTo(mean));
            Assert.That(result.SeverityBand, Is.EqualTo(band));
        }
    }

    [Test]
    public void Score_AllAnswered_ReportsSum()
    {
        var result = Scorer.Score(Bsl, TestItems.WithSum(23, 23, 4, 43));

        Assert.That(result.Scores["sum"], Is.EqualTo(43m));
    }

    [Test]
    public void Score_TwoMissing_CompleteMeanOverTwentyOneWithoutSum()
    {
        // 40 over the 21 answered items = 1.90476… (high); over all 23 it would be 1.739 (moderate).
        decimal?[] items = [4, null, 4, 4, null, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var result = Scorer.Score(Bsl, items);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["mean"] = 1.9048m }));
            Assert.That(result.SeverityBand, Is.EqualTo("high"));
        }
    }

    [Test]
    public void Score_ThreeMissing_IncompleteWithoutScoresOrBand()
    {
        var result = Scorer.Score(Bsl, TestItems.WithSum(23, 20, 4, 40));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.Empty);
            Assert.That(result.SeverityBand, Is.Null);
        }
    }
}
