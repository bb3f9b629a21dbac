using System.Globalization;
using Dapper;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;

namespace Trial.Db.Schedules;

public sealed class ScheduledVisitRow
{
    public Guid ParticipantId { get; init; }
    public string ParticipantCode { get; init; } = "";
    public string SiteCode { get; init; } = "";
    public string SiteTimeZone { get; init; } = "UTC";
    public string VisitCode { get; init; } = "";
    public DateOnly TargetDate { get; init; }
    public DateOnly WindowStart { get; init; }
    public DateOnly WindowEnd { get; init; }
    public bool Provisional { get; init; }
    public string Status { get; init; } = "";
    public DateOnly? ActualDate { get; init; }
    public bool? InWindow { get; init; }
    public string ProtocolVersion { get; init; } = "";
    public DateTime ComputedUtc { get; init; }
}

/// <summary>Which visits at the same window end and target date as the last one given follow it on the next page.</summary>
public enum DueTies
{
    None = 0,
    All = 1,
    AfterParticipantAndVisit = 2,
}

/// <summary>Where a page of the worklist starts: after the visit closing on <see cref="WindowEnd"/> with <see cref="TargetDate"/>.</summary>
public sealed record DueAfter(DateOnly WindowEnd, DateOnly TargetDate, DueTies Ties, Guid ParticipantId, string VisitCode)
{
    /// <summary>The first page: every visit.</summary>
    public static readonly DueAfter Start = new(DateOnly.MinValue, DateOnly.MinValue, DueTies.All, Guid.Empty, "");
}

public static class ScheduleQueries
{
    /// <summary>Marks the participant's stored schedule stale; called in the transaction of every write it depends on.</summary>
    public static Task<int> MarkScheduleStaleAsync(DbSession s, Guid participantId) =>
        s.ExecuteAsync(MarkStaleSql, new { participantId });

    /// <summary>The version of the data the participant's schedule depends on (visit records among it): every write to it moves it on.</summary>
    public static Task<int> DataVersionAsync(DbSession s, Guid participantId) =>
        s.ExecuteScalarAsync<int>(DataVersionSql, new { participantId });

    public static async Task<IReadOnlyList<Guid>> StaleParticipantsAsync(DbSession s) =>
        (await s.QueryAsync<Guid>(StaleSql)).AsList();

    /// <summary>
    /// Participants with a planned (not provisional) visit whose window has closed in their site's calendar: their stored
    /// status must become missed. <paramref name="nowUtc"/> is turned into each site's local date.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ParticipantsWithClosedWindowsAsync(DbSession s, DateTime nowUtc)
    {
        // No site's local date is more than a day past the UTC date, so this bound keeps every candidate.
        var latestToday = DateOnly.FromDateTime(nowUtc).AddDays(1);
        var candidates = await s.QueryAsync<ClosedWindowRow>(ClosedWindowsSql, new { latestToday, no = false });
        return candidates.Where(r => r.HasClosed(nowUtc)).Select(r => r.ParticipantId).Distinct().ToList();
    }

    private sealed class ClosedWindowRow
    {
        public Guid ParticipantId { get; init; }
        public string TimeZone { get; init; } = "UTC";

        // Read as stored (text on SQLite, a date on SQL Server) and converted row by row, like the time zone, so that one
        // row that cannot be read fails neither this query nor the sweep for every other participant.
        public object? WindowEnd { get; init; }

        /// <summary>
        /// Whether the window has closed in the site's calendar. A row whose site time zone or window end cannot be read
        /// counts as closed: the participant's rebuild then rewrites the stored plan from the visits, or fails under the
        /// sweep's guard, which logs it and retries later.
        /// </summary>
        public bool HasClosed(DateTime nowUtc)
        {
            DateOnly? windowEnd = WindowEnd switch
            {
                DateOnly d => d,
                DateTime dt => DateOnly.FromDateTime(dt),
                string s when DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
                _ => null,
            };
            if (windowEnd is null || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone)) return true;
            return windowEnd < DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone));
        }
    }

    public static async Task ReplaceAsync(DbSession s, Guid participantId, int dataVersion, IEnumerable<ScheduledVisit> visits, string protocolVersion, DateTime nowUtc)
    {
        await s.ExecuteAsync(DeleteSql, new { participantId });
        await s.ExecuteAsync(
            InsertSql,
            visits.Select(v => new ScheduledVisitRow
            {
                ParticipantId = participantId, VisitCode = v.VisitCode, TargetDate = v.TargetDate, WindowStart = v.WindowStart, WindowEnd = v.WindowEnd,
                Provisional = v.Provisional, Status = v.Status, ActualDate = v.ActualDate, InWindow = v.InWindow, ProtocolVersion = protocolVersion, ComputedUtc = nowUtc,
            }));
        await s.ExecuteAsync(SetScheduleVersionSql, new { participantId, dataVersion });
    }

    /// <summary>The visits the participant's stored plan counts as missed; reads no dates, so a plan with a damaged date can still be replaced.</summary>
    public static async Task<IReadOnlyList<string>> MissedVisitCodesAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<(string VisitCode, string Status)>(VisitStatusesSql, new { participantId }))
        .Where(v => v.Status == VisitStatuses.Missed).Select(v => v.VisitCode).ToList();

    public static async Task<IReadOnlyList<ScheduledVisitRow>> ForParticipantAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<ScheduledVisitRow>(ForParticipantSql, new { participantId })).AsList();

    /// <summary>
    /// Up to <paramref name="limit"/> planned (not provisional) visits of participants at <paramref name="sites"/>, all of whose
    /// local date is <paramref name="today"/>, whose window is open on that day or opens by <paramref name="until"/>, after the
    /// visit <paramref name="after"/> names, by the day the window closes, target date, participant id and visit code.
    /// </summary>
    public static async Task<IReadOnlyList<ScheduledVisitRow>> DueAsync(
        DbSession s, IReadOnlyList<string> sites, DateOnly today, DateOnly until, int limit, DueAfter after) =>
        (await s.QueryAsync<ScheduledVisitRow>(s.Dialect.Top(DueSql), new
        {
            limit, sites, today, until, no = false,
            afterWindowEnd = after.WindowEnd, afterTarget = after.TargetDate, ties = (int)after.Ties,
            afterParticipant = after.ParticipantId, afterVisit = after.VisitCode,
        })).AsList();

    private const string SelectWithParticipant =
        """
        SELECT s.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, st.TimeZone AS SiteTimeZone, s.VisitCode, s.TargetDate, s.WindowStart, s.WindowEnd, s.Provisional,
               s.Status, s.ActualDate, s.InWindow, s.ProtocolVersion, s.ComputedUtc
        FROM ScheduledVisit s JOIN Participant p ON p.Id = s.ParticipantId JOIN Site st ON st.Code = p.SiteCode
        """;

    private const string InsertSql =
        """
            INSERT INTO ScheduledVisit (ParticipantId, VisitCode, TargetDate, WindowStart, WindowEnd, Provisional, Status, ActualDate, InWindow, ProtocolVersion, ComputedUtc)
            VALUES (@ParticipantId, @VisitCode, @TargetDate, @WindowStart, @WindowEnd, @Provisional, @Status, @ActualDate, @InWindow, @ProtocolVersion, @ComputedUtc)
            """;
    private const string MarkStaleSql = "UPDATE Participant SET DataVersion = DataVersion + 1 WHERE Id = @participantId";
    private const string DataVersionSql = "SELECT DataVersion FROM Participant WHERE Id = @participantId";
    private const string StaleSql = "SELECT Id FROM Participant WHERE ScheduleVersion <> DataVersion ORDER BY Id";
    private const string ClosedWindowsSql =
        """
        SELECT s.ParticipantId, st.TimeZone, s.WindowEnd
        FROM ScheduledVisit s JOIN Participant p ON p.Id = s.ParticipantId JOIN Site st ON st.Code = p.SiteCode
        WHERE s.Status = 'scheduled' AND s.Provisional = @no AND s.WindowEnd < @latestToday
        """;
    // The status is compared in code: with "AND Status = 'missed'" here SQLite's planner took the status index and read
    // every missed visit of the study for each participant.
    private const string VisitStatusesSql = "SELECT VisitCode, Status FROM ScheduledVisit WHERE ParticipantId = @participantId";
    private const string DeleteSql = "DELETE FROM ScheduledVisit WHERE ParticipantId = @participantId";
    private const string SetScheduleVersionSql = "UPDATE Participant SET ScheduleVersion = @dataVersion WHERE Id = @participantId";
    private const string ForParticipantSql = $"{SelectWithParticipant} WHERE s.ParticipantId = @participantId";
    // The worklist's page: a range on IX_ScheduledVisit_Due (status, provisional, then the list's order) from the later of the
    // day's start and the last visit given, so a page starts where the one before ended. Visits at the same window end and
    // target date as the last one given are all after it (@ties = 1), none of them (0), or those after its participant and
    // visit (2): the worklist merges sites whose dates differ, and the tie-break between them is the site's date.
    private const string DueSql =
        """
        SELECT TOP (@limit) s.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, s.VisitCode, s.TargetDate, s.WindowStart, s.WindowEnd, s.Provisional,
               s.Status, s.ActualDate, s.InWindow, s.ProtocolVersion, s.ComputedUtc
        FROM ScheduledVisit s JOIN Participant p ON p.Id = s.ParticipantId
        WHERE s.Status = 'scheduled' AND s.Provisional = @no AND s.WindowEnd >= @today AND s.WindowStart <= @until
          AND s.WindowEnd >= @afterWindowEnd
          AND (s.WindowEnd > @afterWindowEnd OR s.TargetDate > @afterTarget
               OR (s.TargetDate = @afterTarget AND (@ties = 1
                   OR (@ties = 2 AND (s.ParticipantId > @afterParticipant OR (s.ParticipantId = @afterParticipant AND s.VisitCode > @afterVisit))))))
          AND p.SiteCode IN @sites
        ORDER BY s.WindowEnd, s.TargetDate, s.ParticipantId, s.VisitCode
        """;
}
