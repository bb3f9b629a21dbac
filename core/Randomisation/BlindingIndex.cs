namespace Trial.Core.Randomisation;

/// <summary>A 95 % confidence interval.</summary>
public readonly record struct Interval(double Lower, double Upper);

/// <summary>
/// Bang's blinding index of one arm (Bang, Ni and Davis, Control Clin Trials 2004;25:143-156): among the n guesses
/// about participants who received <see cref="Arm"/>, c named it (correct), w named another arm (wrong), the rest
/// "don't know". Index, interval and counts are empty only when nobody guessed.
/// </summary>
public sealed record BangIndex(string Arm, int Guesses, int Correct, int Wrong, int DontKnow, decimal? Index, decimal? CiLower, decimal? CiUpper);

/// <summary>
/// James' blinding index over all arms (James, Bloch, Lee, Kraemer and Fuller, Stat Med 1996;15:1421-1434), with the
/// chance disagreement E it was computed with. Index and interval are null when the index is undefined, and
/// <see cref="Undefined"/> then says why.
/// </summary>
public sealed record JamesIndex(
    int Guesses, int Correct, int Wrong, int DontKnow, decimal? ChanceDisagreement, decimal? Index, decimal? CiLower, decimal? CiUpper, string? Undefined);

/// <summary>
/// The blinding indices and their 95 % intervals. Pure arithmetic on counts: the report decides what is counted
/// together (never guesses after different numbers of infusions).
/// <para>
/// Every interval is built from Wilson score intervals of proportions of one multinomial (correct, wrong, "don't know"),
/// combined by the method of variance estimates recovery (MOVER; Newcombe, Stat Med 1998;17:873-890, method 10;
/// Zou and Donner, Stat Methods Med Res 2008;17:85-95), so it stays inside the index's range and never shrinks to a
/// point, as the Wald interval did when every guess was right or every guess was "don't know".
/// </para>
/// </summary>
public static class BlindingIndex
{
    /// <summary>The 97.5 % point of the standard normal distribution.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>What the report's numbers are, in words a statistician can check them against.</summary>
    public const string Formula =
        "Bang per arm: BI = (c - w) / n over the n guesses about participants who received the arm (c name it, w name another arm, the rest 'unknown'); " +
        "-1 all guessed another arm, 0 no better than chance or all 'unknown', 1 all knew. 95 % CI: Newcombe's hybrid score interval for the difference " +
        "pc - pw of two cells of one multinomial (Wilson intervals of pc = c/n and pw = w/n joined with their correlation " +
        "phi = -sqrt(pc pw / ((1 - pc)(1 - pw)))), cut to [-1, 1]. " +
        "James overall: BI = pDK + pW / (2E), pDK = 'unknown' / n, pW = wrong / n, E = 1 - sum over arms of (guesses naming the arm x guesses about " +
        "participants who received it) / m^2 among the m guesses that named an arm (the disagreement expected by chance); 0 complete unblinding, " +
        "0.5 random guessing, 1 complete blinding (all 'unknown' gives 1); undefined when m > 0 and E = 0. 95 % CI: E held fixed at its observed value, " +
        "the union of the two Wilson-based MOVER intervals of the index written as pDK + pW/(2E) and as 1 - pC + (1/(2E) - 1) pW " +
        "(pC = correct / n), cut to [0, 1]; all 'unknown': (Wilson lower limit of pDK, 1). Guesses after different numbers of infusions are never pooled.";

    /// <summary>
    /// Wilson's score interval for <paramref name="x"/> successes in <paramref name="n"/> trials:
    /// centre (p + z²/2n) / (1 + z²/n), half-width z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²).
    /// </summary>
    public static Interval Wilson(int x, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(x, n);
        const double z2 = Z95 * Z95;
        var p = (double)x / n;
        var shrink = 1 + z2 / n;
        var centre = (p + z2 / (2 * n)) / shrink;
        var half = Z95 / shrink * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        // At x = 0 and x = n the limits are 0 and 1 exactly; rounding must not push them a hair outside.
        return new Interval(x == 0 ? 0 : Math.Max(0, centre - half), x == n ? 1 : Math.Min(1, centre + half));
    }

    /// <summary>
    /// Bang's index of one arm, BI = (c − w) / n, with Newcombe's hybrid score interval for a difference of two cells of
    /// one multinomial: with Wilson intervals (lc, uc) of pc = c/n and (lw, uw) of pw = w/n, and
    /// φ = −√(pc·pw / ((1 − pc)(1 − pw))) (0 when a factor of the denominator is 0),
    /// L = BI − √((pc − lc)² − 2φ(pc − lc)(uw − pw) + (uw − pw)²),
    /// U = BI + √((uc − pc)² − 2φ(uc − pc)(pw − lw) + (pw − lw)²), cut to [−1, 1].
    /// All correct gives (1 − √2·z²/(n + z²), 1); all "don't know" gives (−z²/(n + z²), z²/(n + z²)).
    /// </summary>
    public static BangIndex Bang(string arm, int correct, int wrong, int dontKnow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correct);
        ArgumentOutOfRangeException.ThrowIfNegative(wrong);
        ArgumentOutOfRangeException.ThrowIfNegative(dontKnow);
        var n = correct + wrong + dontKnow;
        if (n == 0) return new BangIndex(arm, 0, 0, 0, 0, null, null, null);
        var pc = (double)correct / n;
        var pw = (double)wrong / n;
        var (lc, uc) = Wilson(correct, n);
        var (lw, uw) = Wilson(wrong, n);
        var index = pc - pw;
        // The two cells of one multinomial are negatively correlated: a guess that is right cannot also be wrong.
        var phi = -Correlation(pc, pw);
        var lower = index - Math.Sqrt(Math.Max(0, Sq(pc - lc) - 2 * phi * (pc - lc) * (uw - pw) + Sq(uw - pw)));
        var upper = index + Math.Sqrt(Math.Max(0, Sq(uc - pc) - 2 * phi * (uc - pc) * (pw - lw) + Sq(pw - lw)));
        return new BangIndex(arm, n, correct, wrong, dontKnow, Round(index), Round(Math.Max(-1, lower)), Round(Math.Min(1, upper)));
    }

    /// <summary>Bang's index of <paramref name="arm"/> from a table of guesses.</summary>
    public static BangIndex Bang(GuessTable table, string arm)
    {
        ArgumentNullException.ThrowIfNull(table);
        var wrong = table.Arms.Where(a => a != arm).Sum(other => table.Count(arm, other));
        return Bang(arm, table.Count(arm, arm), wrong, table.Count(arm, BlindingGuesses.DontKnow));
    }

    /// <summary>
    /// James' index over all arms, with weights 0 for a correct guess, 0.5 for a wrong one and 1 for "don't know":
    /// BI = (1 + pDK + (1 − pDK)·κd) / 2 with κd = (Pdo − Pde) / Pde, Pdo = 0.5·W/m, Pde = 0.5·E over the m guesses that
    /// named an arm, which simplifies to BI = pDK + pW / (2E).
    /// <para>
    /// The interval holds E fixed at its observed value (a plug-in, as inference on kappa conditions on the margins; the
    /// sampling variation of E itself is not carried into it). The index is then a linear combination of two cells of
    /// one multinomial in two ways, pDK + k·pW and 1 − pC + (k − 1)·pW with k = 1/(2E); each is given a Wilson-based
    /// MOVER interval, and the union of the two is reported. The union is needed because each form alone collapses when
    /// the third cell is empty: the first, with no correct guess and E = 0.5, would claim BI = 1 exactly, as a point.
    /// </para>
    /// </summary>
    public static JamesIndex James(GuessTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var n = table.Total;
        var dontKnow = table.Arms.Sum(a => table.Count(a, BlindingGuesses.DontKnow));
        var correct = table.Arms.Sum(a => table.Count(a, a));
        var wrong = n - dontKnow - correct;
        if (n == 0) return new JamesIndex(0, 0, 0, 0, null, null, null, null, "Nobody guessed.");
        var m = n - dontKnow;
        var pDk = (double)dontKnow / n;
        var dk = Wilson(dontKnow, n);
        // Everyone answered "don't know": complete blinding by definition, and only pDK is uncertain.
        if (m == 0) return new JamesIndex(n, 0, 0, dontKnow, null, 1m, Round(dk.Lower), 1m, null);

        // guessed[a]: guesses naming arm a; received[a]: guesses that named an arm about participants who received a.
        var chanceAgreement = table.Arms.Sum(a =>
            (double)table.Arms.Sum(r => table.Count(r, a)) * table.Arms.Sum(g => table.Count(a, g)) / ((double)m * m));
        var e = 1 - chanceAgreement;
        if (e <= 1e-12)
        {
            return new JamesIndex(n, correct, wrong, dontKnow, 0m, null, null, null,
                "Every guess that named an arm named the same arm, and every one of them was about a participant who received it: the disagreement " +
                "expected by chance (E) is 0, so James' index is undefined.");
        }

        var k = 1 / (2 * e);
        var pW = (double)wrong / n;
        var pC = (double)correct / n;
        var index = pDk + k * pW;
        var w = Wilson(wrong, n);
        var c = Wilson(correct, n);
        var first = Mover(index, new Term(1, pDk, dk), new Term(k, pW, w), -Correlation(pDk, pW));
        var second = Mover(index, new Term(-1, pC, c), new Term(k - 1, pW, w), -Correlation(pC, pW));
        var lower = Math.Min(first.Lower, second.Lower);
        var upper = Math.Max(first.Upper, second.Upper);
        return new JamesIndex(n, correct, wrong, dontKnow, Round(e), Round(index), Round(Math.Max(0, lower)), Round(Math.Min(1, upper)), null);
    }

    /// <summary>One term a·p of a linear combination, with the Wilson interval of p.</summary>
    private readonly record struct Term(double Coefficient, double P, Interval Ci)
    {
        // How far a·p may fall and rise: a negative coefficient turns the interval of p around.
        public double Down => Coefficient >= 0 ? Coefficient * (P - Ci.Lower) : -Coefficient * (Ci.Upper - P);
        public double Up => Coefficient >= 0 ? Coefficient * (Ci.Upper - P) : -Coefficient * (P - Ci.Lower);
    }

    /// <summary>
    /// The MOVER interval of a1·p1 + a2·p2 + constant = <paramref name="estimate"/>, where p1 and p2 have correlation
    /// <paramref name="correlation"/>: each limit recovers the variance of a term from its own interval's distance.
    /// </summary>
    private static Interval Mover(double estimate, Term first, Term second, double correlation)
    {
        var r = Math.Sign(first.Coefficient * second.Coefficient) * correlation;
        var down = Math.Sqrt(Math.Max(0, Sq(first.Down) + Sq(second.Down) + 2 * r * first.Down * second.Down));
        var up = Math.Sqrt(Math.Max(0, Sq(first.Up) + Sq(second.Up) + 2 * r * first.Up * second.Up));
        return new Interval(estimate - down, estimate + up);
    }

    /// <summary>
    /// The size of the (negative) correlation between the estimates of two cells of one multinomial,
    /// √(p1·p2 / ((1 − p1)(1 − p2))); 0 when a cell holds everything, where it is undefined.
    /// </summary>
    private static double Correlation(double p1, double p2)
    {
        var denominator = (1 - p1) * (1 - p2);
        return denominator <= 0 ? 0 : Math.Sqrt(p1 * p2 / denominator);
    }

    private static double Sq(double x) => x * x;

    private static decimal Round(double value) => Math.Round((decimal)value, 4, MidpointRounding.AwayFromZero);
}
