using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Core.Randomisation;

namespace Trial.Tests.Core.Randomisation;

/// <summary>
/// The blinding indices against cases worked by hand. z = 1.959964, z² = 3.841459. Wilson's interval for x of n:
/// centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1 − p)/n + z²/4n²); at x = 0 it is (0, z²/(n + z²)),
/// at x = n it is (n/(n + z²), 1).
/// </summary>
[TestFixture]
public class BlindingIndexTests
{
    private const string K = "KET", M = "MDZ", Dk = BlindingGuesses.DontKnow;

    private static GuessTable Table() => new([K, M]);

    [Test]
    public void Wilson_SixOfTen_MatchesTheHandComputation()
    {
        // p = 0.6; 1 + z²/n = 1.384146; centre = (0.6 + 0.192073)/1.384146 = 0.572247;
        // half-width = 1.959964/1.384146 × √(0.024 + 0.009604) = 1.416010 × 0.183315 = 0.259573: (0.312674, 0.831820).
        var ci = BlindingIndex.Wilson(6, 10);

        Assert.That(ci.Lower, Is.EqualTo(0.312674).Within(1e-6));
        Assert.That(ci.Upper, Is.EqualTo(0.831820).Within(1e-6));
    }

    [Test]
    public void Bang_SixCorrectTwoWrongTwoDontKnow_MatchesTheHandComputation()
    {
        // n = 10, pc = 0.6, pw = 0.2: BI = 0.4. Wilson: pc (0.312674, 0.831820), pw (0.056682, 0.509838).
        // phi = -√(0.6 × 0.2 / (0.4 × 0.8)) = -√0.375 = -0.612372.
        // L = 0.4 - √(0.287326² + 2 × 0.612372 × 0.287326 × 0.309838 + 0.309838²) = 0.4 - √0.287588 = 0.4 - 0.536272 = -0.1363;
        // U = 0.4 + √(0.231820² + 2 × 0.612372 × 0.231820 × 0.143318 + 0.143318²) = 0.4 + √0.114971 = 0.4 + 0.339074 = 0.7391.
        // (The Wald interval was (-0.0958, 0.8958).)
        var bi = BlindingIndex.Bang(K, correct: 6, wrong: 2, dontKnow: 2);

        Assert.That((bi.Arm, bi.Guesses, bi.Correct, bi.Wrong, bi.DontKnow), Is.EqualTo((K, 10, 6, 2, 2)));
        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)0.4m, (decimal?)-0.1363m, (decimal?)0.7391m)));
    }

    [Test]
    public void Bang_AllCorrect_IndexOneWithAnIntervalBelowIt()
    {
        // n = 8: pw = 0 and pc = 1, so phi = 0; pc's lower limit is 8/(8 + z²) = 0.675699 and pw's upper z²/(8 + z²) = 0.324301.
        // L = 1 - √(0.324301² + 0.324301²) = 1 - √2 × 0.324301 = 0.5412; U = 1. The Wald interval collapsed to (1, 1).
        var bi = BlindingIndex.Bang(K, 8, 0, 0);

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)1m, (decimal?)0.5412m, (decimal?)1m)));
    }

    [Test]
    public void Bang_AllWrong_MinusOneWithAnIntervalAboveIt()
    {
        // The mirror of all correct: (-1, -1 + √2 × 0.324301) = (-1, -0.5412).
        var bi = BlindingIndex.Bang(M, 0, 8, 0);

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)-1m, (decimal?)-1m, (decimal?)-0.5412m)));
    }

    [Test]
    public void Bang_AllDontKnow_ZeroWithASymmetricInterval()
    {
        // n = 5: pc = pw = 0, phi = 0, both upper limits z²/(5 + z²) = 3.841459/8.841459 = 0.434482: (-0.4345, 0.4345).
        // The Wald interval was (0, 0).
        var bi = BlindingIndex.Bang(K, 0, 0, 5);

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)0m, (decimal?)-0.4345m, (decimal?)0.4345m)));
    }

    [Test]
    public void Bang_OneGuess_WideIntervals()
    {
        // n = 1: z²/(1 + z²) = 3.841459/4.841459 = 0.793451. Correct: (1 - √2 × 0.793451, 1) = (-0.1221, 1).
        // "Don't know": (-0.7935, 0.7935).
        Assert.That(Limits(BlindingIndex.Bang(K, 1, 0, 0)), Is.EqualTo((1m, -0.1221m, 1m)));
        Assert.That(Limits(BlindingIndex.Bang(K, 0, 0, 1)), Is.EqualTo((0m, -0.7935m, 0.7935m)));
        Assert.That(Limits(BlindingIndex.Bang(K, 0, 1, 0)), Is.EqualTo((-1m, -1m, 0.1221m)));
    }

    [Test]
    public void Bang_NoGuesses_NoIndex()
    {
        var bi = BlindingIndex.Bang(K, 0, 0, 0);

        Assert.That((bi.Guesses, bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo((0, (decimal?)null, (decimal?)null, (decimal?)null)));
    }

    [Test]
    public void Bang_FromATable_CountsTheArmsOwnGuessesOnly()
    {
        var table = Table().Add(K, K, 6).Add(K, M, 2).Add(K, Dk, 2).Add(M, K, 9);

        Assert.That(Limits(BlindingIndex.Bang(table, K)), Is.EqualTo(Limits(BlindingIndex.Bang(K, 6, 2, 2))));
        Assert.That(Limits(BlindingIndex.Bang(table, M)), Is.EqualTo(Limits(BlindingIndex.Bang(M, 0, 9, 0))));
    }

    [Test]
    public void James_PublishedExample_Is0896()
    {
        // James et al. 1996, as public implementations reproduce it (guess x arm received):
        //              KET  MDZ
        //   guess KET   48   22
        //   guess MDZ    4   30
        //   don't know 330  319      n = 753, m = 104 named an arm, W = 22 + 4 = 26 wrong, 78 correct, 649 "don't know".
        // Guesses naming KET 70, MDZ 34; of the 104, 52 received KET and 52 MDZ: E = 1 - (70 × 52 + 34 × 52)/104² = 0.5.
        // kd = (Pdo - Pde)/Pde = (0.5 × 26/104 - 0.25)/0.25 = -0.5; BI = (1 + 0.861886 + 0.138114 × -0.5)/2 = 0.896414,
        // the same as pDK + pW/(2E) = 649/753 + 26/753 = 0.896414.
        // Interval with k = 1/(2E) = 1. First form, pDK + pW: Wilson pDK (0.835400, 0.884698), pW (0.023670, 0.050112),
        // rho = -√(0.861886 × 0.034529/(0.138114 × 0.965471)) = -0.472417;
        // down = √(0.026486² + 0.010858² - 2 × 0.472417 × 0.026486 × 0.010858) = 0.023402, up = √(0.022812² + 0.015583² - 2 × 0.472417 ×
        // 0.022812 × 0.015583) = 0.020673: (0.873012, 0.917087). Second form, 1 - pC (the pW term has coefficient k - 1 = 0): 1 minus the
        // Wilson interval of 78/753 (0.083795, 0.127400) = (0.872600, 0.916205). Union: (0.8726, 0.9171).
        var table = Table().Add(K, K, 48).Add(M, K, 22).Add(K, M, 4).Add(M, M, 30).Add(K, Dk, 330).Add(M, Dk, 319);

        var bi = BlindingIndex.James(table);

        Assert.That((bi.Guesses, bi.Correct, bi.Wrong, bi.DontKnow, bi.ChanceDisagreement), Is.EqualTo((753, 78, 26, 649, (decimal?)0.5m)));
        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)0.8964m, (decimal?)0.8726m, (decimal?)0.9171m)));
        Assert.That(bi.Undefined, Is.Null);
        Assert.That(Math.Round(bi.Index!.Value, 3), Is.EqualTo(0.896m), "the published value");
        // Bang's indices of the same table: KET (48 - 4)/382 = 0.1152, MDZ (30 - 22)/371 = 0.0216.
        Assert.That(BlindingIndex.Bang(table, K).Index, Is.EqualTo(0.1152m));
        Assert.That(BlindingIndex.Bang(table, M).Index, Is.EqualTo(0.0216m));
    }

    [Test]
    public void James_AllDontKnow_OneWithTheWilsonLowerLimitOfPdk()
    {
        // n = 5, all "don't know": BI = 1 (complete blinding); lower limit 5/(5 + z²) = 5/8.841459 = 0.5655.
        var bi = BlindingIndex.James(Table().Add(K, Dk, 3).Add(M, Dk, 2));

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper, bi.ChanceDisagreement), Is.EqualTo(((decimal?)1m, (decimal?)0.5655m, (decimal?)1m, (decimal?)null)));
    }

    [Test]
    public void James_AllCorrect_ZeroWithAnIntervalAboveIt()
    {
        // 3 on each arm, all correct: E = 1 - (3 × 3 + 3 × 3)/36 = 0.5, BI = 0 (complete unblinding).
        // First form pDK + pW, both cells empty (rho = 0): up = √2 × z²/(6 + z²) = √2 × 0.390334 = 0.552016.
        // Second form 1 - pC: 1 - 6/(6 + z²) = 0.390334. Union: (0, 0.5520).
        var bi = BlindingIndex.James(Table().Add(K, K, 3).Add(M, M, 3));

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper, bi.ChanceDisagreement), Is.EqualTo(((decimal?)0m, (decimal?)0m, (decimal?)0.5520m, (decimal?)0.5m)));
    }

    [Test]
    public void James_AllWrong_OneWithAnIntervalBelowIt()
    {
        // 3 on each arm, every one guessed the other arm: E = 1 - (3 × 3 + 3 × 3)/36 = 0.5, pW = 1, BI = 0 + 1/(2 × 0.5) = 1.
        // First form: pDK (0, 0.390334) and pW (0.609666, 1), rho = 0: down = 0.390334. Second form 1 - pC: the same. (0.6097, 1).
        var bi = BlindingIndex.James(Table().Add(K, M, 3).Add(M, K, 3));

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)1m, (decimal?)0.6097m, (decimal?)1m)));
    }

    [Test]
    public void James_NoCorrectGuessAndEHalf_NotAPoint()
    {
        // One wrong and one "don't know" on each arm: n = 4, E = 0.5, BI = 0.5 + 0.5 = 1. Written as pDK + pW the two cells are
        // perfectly correlated (rho = -1) and of equal spread, so that form alone gives (1, 1). Written as 1 - pC it is 1 minus
        // the Wilson interval of 0/4, (0, 3.841459/7.841459 = 0.489891): (0.5101, 1), which the union keeps.
        var bi = BlindingIndex.James(Table().Add(K, M).Add(K, Dk).Add(M, K).Add(M, Dk));

        Assert.That((bi.Index, bi.CiLower, bi.CiUpper), Is.EqualTo(((decimal?)1m, (decimal?)0.5101m, (decimal?)1m)));
    }

    [Test]
    public void James_OneGuess_AsDefinedOrUndefined()
    {
        // One "don't know": (1, 1/(1 + z²) = 0.2065, 1).
        Assert.That(Limits(BlindingIndex.James(Table().Add(K, Dk))), Is.EqualTo((1m, 0.2065m, 1m)));
        // One wrong guess: E = 1 - (0 × 1 + 1 × 0)/1 = 1, BI = 1/(2 × 1) = 0.5 (as good as random), interval the whole range.
        Assert.That(Limits(BlindingIndex.James(Table().Add(K, M))), Is.EqualTo((0.5m, 0m, 1m)));
        // One correct guess: E = 1 - 1 × 1/1 = 0: undefined.
        var correct = BlindingIndex.James(Table().Add(K, K));
        Assert.That((correct.Index, correct.CiLower, correct.CiUpper, correct.ChanceDisagreement), Is.EqualTo(((decimal?)null, (decimal?)null, (decimal?)null, (decimal?)0m)));
        Assert.That(correct.Undefined, Does.Contain("undefined"));
    }

    [Test]
    public void James_EveryArmNamingGuessCorrectAndOnOneArm_UndefinedWithTheReason()
    {
        // Three on KET guessed KET, the MDZ participants all answered "don't know": m = 3, E = 1 - 3 × 3/9 = 0.
        var bi = BlindingIndex.James(Table().Add(K, K, 3).Add(M, Dk, 2));

        Assert.That(bi.Index, Is.Null);
        Assert.That(bi.Undefined, Does.Contain("E) is 0"));
        Assert.That((bi.Guesses, bi.Correct, bi.DontKnow), Is.EqualTo((5, 3, 2)));
    }

    [Test]
    public void James_NoGuesses_Undefined()
    {
        var bi = BlindingIndex.James(Table());

        Assert.That((bi.Guesses, bi.Index, bi.Undefined), Is.EqualTo((0, (decimal?)null, "Nobody guessed.")));
    }

    // Counts up to 40 per cell: small studies are where the intervals are tested hardest.
    private static Gen<int> Cell => Gen.Choose(0, 40);

    [Test]
    public void Bang_AnyCounts_IntervalWithinRangeAroundTheIndexAndNeverAPoint()
    {
        var counts = (from c in Cell from w in Cell from d in Cell where c + w + d > 0 select (c, w, d)).ToArbitrary();

        Prop.ForAll(counts, t =>
        {
            var bi = BlindingIndex.Bang(K, t.c, t.w, t.d);
            return -1 <= bi.CiLower && bi.CiLower <= bi.Index && bi.Index <= bi.CiUpper && bi.CiUpper <= 1 && bi.CiLower < bi.CiUpper;
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Bang_AnyCounts_OneGuessTurningCorrectNeverLowersIndexOrLimits()
    {
        var counts = (from c in Cell
                      from w in Cell
                      from d in Cell
                      from fromWrong in Gen.Elements(true, false)
                      where fromWrong ? w > 0 : d > 0
                      select (c, w, d, fromWrong)).ToArbitrary();

        Prop.ForAll(counts, t =>
        {
            var before = BlindingIndex.Bang(K, t.c, t.w, t.d);
            var after = t.fromWrong ? BlindingIndex.Bang(K, t.c + 1, t.w - 1, t.d) : BlindingIndex.Bang(K, t.c + 1, t.w, t.d - 1);
            return after.Index > before.Index && after.CiLower >= before.CiLower && after.CiUpper >= before.CiUpper;
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Bang_AnyCounts_SwappingCorrectAndWrongMirrorsTheInterval()
    {
        var counts = (from c in Cell from w in Cell from d in Cell where c + w + d > 0 select (c, w, d)).ToArbitrary();

        Prop.ForAll(counts, t =>
        {
            var bi = BlindingIndex.Bang(K, t.c, t.w, t.d);
            var mirror = BlindingIndex.Bang(K, t.w, t.c, t.d);
            return bi.Index == -mirror.Index && bi.CiLower == -mirror.CiUpper && bi.CiUpper == -mirror.CiLower;
        }).QuickCheckThrowOnFailure();
    }

    private static Gen<GuessTable> Tables =>
        from cells in Cell.ArrayOf(6)
        where cells.Sum() > 0
        select Table().Add(K, K, cells[0]).Add(K, M, cells[1]).Add(K, Dk, cells[2]).Add(M, M, cells[3]).Add(M, K, cells[4]).Add(M, Dk, cells[5]);

    [Test]
    public void James_AnyTable_DefinedIndexWithinZeroToOneInsideAnIntervalThatIsNeverAPoint()
    {
        Prop.ForAll(Tables.ToArbitrary(), table =>
        {
            var bi = BlindingIndex.James(table);
            return bi.Index is null
                ? bi.Undefined is not null && bi.ChanceDisagreement == 0m
                : 0 <= bi.CiLower && bi.CiLower <= bi.Index && bi.Index <= bi.CiUpper && bi.CiUpper <= 1 && bi.CiLower < bi.CiUpper;
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void James_AnyTable_ACorrectGuessTurnedDontKnowOrWrongNeverLowersTheIndex()
    {
        var cases = from table in Tables
                    from arm in Gen.Elements(K, M)
                    from target in Gen.Elements(Dk, "other")
                    where table.Count(arm, arm) > 0
                    select (table, arm, target);

        Prop.ForAll(cases.ToArbitrary(), t =>
        {
            var other = t.arm == K ? M : K;
            var moved = Table();
            foreach (var received in new[] { K, M })
            {
                foreach (var guess in new[] { K, M, Dk })
                    moved.Add(received, guess, t.table.Count(received, guess) - (received == t.arm && guess == t.arm ? 1 : 0));
            }

            moved.Add(t.arm, t.target == Dk ? Dk : other);
            var before = BlindingIndex.James(t.table);
            var after = BlindingIndex.James(moved);
            return before.Index is null || after.Index is null || after.Index >= before.Index;
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Wilson_AnyCount_ContainsTheProportionWithinZeroToOne()
    {
        var counts = (from n in Gen.Choose(1, 500) from x in Gen.Choose(0, n) select (x, n)).ToArbitrary();

        Prop.ForAll(counts, t =>
        {
            var ci = BlindingIndex.Wilson(t.x, t.n);
            var p = (double)t.x / t.n;
            return 0 <= ci.Lower && ci.Lower <= p && p <= ci.Upper && ci.Upper <= 1 && ci.Lower < ci.Upper;
        }).QuickCheckThrowOnFailure();
    }

    private static (decimal?, decimal?, decimal?) Limits(BangIndex bi) => (bi.Index, bi.CiLower, bi.CiUpper);

    private static (decimal?, decimal?, decimal?) Limits(JamesIndex bi) => (bi.Index, bi.CiLower, bi.CiUpper);
}
