namespace Trial.Extracts;

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

    /// <summary>An instant as the site's local date-time with its UTC offset (SDTM's --DTC of an instant).</summary>
    public static ExtractColumn<TRow> LocalDateTime(string name, string label, Func<TRow, DateTimeOffset?> value, string meaning, string source, bool unblindedOnly = false) =>
        Text(name, label, r => ExtractText.LocalDateTime(value(r)), meaning, source, "yyyy-MM-ddThh:mm:ss+hh:mm (the site's local time and its offset from UTC)",
            ColumnTypes.Instant, unblindedOnly: unblindedOnly);

    public static ExtractColumn<TRow> Boolean(string name, string label, Func<TRow, bool?> value, string meaning, string source, bool unblindedOnly = false) =>
        Text(name, label, r => ExtractText.Boolean(value(r)), meaning, source, "TRUE, FALSE", ColumnTypes.Boolean, unblindedOnly: unblindedOnly);
}
