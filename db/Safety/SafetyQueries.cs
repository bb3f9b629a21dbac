using Dapper;
using Trial.Core.Safety;
using Trial.Db.Infrastructure;

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

    /// <summary>The version of the last write after which the participant must be evaluated whole (see <see cref="SafetyChange"/>).</summary>
    public int FullVersion { get; init; }
}

/// <summary>A record no safety evaluation has seen yet: <see cref="SourceType"/> is one of <see cref="SourceTypes"/>.</summary>
public sealed class UnevaluatedRecord
{
    public string SourceType { get; init; } = "";
    public Guid Id { get; init; }
}

/// <summary>Filters of the monitors' alert list; null means any.</summary>
/// <summary>
/// Filters of the monitors' alert list; null means any. A page holds <paramref name="Limit"/> rows after the alert raised at
/// <paramref name="AfterRaisedUtc"/> with id <paramref name="AfterId"/> in the list's order (newest first, then by id).
/// </summary>
public sealed record AlertFilter(
    IReadOnlyList<string>? Sites, string? Status, string? Severity, string? ParticipantCode, string? Rule, DateTime? SinceUtc, bool IncludeSuperseded,
    int Limit, DateTime? AfterRaisedUtc, Guid? AfterId);

public static class SafetyQueries
{
    private const string Select =
        """
        SELECT a.Id, a.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode,
               a.Message, a.ValuesJson, a.Status, a.Escalated, a.RaisedUtc, a.SupersededUtc, a.ProtocolVersion
        FROM SafetyAlert a JOIN Participant p ON p.Id = a.ParticipantId
        """;

    private const string MarkUnevaluatedSql = "UPDATE Participant SET SafetyVersion = SafetyVersion + 1 WHERE Id = @participantId";
    private const string MarkUnevaluatedForFullSql =
        "UPDATE Participant SET SafetyVersion = SafetyVersion + 1, SafetyFullVersion = SafetyVersion + 1 WHERE Id = @participantId";
    private const string MarkForFullSql = "UPDATE Participant SET SafetyFullVersion = SafetyVersion WHERE Id = @participantId";
    private const string VersionsSql =
        "SELECT SafetyVersion AS Version, SafetyEvaluatedVersion AS EvaluatedVersion, SafetyFullVersion AS FullVersion FROM Participant WHERE Id = @participantId";

    private const string UnevaluatedRecordsSql =
        $"""
        SELECT TOP (@limit) SourceType, Id FROM (
            SELECT '{SourceTypes.Assessment}' AS SourceType, Id FROM Assessment WHERE ParticipantId = @participantId AND SafetyEvaluatedVersion IS NULL
            UNION ALL
            SELECT '{SourceTypes.Vitals}' AS SourceType, Id FROM VitalSign WHERE ParticipantId = @participantId AND SafetyEvaluatedVersion IS NULL
            UNION ALL
            SELECT '{SourceTypes.AdverseEvent}' AS SourceType, Id FROM AdverseEvent WHERE ParticipantId = @participantId AND SafetyEvaluatedVersion IS NULL
        ) AS u
        """;

    // Only records not stamped yet: the stamp is the version of the first evaluation that saw the record.
    private const string MarkAssessmentsEvaluatedSql = "UPDATE Assessment SET SafetyEvaluatedVersion = @version WHERE Id IN @ids AND SafetyEvaluatedVersion IS NULL";
    private const string MarkVitalsEvaluatedSql = "UPDATE VitalSign SET SafetyEvaluatedVersion = @version WHERE Id IN @ids AND SafetyEvaluatedVersion IS NULL";
    private const string MarkAdverseEventsEvaluatedSql = "UPDATE AdverseEvent SET SafetyEvaluatedVersion = @version WHERE Id IN @ids AND SafetyEvaluatedVersion IS NULL";

    // SQL Server takes at most 2,100 parameters in one command; Dapper makes one per element of an IN list.
    private const int IdsPerCommand = 1000;
    private const string SetEvaluatedIfUnchangedSql =
        "UPDATE Participant SET SafetyEvaluatedVersion = @version WHERE Id = @participantId AND SafetyVersion = @version";
    private const string UnevaluatedSql = "SELECT Id FROM Participant WHERE SafetyEvaluatedVersion <> SafetyVersion ORDER BY Id";
    private const string OpenSaeClocksSql = "SELECT DISTINCT ParticipantId FROM AdverseEvent WHERE Serious = @yes AND SponsorReportedUtc IS NULL";
    private const string ForParticipantSql = Select + " WHERE a.ParticipantId = @participantId";
    private const string ForSourcesSql = Select + " WHERE a.ParticipantId = @participantId AND a.SourceKey IN @sourceKeys";
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

    // The order (newest first, then by id) is served by IX_SafetyAlert_RaisedUtc_Id; the first condition is a range on it, so a
    // later page starts where the one before ended instead of walking past the rows already given. The first page starts after
    // the latest possible instant.
    private const string ListSql =
        """
        SELECT TOP (@limit) a.Id, a.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode,
               a.Message, a.ValuesJson, a.Status, a.Escalated, a.RaisedUtc, a.SupersededUtc, a.ProtocolVersion
        FROM SafetyAlert a JOIN Participant p ON p.Id = a.ParticipantId
         WHERE a.RaisedUtc <= @afterRaisedUtc AND (a.RaisedUtc < @afterRaisedUtc OR a.Id > @afterId)
           AND (@anySite = 1 OR p.SiteCode IN @sites)
           AND (@status IS NULL OR a.Status = @status)
           AND (@severity IS NULL OR a.Severity = @severity)
           AND (@participantCode IS NULL OR p.Code = @participantCode)
           AND (@rule IS NULL OR a.RuleCode = @rule)
           AND (@sinceUtc IS NULL OR a.RaisedUtc >= @sinceUtc)
           AND (@includeSuperseded = 1 OR a.SupersededUtc IS NULL)
         ORDER BY a.RaisedUtc DESC, a.Id
        """;

    /// <summary>
    /// Marks the participant's alerts as needing evaluation; called in the transaction of every write the rules read.
    /// <paramref name="full"/>: the write may have changed findings already made, so the next evaluation covers the whole participant.
    /// </summary>
    public static Task<int> MarkUnevaluatedAsync(DbSession s, Guid participantId, bool full) =>
        s.ExecuteAsync(full ? MarkUnevaluatedForFullSql : MarkUnevaluatedSql, new { participantId });

    /// <summary>The write already marked the participant unevaluated, and turns out to need the whole participant evaluated.</summary>
    public static Task<int> MarkForFullEvaluationAsync(DbSession s, Guid participantId) =>
        s.ExecuteAsync(MarkForFullSql, new { participantId });

    /// <summary>Up to <paramref name="limit"/> of the participant's records that no safety evaluation has seen yet.</summary>
    public static async Task<IReadOnlyList<UnevaluatedRecord>> UnevaluatedRecordsAsync(DbSession s, Guid participantId, int limit) =>
        (await s.QueryAsync<UnevaluatedRecord>(s.Dialect.Top(UnevaluatedRecordsSql), new { participantId, limit })).AsList();

    /// <summary>Stamps records as seen by the evaluation of <paramref name="version"/> (a record already stamped keeps its stamp).</summary>
    public static async Task MarkEvaluatedAsync(DbSession s, int version, IEnumerable<UnevaluatedRecord> records)
    {
        foreach (var type in records.GroupBy(r => r.SourceType))
        {
            var sql = type.Key switch
            {
                SourceTypes.Assessment => MarkAssessmentsEvaluatedSql,
                SourceTypes.Vitals => MarkVitalsEvaluatedSql,
                SourceTypes.AdverseEvent => MarkAdverseEventsEvaluatedSql,
                _ => throw new ArgumentException($"No record of type '{type.Key}' is evaluated.", nameof(records)),
            };
            foreach (var ids in type.Select(r => r.Id).Chunk(IdsPerCommand))
                await s.ExecuteAsync(sql, new { version, ids });
        }
    }

    /// <summary>The version of the participant's safety-relevant data, and the version its alerts were last evaluated at.</summary>
    public static Task<SafetyVersions> VersionsAsync(DbSession s, Guid participantId) =>
        s.QuerySingleAsync<SafetyVersions>(VersionsSql, new { participantId });

    /// <summary>Records that the participant's alerts were evaluated at <paramref name="version"/>, unless a write has moved it on since: 0 rows then.</summary>
    public static Task<int> SetEvaluatedIfUnchangedAsync(DbSession s, Guid participantId, int version) =>
        s.ExecuteAsync(SetEvaluatedIfUnchangedSql, new { participantId, version });

    public static async Task<IReadOnlyList<Guid>> UnevaluatedParticipantsAsync(DbSession s) =>
        (await s.QueryAsync<Guid>(UnevaluatedSql)).AsList();

    public static async Task<IReadOnlyList<Guid>> ParticipantsWithUnreportedSaesAsync(DbSession s) =>
        (await s.QueryAsync<Guid>(OpenSaeClocksSql, new { yes = true })).AsList();

    public static async Task<IReadOnlyList<SafetyAlertRow>> ForParticipantAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<SafetyAlertRow>(ForParticipantSql, new { participantId })).AsList();

    /// <summary>The participant's alerts (superseded ones too) raised on these source records.</summary>
    public static async Task<IReadOnlyList<SafetyAlertRow>> ForSourcesAsync(DbSession s, Guid participantId, IReadOnlyCollection<string> sourceKeys)
    {
        var alerts = new List<SafetyAlertRow>();
        foreach (var keys in sourceKeys.Chunk(IdsPerCommand))
            alerts.AddRange(await s.QueryAsync<SafetyAlertRow>(ForSourcesSql, new { participantId, sourceKeys = keys }));
        return alerts;
    }

    public static Task<SafetyAlertRow?> GetAsync(DbSession s, Guid id) =>
        s.QuerySingleOrDefaultAsync<SafetyAlertRow>(GetSql, new { id });

    public static async Task<IReadOnlyList<SafetyAlertRow>> ListAsync(DbSession s, AlertFilter f) =>
        (await s.QueryAsync<SafetyAlertRow>(s.Dialect.Top(ListSql), new
        {
            limit = f.Limit,
            afterRaisedUtc = f.AfterRaisedUtc ?? DateTime.MaxValue,
            afterId = f.AfterId ?? Guid.Empty,
            anySite = f.Sites is null ? 1 : 0,
            sites = f.Sites ?? [""],
            // Names as in the SQL text: SQLite binds parameters by exact, case-sensitive name.
            status = f.Status, severity = f.Severity, participantCode = f.ParticipantCode, rule = f.Rule, sinceUtc = f.SinceUtc,
            includeSuperseded = f.IncludeSuperseded ? 1 : 0,
        })).AsList();

    public static Task<int> InsertAsync(DbSession s, SafetyAlertRow row) => s.ExecuteAsync(InsertSql, row);

    public static Task<int> SetSupersededAsync(DbSession s, Guid id, DateTime? supersededUtc) =>
        s.ExecuteAsync(SetSupersededSql, new { id, supersededUtc });

    public static Task<int> SetFindingAsync(DbSession s, Guid id, string message, string valuesJson, string severity, string? visitCode) =>
        s.ExecuteAsync(SetFindingSql, new { id, message, valuesJson, severity, visitCode });

    /// <summary>Moves the alert from one status to the next; 0 rows when it was not in <paramref name="fromStatus"/> any more.</summary>
    public static Task<int> SetStatusAsync(DbSession s, Guid id, string fromStatus, string toStatus) =>
        s.ExecuteAsync(SetStatusSql, new { id, fromStatus, toStatus });

    /// <summary>Flags the alert escalated; 0 rows when it already is, or was resolved meanwhile.</summary>
    public static Task<int> SetEscalatedAsync(DbSession s, Guid id) =>
        s.ExecuteAsync(SetEscalatedSql, new { id, yes = true, no = false });

    public static Task<int> InsertEventAsync(DbSession s, SafetyAlertEventRow row) => s.ExecuteAsync(InsertEventSql, row);

    public static async Task<IReadOnlyList<SafetyAlertEventRow>> EventsAsync(DbSession s, Guid alertId) =>
        (await s.QueryAsync<SafetyAlertEventRow>(EventsSql, new { alertId })).AsList();
}
