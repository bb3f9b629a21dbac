namespace Trial.Core.Randomisation;

/// <summary>
/// Bang's blinding index (Bang, Ni and Davis, Control Clin Trials 2004;25:143-156) for one arm, from the guesses of
/// the arm made by those who received it.
/// <para>
/// With n guesses, of which c name the arm received (correct), w name another arm (wrong) and the rest are
/// "don't know", the index is BI = (2·c/(c+w) − 1)·(c+w)/n, which simplifies to BI = (c − w) / n. It runs from −1
/// (everyone guessed the other arm) through 0 (guessing no better than chance, or everyone answered "don't know") to
/// 1 (everyone knew their arm). With p_c = c/n and p_w = w/n, its variance is
/// Var(BI) = (p_c(1 − p_c) + p_w(1 − p_w) + 2·p_c·p_w) / n (multinomial counts), and the 95 % confidence interval is
/// BI ± 1.96·√Var(BI), cut to [−1, 1]. Bang et al. read an arm as unblinded when the interval lies wholly above 0.
/// </para>
/// </summary>
public sealed record BlindingIndex(int Guesses, int Correct, int Wrong, int DontKnow, decimal? Index, decimal? CiLower, decimal? CiUpper)
{
    private const double Z95 = 1.959963984540054;

    /// <summary>The index of one arm; null index and interval when nobody guessed.</summary>
    public static BlindingIndex Of(int correct, int wrong, int dontKnow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correct);
        ArgumentOutOfRangeException.ThrowIfNegative(wrong);
        ArgumentOutOfRangeException.ThrowIfNegative(dontKnow);
        var n = correct + wrong + dontKnow;
        if (n == 0) return new BlindingIndex(0, 0, 0, 0, null, null, null);
        var pc = (double)correct / n;
        var pw = (double)wrong / n;
        var index = pc - pw;
        var se = Math.Sqrt((pc * (1 - pc) + pw * (1 - pw) + 2 * pc * pw) / n);
        return new BlindingIndex(n, correct, wrong, dontKnow, Round(index),
            Round(Math.Max(-1, index - Z95 * se)), Round(Math.Min(1, index + Z95 * se)));
    }

    private static decimal Round(double value) => Math.Round((decimal)value, 4, MidpointRounding.AwayFromZero);
}
