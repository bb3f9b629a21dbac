using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class Bsl23BandsTests
{
    [TestCase("0", 0, "none/low")]
    [TestCase("0.2799", 0, "none/low")]
    [TestCase("0.28", 1, "mild")]
    [TestCase("1.0699", 1, "mild")]
    [TestCase("1.07", 2, "moderate")]
    [TestCase("1.8699", 2, "moderate")]
    [TestCase("1.87", 3, "high")]
    [TestCase("2.6699", 3, "high")]
    [TestCase("2.67", 4, "very high")]
    [TestCase("3.4699", 4, "very high")]
    [TestCase("3.47", 5, "extremely high")]
    [TestCase("4", 5, "extremely high")]
    public void IndexAndName_MeanAtOrJustBelowThreshold_LowerBoundInclusive(decimal mean, int index, string name)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Bsl23Bands.Index(mean), Is.EqualTo(index));
            Assert.That(Bsl23Bands.Name(mean), Is.EqualTo(name));
        }
    }

    [Test]
    public void Index_MeanBelowThresholdByLessThanReportedPrecision_StaysInLowerBand()
    {
        // Rounded to 4 places this would read 0.2800; the band must come from the unrounded mean.
        Assert.That(Bsl23Bands.Index(0.27999m), Is.Zero);
    }

    [TestCase("-0.0001")]
    [TestCase("4.0001")]
    public void Index_MeanOutsideZeroToFour_ThrowsArgumentOutOfRange(decimal mean)
    {
        Assert.That(() => Bsl23Bands.Index(mean), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
