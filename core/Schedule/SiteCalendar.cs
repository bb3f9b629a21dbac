namespace Trial.Core.Schedule;

/// <summary>
/// Visit, onset and awareness dates are dates of the site's own calendar. "Today", "in the future" and "the window has
/// closed" are therefore judged on the site's local date, not on the UTC date: at 00:30 in Warsaw it is already the next day there.
/// </summary>
public static class SiteCalendar
{
    /// <summary>The date it is at the site at the instant <paramref name="nowUtc"/>.</summary>
    public static DateOnly Today(DateTime nowUtc, TimeZoneInfo zone) => LocalDate(nowUtc, zone);

    /// <summary>The site's calendar date of an instant.</summary>
    public static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (utc.Kind == DateTimeKind.Local) throw new ArgumentException("The instant must be UTC, not local time.", nameof(utc));
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));
    }
}
