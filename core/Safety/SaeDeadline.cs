using Trial.Core.Sites;

namespace Trial.Core.Safety;

/// <summary>
/// When a serious adverse event must have been reported to the sponsor: <see cref="DeadlineUtc"/> is
/// <see cref="ClockStartUtc"/> plus the reporting period. <see cref="AwarenessTimeRecorded"/> says whether the clock started
/// at the recorded instant the site became aware, or (false) at the start of the aware date at the site because only the
/// date is known. One function for every place that shows or enforces the deadline, so they can never disagree.
/// </summary>
public sealed record SaeDeadline(DateTime DeadlineUtc, DateTime ClockStartUtc, bool AwarenessTimeRecorded)
{
    /// <summary>
    /// The reporting deadline. With <paramref name="awareUtc"/> the clock starts at that instant. Without it, it starts at
    /// the first instant of <paramref name="awareDate"/> in the site's time zone: the site may have learned of the event at
    /// any time that day, and counting from the earliest possible moment never judges a report on time that might have
    /// been late.
    /// </summary>
    /// <param name="awareDate">The site-local date the site became aware of the event.</param>
    /// <param name="awareUtc">The instant the site became aware, when recorded (UTC; an unspecified kind is read as UTC).</param>
    /// <param name="siteTimeZone">The site's time zone, used only when <paramref name="awareUtc"/> is null.</param>
    /// <param name="hours">The reporting period in hours (the SAE_CLOCK rule's reportWithinHours); must be positive.</param>
    public static SaeDeadline Compute(DateOnly awareDate, DateTime? awareUtc, TimeZoneInfo siteTimeZone, decimal hours)
    {
        ArgumentNullException.ThrowIfNull(siteTimeZone);
        if (hours <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hours), hours, "The reporting period must be positive.");
        }

        var start = awareUtc is { } aware
            ? SiteCalendar.AsUtc(aware, nameof(awareUtc))
            : SiteCalendar.StartOfDayUtc(awareDate, siteTimeZone);
        return new SaeDeadline(start.AddTicks((long)(hours * TimeSpan.TicksPerHour)), start, awareUtc is not null);
    }
}
