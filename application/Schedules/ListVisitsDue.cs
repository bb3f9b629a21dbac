using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Infrastructure;
using Trial.Db.Schedules;

namespace Trial.Application.Schedules;

/// <summary>A visit on the worklist: whose, where, its window, the days left until the window closes and how urgent it is.</summary>
public sealed record VisitDue(
    string ParticipantCode, string SiteCode, string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd,
    int DaysLeft, string Urgency);

/// <summary>
/// The worklist: every planned visit at the actor's sites that is overdue (past target, window open), in window now, or
/// whose window opens within a number of days, most urgent first. Provisional visits (whose anchor has not happened yet,
/// so whose dates will move) are not listed.
/// </summary>
public sealed class ListVisitsDue(Database db, ProtocolDefinition protocol)
{
    public const int MaxWorklistDays = 366;

    public const int DefaultDays = 7;

    /// <summary>The visits due at <paramref name="site"/> (all the actor's sites when null) within <paramref name="days"/> days (7 when null).</summary>
    public async Task<Outcome<List<VisitDue>>> ListAsync(Actor actor, string? site, int? days, DateTime nowUtc)
    {
        var horizon = days ?? DefaultDays;
        if (horizon is < 0 or > MaxWorklistDays) return Invalid.Field("days", $"days must be between 0 and {MaxWorklistDays}; got {horizon}.");
        var (sites, siteRefusal) = ParticipantAccess.SiteScope(actor, site);
        if (siteRefusal is not null) return siteRefusal;
        // Each site's own date decides what is due there; the query covers the widest day any site can be on.
        var utcToday = DateOnly.FromDateTime(nowUtc);
        var rows = await db.ReadAsync(c => ScheduleQueries.OpenWindowsAsync(c, sites, utcToday.AddDays(-1), utcToday.AddDays(horizon + 1)));
        return rows
            .GroupBy(r => (r.ParticipantCode, r.SiteCode, r.SiteTimeZone))
            .SelectMany(g => Worklist.Select(g.Select(ToScheduled).ToList(), SiteCalendar.Today(nowUtc, TimeZoneInfo.FindSystemTimeZoneById(g.Key.SiteTimeZone)), horizon)
                .Select(d => new VisitDue(g.Key.ParticipantCode, g.Key.SiteCode, d.Visit.VisitCode, d.Visit.Name, d.Visit.TargetDate,
                    d.Visit.WindowStart, d.Visit.WindowEnd, d.DaysLeft, d.Urgency)))
            .OrderBy(d => d.DaysLeft).ThenBy(d => d.TargetDate).ThenBy(d => d.ParticipantCode, StringComparer.Ordinal).ThenBy(d => d.VisitCode, StringComparer.Ordinal)
            .ToList();
    }

    private ScheduledVisit ToScheduled(ScheduledVisitRow r) =>
        new(r.VisitCode, protocol.FindVisit(r.VisitCode)?.Name ?? r.VisitCode, protocol.FindVisit(r.VisitCode)?.Kind ?? "", r.TargetDate, r.WindowStart, r.WindowEnd, r.Provisional, r.Status, r.ActualDate, r.InWindow);
}
