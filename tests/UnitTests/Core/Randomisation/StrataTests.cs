using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Tests.Core.Randomisation;

[TestFixture]
public class StrataTests
{
    private static readonly StrataSettings SiteAndMadrs35 = new() { Site = true, BaselineMadrsTotalCutoffs = [35] };

    [TestCase(0, "WAW/MADRS<35")]
    [TestCase(34, "WAW/MADRS<35")]
    [TestCase(35, "WAW/MADRS>=35")]
    [TestCase(60, "WAW/MADRS>=35")]
    public void Of_SiteAndBaselineMadrs_NamesSiteAndBand(int total, string expected)
    {
        Assert.That(Strata.Of(SiteAndMadrs35, "WAW", total), Is.EqualTo(expected));
    }

    [TestCase(19, "MADRS<20")]
    [TestCase(20, "MADRS20-34")]
    [TestCase(34, "MADRS20-34")]
    [TestCase(35, "MADRS>=35")]
    public void Of_TwoCutoffsWithoutSite_ThreeBands(int total, string expected)
    {
        Assert.That(Strata.Of(new StrataSettings { Site = false, BaselineMadrsTotalCutoffs = [20, 35] }, "WAW", total), Is.EqualTo(expected));
    }

    [Test]
    public void Of_NeitherSiteNorBands_OneStratumForTheStudy()
    {
        Assert.That(Strata.Of(new StrataSettings { Site = false }, "WAW", null), Is.EqualTo(Strata.Whole));
    }

    [Test]
    public void All_SitesTimesBands_EveryStratumOnceInOrder()
    {
        Assert.That(Strata.All(SiteAndMadrs35, ["WAW", "KRK"]),
            Is.EqualTo(new[] { "KRK/MADRS<35", "KRK/MADRS>=35", "WAW/MADRS<35", "WAW/MADRS>=35" }));
        Assert.That(Strata.SiteOf(SiteAndMadrs35, "KRK/MADRS>=35"), Is.EqualTo("KRK"));
    }
}
