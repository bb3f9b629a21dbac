using System.Data.Common;
using Dapper;
using Trial.Core.Schedule;

namespace Trial.Db.Schedules;

public sealed class ScheduledVisitRow
{
    public Guid ParticipantId { get; init; }
    public string ParticipantCode { get; init; } = "";
    public string SiteCode { get; init; } = "";
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

public static class ScheduleQueries
{
    /// <summary>Marks the participant's stored schedule stale; called in the transaction of every write it depends on.</summary>
    public static Task<int> MarkScheduleStaleAsync(DbConnection c, DbTransaction t, Guid participantId) =>
        c.ExecuteAsync("UPDATE Participant SET DataVersion = DataVersion + 1 WHERE Id = @participantId", new { participantId }, t);

    public static Task<int> DataVersionAsync(DbConnection c, DbTransaction t, Guid participantId) =>
        c.ExecuteScalarAsync<int>("SELECT DataVersion FROM Participant WHERE Id = @participantId", new { participantId }, t);

    public static async Task<IReadOnlyList<Guid>> StaleParticipantsAsync(DbConnection c) =>
        (await c.QueryAsync<Guid>("SELECT Id FROM Participant WHERE ScheduleVersion <> DataVersion ORDER BY Id")).AsList();

    /// <summary>Participants with a planned (not provisional) visit whose window has closed: their stored status must become missed.</summary>
    public static async Task<IReadOnlyList<Guid>> ParticipantsWithClosedWindowsAsync(DbConnection c, DateOnly today) =>
        (await c.QueryAsync<Guid>(
            "SELECT DISTINCT ParticipantId FROM ScheduledVisit WHERE Status = 'scheduled' AND Provisional = @no AND WindowEnd < @today",
            new { today, no = false })).AsList();

    public static async Task ReplaceAsync(DbConnection c, DbTransaction t, Guid participantId, int dataVersion, IEnumerable<ScheduledVisit> visits, string protocolVersion, DateTime nowUtc)
    {
        await c.ExecuteAsync("DELETE FROM ScheduledVisit WHERE ParticipantId = @participantId", new { participantId }, t);
        await c.ExecuteAsync(
            """
            INSERT INTO ScheduledVisit (ParticipantId, VisitCode, TargetDate, WindowStart, WindowEnd, Provisional, Status, ActualDate, InWindow, ProtocolVersion, ComputedUtc)
            VALUES (@ParticipantId, @VisitCode, @TargetDate, @WindowStart, @WindowEnd, @Provisional, @Status, @ActualDate, @InWindow, @ProtocolVersion, @ComputedUtc)
            """,
            visits.Select(v => new ScheduledVisitRow
            {
                ParticipantId = participantId, VisitCode = v.VisitCode, TargetDate = v.TargetDate, WindowStart = v.WindowStart, WindowEnd = v.WindowEnd,
                Provisional = v.Provisional, Status = v.Status, ActualDate = v.ActualDate, InWindow = v.InWindow, ProtocolVersion = protocolVersion, ComputedUtc = nowUtc,
            }), t);
        await c.ExecuteAsync("UPDATE Participant SET ScheduleVersion = @dataVersion WHERE Id = @participantId", new { participantId, dataVersion }, t);
    }

    public static async Task<IReadOnlyList<ScheduledVisitRow>> ForParticipantAsync(DbConnection c, Guid participantId) =>
        (await c.QueryAsync<ScheduledVisitRow>(
            $"{SelectWithParticipant} WHERE s.ParticipantId = @participantId", new { participantId })).AsList();

    /// <summary>Planned visits at these sites (all when null) whose window is open now or opens by <paramref name="until"/>.</summary>
    public static async Task<IReadOnlyList<ScheduledVisitRow>> OpenWindowsAsync(DbConnection c, IReadOnlyList<string>? sites, DateOnly today, DateOnly until) =>
        (await c.QueryAsync<ScheduledVisitRow>(
            $"{SelectWithParticipant} WHERE s.Status = 'scheduled' AND s.Provisional = @no AND s.WindowStart <= @until AND s.WindowEnd >= @today"
            + (sites is null ? "" : " AND p.SiteCode IN @sites"),
            new { sites, today, until, no = false })).AsList();

    private const string SelectWithParticipant =
        """
        SELECT s.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, s.VisitCode, s.TargetDate, s.WindowStart, s.WindowEnd, s.Provisional,
               s.Status, s.ActualDate, s.InWindow, s.ProtocolVersion, s.ComputedUtc
        FROM ScheduledVisit s JOIN Participant p ON p.Id = s.ParticipantId
        """;
}
