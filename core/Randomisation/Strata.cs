using System.Globalization;
using Trial.Core.Protocol;

namespace Trial.Core.Randomisation;

/// <summary>
/// The stratum a participant is randomised in, as a stable key such as <c>WAW/MADRS&lt;35</c>: the site (when the
/// protocol stratifies by site) and the band of the baseline MADRS total (when it gives cut-offs). Allocation is
/// balanced within each stratum, so arms stay comparable on what the strata are made of.
/// </summary>
public static class Strata
{
    /// <summary>The key of a design that stratifies by nothing: one stratum for the whole study.</summary>
    public const string Whole = "ALL";

    public static string Of(StrataSettings settings, string siteCode, decimal? baselineMadrsTotal)
    {
        var parts = new List<string>(2);
        if (settings.Site) parts.Add(siteCode);
        if (settings.BaselineMadrsTotalCutoffs.Count > 0)
        {
            if (baselineMadrsTotal is null) throw new ArgumentException("The design stratifies by the baseline MADRS total, but none was given.", nameof(baselineMadrsTotal));
            parts.Add(MadrsBand(settings.BaselineMadrsTotalCutoffs, baselineMadrsTotal.Value));
        }
        return parts.Count == 0 ? Whole : string.Join('/', parts);
    }

    /// <summary>Every stratum of these sites, in a stable order.</summary>
    public static IReadOnlyList<string> All(StrataSettings settings, IEnumerable<string> siteCodes)
    {
        var bands = MadrsBands(settings.BaselineMadrsTotalCutoffs);
        var sites = settings.Site ? siteCodes.Order(StringComparer.Ordinal).ToList() : [];
        if (!settings.Site) return bands.Count == 0 ? [Whole] : bands;
        return bands.Count == 0 ? sites : [.. sites.SelectMany(s => bands.Select(b => $"{s}/{b}"))];
    }

    /// <summary>The site a stratum belongs to, or null when strata do not include the site.</summary>
    public static string? SiteOf(StrataSettings settings, string stratum) => settings.Site ? stratum.Split('/')[0] : null;

    /// <summary>MADRS totals are whole numbers, so the bands are named by them: &lt;20, 20-34, &gt;=35.</summary>
    public static string MadrsBand(IReadOnlyList<int> cutoffs, decimal total)
    {
        var below = cutoffs.FirstOrDefault(c => total < c, int.MinValue);
        if (below == cutoffs[0]) return $"MADRS<{I(below)}";
        if (below == int.MinValue) return $"MADRS>={I(cutoffs[^1])}";
        var from = cutoffs[cutoffs.ToList().IndexOf(below) - 1];
        return $"MADRS{I(from)}-{I(below - 1)}";
    }

    private static IReadOnlyList<string> MadrsBands(IReadOnlyList<int> cutoffs)
    {
        if (cutoffs.Count == 0) return [];
        // One total from each band names it.
        return [.. cutoffs.Select(c => MadrsBand(cutoffs, c - 1)).Append(MadrsBand(cutoffs, cutoffs[^1]))];
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
