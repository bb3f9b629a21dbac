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

    public static string? Date(DateOnly? value) => value?.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static string? Instant(DateTime? value) => value?.ToUniversalTime().ToString(InstantFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// A site-local date-time to the second with its offset from UTC (2026-03-02T09:10:00+01:00; +00:00 at a UTC site), as SDTM's
    /// --DTC of an instant: the date part is the site's calendar date, the one its --DY counts, and the instant stays exact.
    /// </summary>
    public const string LocalDateTimeFormat = "yyyy-MM-dd'T'HH:mm:sszzz";

    /// <summary>The instant as the site's clock read it, with the site's UTC offset at that instant (summer time included).</summary>
    /// <param name="utc">An instant, UTC (an unspecified kind, as read back from storage, is taken as UTC).</param>
    /// <param name="zone">The site's time zone.</param>
    public static DateTimeOffset LocalDateTime(DateTime utc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var instant = new DateTimeOffset(utc.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(utc, DateTimeKind.Utc) : utc.ToUniversalTime());
        return TimeZoneInfo.ConvertTime(instant, zone);
    }

    /// <summary>A site-local date-time written with its offset (<see cref="LocalDateTimeFormat"/>).</summary>
    public static string? LocalDateTime(DateTimeOffset? value) => value?.ToString(LocalDateTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>The calendar date of a site-local date-time: the date part its --DTC shows, from which --DY is counted.</summary>
    public static DateOnly? LocalDate(DateTimeOffset? value) => value is { } local ? DateOnly.FromDateTime(local.DateTime) : null;

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
