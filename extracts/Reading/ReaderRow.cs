using System.Data.Common;

namespace Trial.Extracts.Reading;

/// <summary>
/// The current row of a query, read by column name (ordinals looked up once), for datasets whose
/// columns map one to one onto table columns: a new table column then needs only a new column
/// definition.
/// </summary>
public sealed class ReaderRow(DbDataReader reader)
{
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.OrdinalIgnoreCase);

    private int Ordinal(string column)
    {
        if (!_ordinals.TryGetValue(column, out var ordinal)) _ordinals[column] = ordinal = reader.GetOrdinal(column);
        return ordinal;
    }

    public string? Text(string column) => ExportValues.Text(reader, Ordinal(column));
    public int? Integer(string column) => ExportValues.Integer(reader, Ordinal(column));
    public bool? Flag(string column) => ExportValues.Flag(reader, Ordinal(column));
    public decimal? Number(string column) => ExportValues.Number(reader, Ordinal(column));
    public DateOnly? Date(string column) => ExportValues.Date(reader, Ordinal(column));
    public DateTime? Instant(string column) => ExportValues.Instant(reader, Ordinal(column));
    public Guid? Id(string column) => ExportValues.Id(reader, Ordinal(column));
}
