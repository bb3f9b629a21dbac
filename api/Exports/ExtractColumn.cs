namespace Trial.Api.Exports;

/// <summary>The kinds of value a column holds, as the dictionary names them.</summary>
public static class ColumnTypes
{
    public const string Text = "text", Integer = "integer", Number = "number", Date = "date", Instant = "datetime", Boolean = "boolean";
}

/// <summary>
/// Who an extract is for: whether free text was asked for (admins only) and whether the caller may see arms (a role in
/// <see cref="ExportRequests.UnblindedRoles"/>: the unblinded statistician).
/// </summary>
public sealed record ExtractAudience(bool IncludeFreeText, bool Unblinded)
{
    public static readonly ExtractAudience BlindedPseudonymised = new(IncludeFreeText: false, Unblinded: false);
}

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

/// <summary>A column whose value is read from the dataset's current row of type <typeparamref name="TRow"/>.</summary>
public sealed record ExtractColumn<TRow> : ExtractColumnInfo
{
    public Func<TRow, string?>? Text { get; init; }
    public Func<TRow, int?>? Integer { get; init; }
    public override bool IsInteger => Integer is not null;

    /// <summary>The same column over rows of another type, each of which gives the <typeparamref name="TRow"/> the value is read from.</summary>
    public ExtractColumn<TOuter> Through<TOuter>(Func<TOuter, TRow> inner) => new()
    {
        Name = Name, Label = Label, Type = Type, Unit = Unit, Allowed = Allowed, Meaning = Meaning, Source = Source, FreeText = FreeText, UnblindedOnly = UnblindedOnly,
        Text = Text is { } text ? r => text(inner(r)) : null,
        Integer = Integer is { } integer ? r => integer(inner(r)) : null,
    };

    /// <summary>This column's field of the row as it stands in the CSV file (quoted where RFC 4180 needs it; empty for a missing value).</summary>
    public string Csv(TRow row) => Integer is { } integer
        ? integer(row)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""
        : Utf8Csv.Field(Text!(row));
}

/// <summary>Short constructors for column definitions, so each dataset reads as a table of its columns.</summary>
public static class Column<TRow>
{
    public static ExtractColumn<TRow> Text(string name, string label, Func<TRow, string?> value, string meaning, string source,
        string? allowed = null, string type = ColumnTypes.Text, string? unit = null, bool freeText = false, bool unblindedOnly = false) =>
        new() { Name = name, Label = label, Type = type, Unit = unit, Allowed = allowed, Meaning = meaning, Source = source, FreeText = freeText, UnblindedOnly = unblindedOnly, Text = value };

    public static ExtractColumn<TRow> Integer(string name, string label, Func<TRow, int?> value, string meaning, string source,
        string? allowed = null, string? unit = null, bool unblindedOnly = false) =>
        new() { Name = name, Label = label, Type = ColumnTypes.Integer, Unit = unit, Allowed = allowed, Meaning = meaning, Source = source, UnblindedOnly = unblindedOnly, Integer = value };

    public static ExtractColumn<TRow> Number(string name, string label, Func<TRow, decimal?> value, string meaning, string source,
        string? allowed = null, string? unit = null, bool unblindedOnly = false) =>
        Text(name, label, r => ExtractText.Number(value(r)), meaning, source, allowed, ColumnTypes.Number, unit, unblindedOnly: unblindedOnly);

    public static ExtractColumn<TRow> Date(string name, string label, Func<TRow, DateOnly?> value, string meaning, string source, bool unblindedOnly = false) =>
        Text(name, label, r => ExtractText.Date(value(r)), meaning, source, "yyyy-MM-dd", ColumnTypes.Date, unblindedOnly: unblindedOnly);

    public static ExtractColumn<TRow> Instant(string name, string label, Func<TRow, DateTime?> value, string meaning, string source, bool unblindedOnly = false) =>
        Text(name, label, r => ExtractText.Instant(value(r)), meaning, source, "yyyy-MM-ddThh:mm:ssZ (UTC)", ColumnTypes.Instant, unblindedOnly: unblindedOnly);

    public static ExtractColumn<TRow> Boolean(string name, string label, Func<TRow, bool?> value, string meaning, string source, bool unblindedOnly = false) =>
        Text(name, label, r => ExtractText.Boolean(value(r)), meaning, source, "TRUE, FALSE", ColumnTypes.Boolean, unblindedOnly: unblindedOnly);
}
