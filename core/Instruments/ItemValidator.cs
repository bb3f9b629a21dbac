using System.Globalization;

namespace Trial.Core.Instruments;

/// <summary>A problem with submitted items. <paramref name="ItemNumber"/> is 1-based; null when the problem is the list as a whole.</summary>
public sealed record ItemError(int? ItemNumber, string Message);

/// <summary>Checks item responses against a definition, with messages a clinician can act on.</summary>
public static class ItemValidator
{
    /// <summary>
    /// Returns every problem found, or an empty list. A null item is a missing answer, which is allowed
    /// (it only affects completeness). Values are judged by their numeric value, so 3.0 is a whole number.
    /// </summary>
    public static IReadOnlyList<ItemError> Validate(InstrumentDefinition d, IReadOnlyList<decimal?> items)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(items);

        // With the wrong count we cannot tell which answer belongs to which item, so per-item checks would mislead.
        if (items.Count != d.ItemCount)
        {
            var given = items.Count == 1 ? "1 was given" : $"{items.Count} were given";
            return [new ItemError(null, $"{d.Abbreviation} has {d.ItemCount} items; {given}")];
        }

        var errors = new List<ItemError>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } value)
            {
                continue;
            }

            var number = i + 1;
            if (value < d.MinValue || value > d.MaxValue)
            {
                errors.Add(new ItemError(number, $"{Describe(d, number)} must be between {Format(d.MinValue)} and {Format(d.MaxValue)}; got {Format(value)}"));
            }
            else if (value != Math.Round(value, d.MaxDecimals))
            {
                errors.Add(new ItemError(number, $"{Describe(d, number)} must {DecimalsRule(d.MaxDecimals)}; got {Format(value)}"));
            }
        }

        return errors;
    }

    private static string Describe(InstrumentDefinition d, int number)
    {
        var label = d.ItemLabels[number - 1];

        // A placeholder label ("Item 4") would only repeat the number, so it is left out.
        return label == $"Item {number}" ? $"item {number}" : $"item {number} ({label})";
    }

    private static string DecimalsRule(int maxDecimals) => maxDecimals switch
    {
        0 => "be a whole number",
        1 => "have at most one decimal place",
        _ => $"have at most {maxDecimals} decimal places",
    };

    // Invariant culture and no trailing zeros, so "2.50" and "2.5" read the same in a message.
    private static string Format(decimal value) =>
        value.ToString("0.############################", CultureInfo.InvariantCulture);
}
