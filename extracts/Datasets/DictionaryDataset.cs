using System.Runtime.CompilerServices;

namespace Trial.Extracts.Datasets;

public sealed record DictionaryRow(string Dataset, ExtractColumnInfo Column);

/// <summary>
/// Every column of every dataset (itself included), from the same column definitions that write
/// the files, for the same audience: what the dictionary lists is exactly what the files hold. So a
/// blinded audience's dictionary does not list the unblinded-only columns (arm, stratum) or the
/// randomisation list at all; an unblinded audience's lists them, marked unblinded_only = TRUE.
/// </summary>
public sealed class DictionaryDataset(Func<IReadOnlyList<IExtractDataset>> datasets) : ExtractDataset<DictionaryRow>
{
    public override string Name => "dictionary";
    public override string Description => "Every column of every dataset: name, label, type, unit, allowed values, meaning, source.";

    public override IReadOnlyList<ExtractColumn<DictionaryRow>> Columns { get; } =
    [
        Column<DictionaryRow>.Text("dataset", "Dataset", r => r.Dataset, "The dataset (file name without .csv).", "extract definition"),
        Column<DictionaryRow>.Text("name", "Column name", r => r.Column.Name, "The column's name in the header row.", "extract definition"),
        Column<DictionaryRow>.Text("label", "Label", r => r.Column.Label, "A short human-readable label.", "extract definition"),
        Column<DictionaryRow>.Text("type", "Type", r => r.Column.Type,
            "text; integer; number (decimal point, no thousands separator); date (yyyy-MM-dd); datetime (ISO 8601 in UTC, yyyy-MM-ddThh:mm:ssZ); boolean (TRUE/FALSE).",
            "extract definition", allowed: string.Join(", ", ColumnTypes.Text, ColumnTypes.Integer, ColumnTypes.Number, ColumnTypes.Date, ColumnTypes.Instant, ColumnTypes.Boolean)),
        Column<DictionaryRow>.Text("unit", "Unit", r => r.Column.Unit, "Unit of measure; empty when none.", "extract definition"),
        Column<DictionaryRow>.Text("allowed_values", "Allowed values or range", r => r.Column.Allowed, "The values the column can hold, or its range; empty when free.", "extract definition"),
        Column<DictionaryRow>.Text("meaning", "Meaning", r => r.Column.Meaning, "What the value means, and when it is empty. An empty field is always a missing value.", "extract definition"),
        Column<DictionaryRow>.Text("source", "Source", r => r.Column.Source, "Where the value comes from: Table.Column, the protocol file, or how it is derived.", "extract definition"),
        Column<DictionaryRow>.Boolean("free_text", "Free text", r => r.Column.FreeText,
            "True for text written by people (terms, comments, reasons): present only when an admin asks for free text (includeFreeText=true).", "extract definition"),
        Column<DictionaryRow>.Boolean("unblinded_only", "Unblinded only", r => r.Column.UnblindedOnly,
            "True for columns that reveal the treatment arm (ARMCD, ARM, STRATUM, RANDNO and the randomisation list): present only in extracts for an unblinded role, and listed only in their dictionary.", "extract definition"),
    ];

    protected override async IAsyncEnumerable<DictionaryRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var dataset in datasets().Where(d => d.IsFor(context.Audience)))
        {
            foreach (var column in dataset.Columns.Where(c => c.IsFor(context.Audience)))
                yield return new DictionaryRow(dataset.Name, column);
        }

        await Task.CompletedTask;
    }
}
