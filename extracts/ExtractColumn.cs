using Trial.Extracts.Writing;

namespace Trial.Extracts;

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
