using System.Data.Common;
using System.Globalization;

namespace Trial.Extracts.Reading;

/// <summary>
/// Reads one column of the current row the same way on both dialects: SQLite hands back dates,
/// instants and ids as text, flags as integers and DECIMAL columns as integers or reals; SQL Server
/// as native types. The extract readers call these per row, so they avoid Dapper's per-row mapping.
/// </summary>
public static class ExportValues
{
    public static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    public static int? Integer(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Convert.ToInt32(r.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static bool? Flag(DbDataReader r, int ordinal) => r.GetValue(ordinal) switch
    {
        DBNull => null,
        bool b => b,
        long l => l != 0,
        int i => i != 0,
        var other => throw new InvalidCastException($"Cannot read {other.GetType().Name} as a flag."),
    };

    /// <summary>
    /// SQLite keeps 70 as an integer and 61.5 as a real (one column can hold both across rows); the
    /// conversion of a double to decimal keeps 15 significant digits, which restores the value as written.
    /// </summary>
    public static decimal? Number(DbDataReader r, int ordinal) => r.GetValue(ordinal) switch
    {
        DBNull => null,
        decimal d => d,
        double d => (decimal)d,
        long l => l,
        int i => i,
        var other => throw new InvalidCastException($"Cannot read {other.GetType().Name} as a number."),
    };

    public static DateOnly? Date(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetValue(ordinal) switch
    {
        string s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => DateOnly.FromDateTime(dt),
        DateOnly d => d,
        var other => throw new InvalidCastException($"Cannot read {other.GetType().Name} as a date."),
    };

    public static DateTime? Instant(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetValue(ordinal) switch
    {
        string s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        DateTime dt => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
        var other => throw new InvalidCastException($"Cannot read {other.GetType().Name} as an instant."),
    };

    public static Guid? Id(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetValue(ordinal) switch
    {
        Guid g => g,
        string s => Guid.Parse(s),
        var other => throw new InvalidCastException($"Cannot read {other.GetType().Name} as an id."),
    };
}
