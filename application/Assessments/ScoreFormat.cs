using Trial.Core.Instruments;

namespace Trial.Application.Assessments;

/// <summary>How an assessment's scores and items read, wherever they are shown or audited: the same numbers whether fresh or read back.</summary>
public static class ScoreFormat
{
    /// <summary>Scores in the order the instrument's definition reports them, whether fresh from the scorer or read back from the database.</summary>
    public static Dictionary<string, decimal> InScoreOrder(string instrument, IReadOnlyDictionary<string, decimal> scores)
    {
        var order = InstrumentCatalog.TryGet(instrument, out var definition) ? definition!.Scores.Select(r => r.Key).ToList() : [];
        return scores.OrderBy(s => order.IndexOf(s.Key) is var i && i < 0 ? int.MaxValue : i).ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(s => s.Key, s => Normalize(s.Value));
    }

    /// <summary>The item values, each without trailing zeros.</summary>
    public static List<decimal?> Items(IEnumerable<decimal?> items) => items.Select(i => i is { } v ? Normalize(v) : (decimal?)null).ToList();

    /// <summary>Drops trailing zeros so a score reads the same whether fresh or read back from either database.</summary>
    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}
