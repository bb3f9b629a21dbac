namespace Trial.Core.Instruments;

/// <summary>
/// BSL-23 severity bands by mean item score (Kleindienst et al. 2020), read from the BSL-23 definition:
/// 0 none/low, 1 mild, 2 moderate, 3 high, 4 very high, 5 extremely high. Lower bounds are inclusive.
/// </summary>
public static class Bsl23Bands
{
    /// <summary>Band index 0–5 for a mean in 0–4; pass the unrounded mean.</summary>
    public static int Index(decimal mean)
    {
        var definition = InstrumentCatalog.Bsl23Definition;

        // A mean outside the item range can only come from a bug upstream; classifying it would hide that.
        if (mean < definition.MinValue || mean > definition.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, $"A BSL-23 mean must be between {definition.MinValue} and {definition.MaxValue}.");
        }

        return SeverityBands.Index(definition.SeverityBands, mean);
    }

    public static string Name(decimal mean) => InstrumentCatalog.Bsl23Definition.SeverityBands[Index(mean)].Name;
}
