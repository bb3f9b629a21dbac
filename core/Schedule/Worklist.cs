namespace Trial.Core.Schedule;

/// <summary>What a site must arrange in the coming days: visits still to do whose window is open or opens soon.</summary>
public static class Worklist
{
    /// <summary>
    /// Scheduled, non-provisional visits whose window overlaps [today, today + days], most
    /// pressing first (fewest days until the window closes, then target date, then visit code).
    /// </summary>
    public static IReadOnlyList<DueVisit> Select(IReadOnlyList<ScheduledVisit> schedule, DateOnly today, int days)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(days);

        var horizon = today.AddDays(days);
        // Provisional visits are left out: their dates will move when the anchor happens, so
        // booking them now would book the wrong day. Missed and done visits need no action here.
        return schedule
            .Where(v => v.Status == VisitStatuses.Scheduled && !v.Provisional && v.WindowStart <= horizon && v.WindowEnd >= today)
            .Select(v => Of(v, today))
            .OrderBy(d => d.DaysLeft)
            .ThenBy(d => d.Visit.TargetDate)
            .ThenBy(d => d.Visit.VisitCode, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A visit on the worklist of <paramref name="today"/>: the days until its window closes and how pressing it is.</summary>
    public static DueVisit Of(ScheduledVisit visit, DateOnly today) =>
        new(visit, visit.WindowEnd.DayNumber - today.DayNumber, UrgencyOf(visit, today));

    // Past the target but with the window still open is "overdue": still doable in window,
    // but later than planned. Between window start and target is "in-window"; before the window
    // opens, "upcoming".
    private static string UrgencyOf(ScheduledVisit visit, DateOnly today) =>
        today > visit.TargetDate ? Urgencies.Overdue
        : visit.WindowStart <= today ? Urgencies.InWindow
        : Urgencies.Upcoming;
}
