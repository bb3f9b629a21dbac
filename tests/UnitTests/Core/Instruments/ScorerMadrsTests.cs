using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ScorerMadrsTests
{
    private static readonly InstrumentDefinition Madrs = InstrumentCatalog.Get(InstrumentCatalog.Madrs);

    [Test]
    public void Score_AllZero_TotalZeroNormal()
    {
        var result = Scorer.Score(Madrs, ItemBuilder.Filled(10, 0));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.True);
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["total"] = 0m }));
            Assert.That(result.SeverityBand, Is.EqualTo("normal"));
        }
    }

    [Test]
    public void Score_AllSix_TotalSixtySevere()
    {
        var result = Scorer.Score(Madrs, ItemBuilder.Filled(10, 6));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Scores, Is.EqualTo(new Dictionary<string, decimal> { ["total"] = 60m }));
            Assert.That(result.SeverityBand, Is.EqualTo("severe"));
        }
    }

    [Test]
    public void Score_MixedItems_TotalIsTheSum()
    {
        // 3+4+2+5+1+0+6+2+3+1 = 27
        var result = Scorer.Score(Madrs, [3, 4, 2, 5, 1, 0, 6, 2, 3, 1]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Scores["total"], Is.EqualTo(27m));
            Assert.That(result.SeverityBand, Is.EqualTo("moderate"));
        }
    }

    [TestCase(6, "normal")]
    [TestCase(7, "mild")]
    [TestCase(19, "mild")]
    [TestCase(20, "moderate")]
    [TestCase(34, "moderate")]
    [TestCase(35, "severe")]
    public void Score_TotalAtBandEdge_BandOfThatTotal(int total, string band)
    {
        var result = Scorer.Score(Madrs, ItemBuilder.WithSum(10, 10, 6, total));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Scores["total"], Is.EqualTo((decimal)total));
            Assert.That(result.SeverityBand, Is.EqualTo(band));
        }
    }

    [TestCase(1)]
    [TestCase(10)]
    public void Score_OneItemMissing_IncompleteWithoutTotalOrBand(int missingItem)
    {
        var result = Scorer.Score(Madrs, ItemBuilder.With(ItemBuilder.Filled(10, 3), missingItem, null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Complete, Is.False);
            Assert.That(result.Scores, Is.Empty);
            Assert.That(result.SeverityBand, Is.Null);
        }
    }

    [Test]
    public void Score_InvalidItems_ThrowsArgumentExceptionNamingTheItem()
    {
        Assert.That(
            () => Scorer.Score(Madrs, ItemBuilder.With(ItemBuilder.Filled(10, 0), 3, 7)),
            Throws.ArgumentException.With.Message.Contains("item 3 (inner tension) must be between 0 and 6; got 7"));
    }

    [Test]
    public void Score_WrongCount_ThrowsArgumentException()
    {
        Assert.That(() => Scorer.Score(Madrs, ItemBuilder.Filled(9, 0)), Throws.ArgumentException);
    }
}
