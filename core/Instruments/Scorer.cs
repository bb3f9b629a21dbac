namespace Trial.Core.Instruments;

/// <summary>
/// The result of scoring one assessment. <paramref name="Scores"/> holds only the scores whose items were
/// sufficiently answered; <paramref name="SeverityBand"/> is null when the scale has no bands or its score is absent.
/// </summary>
public sealed record AssessmentScore(bool Complete, IReadOnlyDictionary<string, decimal> Scores, string? SeverityBand);

/// <summary>Scores item responses exactly (decimal arithmetic) according to the instrument's definition.</summary>
public static class Scorer
{
    /// <summary>Scores valid items; throws <see cref="ArgumentException"/> when <see cref="ItemValidator"/> reports any error.</summary>
    public static AssessmentScore Score(InstrumentDefinition d, IReadOnlyList<decimal?> items)
    {
        var errors = ItemValidator.Validate(d, items);
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                $"{d.Abbreviation} items are not valid: {string.Join("; ", errors.Select(e => e.Message))}", nameof(items));
        }

        var complete = items.Count(v => v.HasValue) >= d.MinimumAnswered;
        var scores = new Dictionary<string, decimal>(StringComparer.Ordinal);
        decimal? severityValue = null;

        foreach (var rule in d.Scores)
        {
            var values = rule.Items.Select(n => items[n - 1]).OfType<decimal>().ToList();
            if (values.Count < rule.MinimumAnswered)
            {
                continue;
            }

            var exact = rule.Method switch
            {
                ScoreMethod.Sum => values.Sum(),
                ScoreMethod.Mean => values.Sum() / values.Count,

                // Multiplied before dividing, so with every item answered the division is exact and the result is the plain sum.
                ScoreMethod.ProratedSum => values.Sum() * rule.Items.Count / values.Count,
                _ => throw new InvalidOperationException($"Unknown score method {rule.Method}."),
            };
            scores[rule.Key] = rule.Method == ScoreMethod.Sum
                ? exact
                : Math.Round(exact, InstrumentCatalog.MeanDecimals, MidpointRounding.AwayFromZero);

            // The band is taken from the unrounded value so rounding for display can never move a patient across a threshold.
            if (rule.Key == d.SeverityScoreKey)
            {
                severityValue = exact;
            }
        }

        var band = severityValue is { } v ? d.SeverityBands[SeverityBands.Index(d.SeverityBands, v)].Name : null;
        return new AssessmentScore(complete, scores.AsReadOnly(), band);
    }
}

internal static class SeverityBands
{
    /// <summary>Index of the last band whose inclusive lower bound is at or below <paramref name="value"/>.</summary>
    public static int Index(IReadOnlyList<SeverityBand> bands, decimal value)
    {
        if (bands.Count == 0 || value < bands[0].LowerBound)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value lies below the lowest severity band.");
        }

        var index = 0;
        while (index + 1 < bands.Count && value >= bands[index + 1].LowerBound)
        {
            index++;
        }

        return index;
    }
}
