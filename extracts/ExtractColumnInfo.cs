namespace Trial.Extracts;

/// <summary>
/// One column of a dataset, described once: the CSV header, the dictionary row and who may see
/// it all come from here. <see cref="FreeText"/> columns (terms, comments, reasons written by
/// people) appear only when an admin asks for free text; <see cref="UnblindedOnly"/> columns (arm,
/// stratum) only for an unblinded role.
/// </summary>
public abstract record ExtractColumnInfo
{
    public required string Name { get; init; }
    public required string Label { get; init; }
    public required string Type { get; init; }
    public string? Unit { get; init; }
    /// <summary>The allowed values or range, as a reader of the dictionary needs them.</summary>
    public string? Allowed { get; init; }
    public required string Meaning { get; init; }
    /// <summary>Where the value comes from: a table column, or how it is derived.</summary>
    public required string Source { get; init; }
    public bool FreeText { get; init; }
    public bool UnblindedOnly { get; init; }

    public bool IsFor(ExtractAudience audience) => (!FreeText || audience.IncludeFreeText) && (!UnblindedOnly || audience.Unblinded);

    /// <summary>True for columns written as whole numbers straight from an int (no text in between).</summary>
    public abstract bool IsInteger { get; }
}
