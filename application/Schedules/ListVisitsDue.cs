using System.Globalization;
using Trial.Application.Paging;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Schedules;

namespace Trial.Application.Schedules;

/// <summary>A visit on the worklist: whose, where, its window, the days left until the window closes and how urgent it is.</summary>
public sealed record VisitDue(
    string ParticipantCode, string SiteCode, string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd,
    int DaysLeft, string Urgency);

/// <summary>
/// The worklist: every planned visit at the actor's sites that is overdue (past target, window open), in window now, or
/// whose window opens within a number of days, most urgent first, a page at a time. Provisional visits (whose anchor has not
/// happened yet, so whose dates will move) are not listed.
/// </summary>
/// <remarks>
/// Each site's own date decides what is due there and how many days are left, so the sites are read in groups that share a
/// date (sites are at most a day before or after UTC: three groups at most), each group a page from the index in order of the
/// day its windows close, and the groups merged: by days left, target date, then the site's date (an earlier date first),
/// then participant id and visit code. The cursor holds the last visit's closing day less its site's offset from the UTC
/// date (so the days left, as of any day), its target date, that offset, its participant id and visit code.
/// </remarks>
public sealed class ListVisitsDue(Database db, ProtocolDefinition protocol)
{
    public const int MaxWorklistDays = 366;

    public const int DefaultDays = 7;

    private const string List = "visits-due";

    /// <summary>
    /// A page of the visits due at <paramref name="site"/> (all the actor's sites when null) within <paramref name="days"/> days (7
    /// when null); refused for days, a limit out of bounds or a cursor not of this list, and for a site not theirs.
    /// </summary>
    public async Task<Outcome<Page<VisitDue>>> ListAsync(Actor actor, string? site, int? days, DateTime nowUtc, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var horizon = days ?? DefaultDays;
        if (horizon is < 0 or > MaxWorklistDays) errors.Add("days", $"days must be between 0 and {MaxWorklistDays}; got {horizon}.");
        var page = Pages.Check(limit, cursor, List, 5, errors);
        Position? after = null;
        if (page.After is { } key)
        {
            after = Position.Parse(key);
            if (after is null) errors.Add("cursor", Pages.BadCursor);
        }
        if (errors.Any) return errors.ToRefusal();
        var (scope, siteRefusal) = ParticipantAccess.SiteScope(actor, site);
        if (siteRefusal is not null) return siteRefusal;
        var utcToday = DateOnly.FromDateTime(nowUtc);
        var rows = await db.ReadAsync(async c =>
        {
            var sites = (await AccessQueries.ListSitesAsync(c)).Where(s => scope is null || scope.Contains(s.Code));
            var read = new List<(ScheduledVisitRow Row, DateOnly Today)>();
            foreach (var group in sites.GroupBy(s => SiteCalendar.Today(nowUtc, TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone))))
            {
                var today = group.Key;
                var offset = today.DayNumber - utcToday.DayNumber;
                var start = after is null ? DueAfter.Start : after.For(offset);
                var visits = await ScheduleQueries.DueAsync(c, [.. group.Select(s => s.Code)], today, today.AddDays(horizon), page.Limit + 1, start);
                read.AddRange(visits.Select(v => (v, today)));
            }
            return read;
        });
        // A stable sort: each group's rows keep the order the index gave them (participant id and visit code among equals).
        var merged = rows
            .Select(r => (Place: Position.Of(r.Row, r.Today, utcToday), r.Row, r.Today))
            .OrderBy(r => r.Place.ClosesUtcDay).ThenBy(r => r.Place.TargetDate).ThenBy(r => r.Place.Offset)
            .Take(page.Limit + 1)
            .ToList();
        var cut = Pages.Cut(merged, page, List, r => r.Place.Key());
        return new Page<VisitDue>(cut.Items.Select(r => Due(r.Row, r.Today)).ToList(), cut.NextCursor);
    }

    private VisitDue Due(ScheduledVisitRow r, DateOnly today)
    {
        var due = Worklist.Of(ToScheduled(r), today);
        return new VisitDue(r.ParticipantCode, r.SiteCode, r.VisitCode, due.Visit.Name, r.TargetDate, r.WindowStart, r.WindowEnd, due.DaysLeft, due.Urgency);
    }

    private ScheduledVisit ToScheduled(ScheduledVisitRow r) =>
        new(r.VisitCode, protocol.FindVisit(r.VisitCode)?.Name ?? r.VisitCode, protocol.FindVisit(r.VisitCode)?.Kind ?? "", r.TargetDate, r.WindowStart, r.WindowEnd, r.Provisional, r.Status, r.ActualDate, r.InWindow);

    /// <summary>
    /// A visit's place in the worklist: the day its window closes less its site's offset from the UTC date, its target date, that
    /// offset (the site's date less the UTC date), its participant id and visit code.
    /// </summary>
    private sealed record Position(DateOnly ClosesUtcDay, DateOnly TargetDate, int Offset, Guid ParticipantId, string VisitCode)
    {
        private const string DateFormat = "yyyy-MM-dd";

        /// <summary>The place of a visit of a site whose date is <paramref name="today"/>.</summary>
        public static Position Of(ScheduledVisitRow r, DateOnly today, DateOnly utcToday) =>
            new(r.WindowEnd.AddDays(utcToday.DayNumber - today.DayNumber), r.TargetDate, today.DayNumber - utcToday.DayNumber, r.ParticipantId, r.VisitCode);

        public string[] Key() =>
        [
            ClosesUtcDay.ToString(DateFormat, CultureInfo.InvariantCulture), TargetDate.ToString(DateFormat, CultureInfo.InvariantCulture),
            Offset.ToString(CultureInfo.InvariantCulture), Pages.Key(ParticipantId), VisitCode,
        ];

        public static Position? Parse(string[] key) =>
            key is [var closes, var target, var offset, var id, var visit]
            && DateOnly.TryParseExact(closes, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var c)
            && DateOnly.TryParseExact(target, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            && int.TryParse(offset, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o) && o is >= -1 and <= 1
            && Pages.TryId(id, out var p) && visit.Length > 0
            && c.DayNumber > DateOnly.MinValue.DayNumber + 1 && c.DayNumber < DateOnly.MaxValue.DayNumber - 1
                ? new Position(c, t, o, p, visit)
                : null;

        /// <summary>Where the page starts in the group of sites whose date is <paramref name="offset"/> days from the UTC date.</summary>
        public DueAfter For(int offset) => new(ClosesUtcDay.AddDays(offset), TargetDate,
            offset < Offset ? DueTies.None : offset > Offset ? DueTies.All : DueTies.AfterParticipantAndVisit, ParticipantId, VisitCode);
    }
}
