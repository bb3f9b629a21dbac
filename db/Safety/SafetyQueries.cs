using System.Data.Common;
using Dapper;

namespace Trial.Db.Safety;

public sealed class SafetyAlertRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string ParticipantCode { get; init; } = "";
    public string SiteCode { get; init; } = "";
    public string RuleCode { get; init; } = "";
    public string Severity { get; init; } = "";
    public string SourceType { get; init; } = "";
    public string SourceKey { get; init; } = "";
    public string? VisitCode { get; init; }
    public string Message { get; init; } = "";
    public string ValuesJson { get; init; } = "{}";
    public string Status { get; init; } = "";
    public bool Escalated { get; init; }
    public DateTime RaisedUtc { get; init; }
    public DateTime? SupersededUtc { get; init; }
    public string ProtocolVersion { get; init; } = "";
}

public sealed class SafetyAlertEventRow
{
    public Guid Id { get; init; }
    public Guid AlertId { get; init; }
    public string Action { get; init; } = "";
    public string? FromStatus { get; init; }
    public string? ToStatus { get; init; }
    public string? Comment { get; init; }
    public Guid? ActorId { get; init; }
    public string ActorRole { get; init; } = "";
    public DateTime AtUtc { get; init; }
}

public sealed class SafetyVersions
{
    public int Version { get; init; }
    public int EvaluatedVersion { get; init; }
}

/// <summary>Filters of the monitors' alert list; null means any.</summary>
public sealed record AlertFilter(
    IReadOnlyList<string>? Sites, string? Status, string? Severity, string? ParticipantCode, string? Rule, DateTime? SinceUtc, bool IncludeSuperseded);

public static class SafetyQueries
{
    private const string Select =
        """
        SELECT a.Id, a.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode,
               a.Message, a.ValuesJson, a.Status, a.Escalated, a.RaisedUtc, a.SupersededUtc, a.ProtocolVersion
        FROM SafetyAlert a JOIN Participant p ON p.Id = a.ParticipantId
        """;

    private const string MarkUnevaluatedSql = "UPDATE Participant SET SafetyVersion = SafetyVersion + 1 WHERE Id = @participantId";
    private const string VersionsSql = "SELECT SafetyVersion AS Version, SafetyEvaluatedVersion AS EvaluatedVersion FROM Participant WHERE Id = @participantId";
    private const string SetEvaluatedSql = "UPDATE Participant SET SafetyEvaluatedVersion = @version WHERE Id = @participantId";
    private const string UnevaluatedSql = "SELECT Id FROM Participant WHERE SafetyEvaluatedVersion <> SafetyVersion ORDER BY Id";
    private const string OpenSaeClocksSql = "SELECT DISTINCT ParticipantId FROM AdverseEvent WHERE Serious = @yes AND SponsorReportedUtc IS NULL";
    private const string ForParticipantSql = Select + " WHERE a.ParticipantId = @participantId";
    private const string GetSql = Select + " WHERE a.Id = @id";

    private const string InsertSql =
        """
        INSERT INTO SafetyAlert (Id, ParticipantId, RuleCode, Severity, SourceType, SourceKey, VisitCode, Message, ValuesJson, Status, Escalated, RaisedUtc, SupersededUtc, ProtocolVersion)
        VALUES (@Id, @ParticipantId, @RuleCode, @Severity, @SourceType, @SourceKey, @VisitCode, @Message, @ValuesJson, @Status, @Escalated, @RaisedUtc, @SupersededUtc, @ProtocolVersion)
        """;

    private const string SetSupersededSql = "UPDATE SafetyAlert SET SupersededUtc = @supersededUtc WHERE Id = @id";
    private const string SetFindingSql = "UPDATE SafetyAlert SET Message = @message, ValuesJson = @valuesJson, Severity = @severity, VisitCode = @visitCode WHERE Id = @id";
    private const string SetStatusSql = "UPDATE SafetyAlert SET Status = @toStatus WHERE Id = @id AND Status = @fromStatus";
    private const string SetEscalatedSql = "UPDATE SafetyAlert SET Escalated = @yes WHERE Id = @id AND Escalated = @no AND Status <> 'resolved'";

    private const string InsertEventSql =
        """
        INSERT INTO SafetyAlertEvent (Id, AlertId, Action, FromStatus, ToStatus, Comment, ActorId, ActorRole, AtUtc)
        VALUES (@Id, @AlertId, @Action, @FromStatus, @ToStatus, @Comment, @ActorId, @ActorRole, @AtUtc)
        """;

    private const string EventsSql =
        "SELECT Id, AlertId, Action, FromStatus, ToStatus, Comment, ActorId, ActorRole, AtUtc FROM SafetyAlertEvent WHERE AlertId = @alertId ORDER BY AtUtc, Id";

    private const string ListSql =
        Select +
        """
         WHERE (@anySite = 1 OR p.SiteCode IN @sites)
           AND (@status IS NULL OR a.Status = @status)
           AND (@severity IS NULL OR a.Severity = @severity)
           AND (@participantCode IS NULL OR p.Code = @participantCode)
           AND (@rule IS NULL OR a.RuleCode = @rule)
           AND (@sinceUtc IS NULL OR a.RaisedUtc >= @sinceUtc)
           AND (@includeSuperseded = 1 OR a.SupersededUtc IS NULL)
         ORDER BY a.RaisedUtc DESC, a.Id
        """;

    /// <summary>Marks the participant's alerts as needing evaluation; called in the transaction of every write the rules read.</summary>
    public static Task<int> MarkUnevaluatedAsync(DbConnection c, DbTransaction t, Guid participantId) =>
        c.ExecuteAsync(MarkUnevaluatedSql, new { participantId }, t);

    /// <summary>The version of the participant's safety-relevant data, and the version its alerts were last evaluated at.</summary>
    public static Task<SafetyVersions> VersionsAsync(DbConnection c, Guid participantId, DbTransaction? t = null) =>
        c.QuerySingleAsync<SafetyVersions>(VersionsSql, new { participantId }, t);

    public static Task<int> SetEvaluatedAsync(DbConnection c, DbTransaction t, Guid participantId, int version) =>
        c.ExecuteAsync(SetEvaluatedSql, new { participantId, version }, t);

    public static async Task<IReadOnlyList<Guid>> UnevaluatedParticipantsAsync(DbConnection c) =>
        (await c.QueryAsync<Guid>(UnevaluatedSql)).AsList();

    public static async Task<IReadOnlyList<Guid>> ParticipantsWithUnreportedSaesAsync(DbConnection c) =>
        (await c.QueryAsync<Guid>(OpenSaeClocksSql, new { yes = true })).AsList();

    public static async Task<IReadOnlyList<SafetyAlertRow>> ForParticipantAsync(DbConnection c, Guid participantId, DbTransaction? t = null) =>
        (await c.QueryAsync<SafetyAlertRow>(ForParticipantSql, new { participantId }, t)).AsList();

    public static Task<SafetyAlertRow?> GetAsync(DbConnection c, Guid id, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<SafetyAlertRow>(GetSql, new { id }, t);

    public static async Task<IReadOnlyList<SafetyAlertRow>> ListAsync(DbConnection c, AlertFilter f) =>
        (await c.QueryAsync<SafetyAlertRow>(ListSql, new
        {
            anySite = f.Sites is null ? 1 : 0,
            sites = f.Sites ?? [""],
            // Names as in the SQL text: SQLite binds parameters by exact, case-sensitive name.
            status = f.Status, severity = f.Severity, participantCode = f.ParticipantCode, rule = f.Rule, sinceUtc = f.SinceUtc,
            includeSuperseded = f.IncludeSuperseded ? 1 : 0,
        })).AsList();

    public static Task<int> InsertAsync(DbConnection c, DbTransaction t, SafetyAlertRow row) => c.ExecuteAsync(InsertSql, row, t);

    public static Task<int> SetSupersededAsync(DbConnection c, DbTransaction t, Guid id, DateTime? supersededUtc) =>
        c.ExecuteAsync(SetSupersededSql, new { id, supersededUtc }, t);

    public static Task<int> SetFindingAsync(DbConnection c, DbTransaction t, Guid id, string message, string valuesJson, string severity, string? visitCode) =>
        c.ExecuteAsync(SetFindingSql, new { id, message, valuesJson, severity, visitCode }, t);

    /// <summary>Moves the alert from one status to the next; 0 rows when it was not in <paramref name="fromStatus"/> any more.</summary>
    public static Task<int> SetStatusAsync(DbConnection c, DbTransaction t, Guid id, string fromStatus, string toStatus) =>
        c.ExecuteAsync(SetStatusSql, new { id, fromStatus, toStatus }, t);

    /// <summary>Flags the alert escalated; 0 rows when it already is, or was resolved meanwhile.</summary>
    public static Task<int> SetEscalatedAsync(DbConnection c, DbTransaction t, Guid id) =>
        c.ExecuteAsync(SetEscalatedSql, new { id, yes = true, no = false }, t);

    public static Task<int> InsertEventAsync(DbConnection c, DbTransaction t, SafetyAlertEventRow row) => c.ExecuteAsync(InsertEventSql, row, t);

    public static async Task<IReadOnlyList<SafetyAlertEventRow>> EventsAsync(DbConnection c, Guid alertId) =>
        (await c.QueryAsync<SafetyAlertEventRow>(EventsSql, new { alertId })).AsList();
}
