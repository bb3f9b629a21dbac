using System.Globalization;

namespace Trial.Extracts;

/// <summary>
/// How values are written in the extracts, once for every dataset: ISO-8601 dates, UTC
/// instants (SDTM's --DTC of an instant: the site's local date-time with its offset), numbers with a point and no trailing zeros, flags as TRUE/FALSE (which base R's read.csv,
/// readr and pandas all read as logical; read.csv leaves lower-case true/false as text), and null (never the text "null") for a missing value, which the CSV writer
/// writes as an empty field.
/// </summary>
public static class ExtractText
{
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Instants to the second, in UTC with Z: readr reads them as date-times, pandas with parse_dates.</summary>
    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>SDTM's --DTC of an instant: the site's local date-time with its offset from UTC (2026-03-02T00:30:00+01:00).</summary>
    public const string LocalDateTimeFormat = "yyyy-MM-dd'T'HH:mm:sszzz";

    public static string? Date(DateOnly? value) => value?.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static string? Instant(DateTime? value) => value?.ToUniversalTime().ToString(InstantFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// An instant as the site's clock read it, with the offset in force then (ISO 8601): its date part is the site's date, the one
    /// SDTM's --DY counts (domain/regulatory.md), and the offset gives the instant back.
    /// </summary>
    public static string LocalDateTime(DateTime utc, TimeZoneInfo zone)
    {
        var instant = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        var offset = zone.GetUtcOffset(instant);
        return new DateTimeOffset(DateTime.SpecifyKind(instant + offset, DateTimeKind.Unspecified), offset).ToString(LocalDateTimeFormat, CultureInfo.InvariantCulture);
    }

    public static string? Boolean(bool? value) => value switch { true => "TRUE", false => "FALSE", null => null };

    /// <summary>SDTM's flags: Y or N.</summary>
    public static string? YesNo(bool? value) => value switch { true => "Y", false => "N", null => null };

    /// <summary>An ADaM flag: Y when true, else empty (null).</summary>
    public static string? YesOrNull(bool value) => value ? "Y" : null;

    /// <summary>A decimal as written by a person: 2.5 rather than 2.5000 (SQL Server returns the column's scale).</summary>
    public static string? Number(decimal? value) =>
        value?.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>
    /// The study day of <paramref name="date"/> as SDTM's --DY counts it: the reference date (INF1's actual date) is day 1,
    /// the day before it day -1; there is no day 0. Empty when either date is missing (INF1 not yet recorded).
    /// </summary>
    public static int? StudyDay(DateOnly? date, DateOnly? reference) =>
        date is { } d && reference is { } start ? (d >= start ? d.DayNumber - start.DayNumber + 1 : d.DayNumber - start.DayNumber) : null;
}
