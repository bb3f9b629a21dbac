using NUnit.Framework;
using Trial.Core.Randomisation;

namespace Trial.Tests.Core.Randomisation;

/// <summary>
/// Bang's blinding index against cases worked by hand. BI = (c − w) / n; Var = (pc(1 − pc) + pw(1 − pw) + 2·pc·pw) / n
/// with pc = c/n, pw = w/n; 95 % CI = BI ± 1.96·√Var, cut to [−1, 1].
/// </summary>
[TestFixture]
public class BlindingIndexTests
{
    [Test]
    public void Of_SixCorrectTwoWrongTwoDontKnow_MatchesTheHandComputation()
    {
        // n = 10, pc = 0.6, pw = 0.2: BI = 0.4; Var = (0.24 + 0.16 + 0.24) / 10 = 0.064; SE = 0.252982;
        // CI = 0.4 ± 1.959964 × 0.252982 = 0.4 ± 0.495836 = (-0.0958, 0.8958).
        var bi = BlindingIndex.Of(correct: 6, wrong: 2, dontKnow: 2);

        Assert.That(bi.Guesses, Is.EqualTo(10));
        Assert.That(bi.Index, Is.EqualTo(0.4m));
        Assert.That(bi.CiLower, Is.EqualTo(-0.0958m));
        Assert.That(bi.CiUpper, Is.EqualTo(0.8958m));
    }

    [Test]
    public void Of_EveryoneDontKnow_IndexZeroWithNoSpread()
    {
        var bi = BlindingIndex.Of(0, 0, 5);

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo((0m, 0m, 0m)));
    }

    [Test]
    public void Of_AllCorrect_IndexOneAndIntervalCutAtOne()
    {
        // pc = 1, pw = 0: Var = 0, the interval collapses on 1.
        var bi = BlindingIndex.Of(8, 0, 0);

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo((1m, 1m, 1m)));
    }

    [Test]
    public void Of_MostlyWrong_NegativeIndexCutAtMinusOne()
    {
        // n = 4, pc = 0, pw = 0.75: BI = -0.75; Var = 0.1875 / 4 = 0.046875; SE = 0.216506; lower = -1.1743 → -1; upper = -0.3257.
        var bi = BlindingIndex.Of(0, 3, 1);

        Assert.That(bi.Index, Is.EqualTo(-0.75m));
        Assert.That(bi.CiLower, Is.EqualTo(-1m));
        Assert.That(bi.CiUpper, Is.EqualTo(-0.3257m));
    }

    [Test]
    public void Of_NoGuesses_NoIndex()
    {
        var bi = BlindingIndex.Of(0, 0, 0);

        Assert.That((bi.Guesses, bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo((0, (decimal?)null, (decimal?)null, (decimal?)null)));
    }
}
