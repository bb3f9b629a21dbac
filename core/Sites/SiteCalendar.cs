namespace Trial.Core.Sites;

/// <summary>
/// The calendar of a site: which date an instant falls on where the site is, and when a site's date begins. Visit dates,
/// "today" and the date of an event are the site's dates, not UTC's: at 00:30 in Warsaw it is already the next day there
/// while UTC is still on the previous one, and at 20:00 in New York UTC is already on the next day. Pure: the caller
/// passes the instant, so Core never reads a clock. Time zones are IANA ids (e.g. "Europe/Warsaw") found with
/// <see cref="TimeZoneInfo.FindSystemTimeZoneById(string)"/>.
/// </summary>
public static class SiteCalendar
{
    /// <summary>The site's current date.</summary>
    /// <param name="nowUtc">The current instant, UTC (an unspecified kind is read as UTC; local time is refused).</param>
    /// <param name="zone">The site's time zone.</param>
    public static DateOnly Today(DateTime nowUtc, TimeZoneInfo zone) => LocalDate(nowUtc, zone);

    /// <summary>The site-local date on which <paramref name="instantUtc"/> falls.</summary>
    /// <param name="instantUtc">An instant, UTC (an unspecified kind is read as UTC; local time is refused).</param>
    /// <param name="zone">The site's time zone.</param>
    public static DateOnly LocalDate(DateTime instantUtc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(AsUtc(instantUtc, nameof(instantUtc)), zone));
    }

    /// <summary>
    /// The first instant (UTC) of <paramref name="date"/> at the site. Usually 00:00 local time; where the clocks jump
    /// over midnight it is the moment they land (e.g. 01:00), and where midnight happens twice it is the first one, so
    /// the result is never later than any instant of that local date.
    /// </summary>
    public static DateTime StartOfDayUtc(DateOnly date, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

        if (zone.IsAmbiguousTime(midnight))
        {
            // The larger offset is the earlier of the two instants that read 00:00.
            var offset = zone.GetAmbiguousTimeOffsets(midnight).Max();
            return DateTime.SpecifyKind(midnight - offset, DateTimeKind.Utc);
        }

        // Clocks that skip midnight skip at most a few hours; the first local minute that exists is where the day begins.
        var local = midnight;
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>The instant as UTC; an unspecified kind (as read back from storage) is taken to be UTC already.</summary>
    internal static DateTime AsUtc(DateTime instant, string parameterName) => instant.Kind switch
    {
        DateTimeKind.Utc => instant,
        DateTimeKind.Unspecified => DateTime.SpecifyKind(instant, DateTimeKind.Utc),

        // A local time would be converted with the server's zone, which is not the site's and not UTC.
        _ => throw new ArgumentException("The instant must be UTC, not local time.", parameterName),
    };
}
