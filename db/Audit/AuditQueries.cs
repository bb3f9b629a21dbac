using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Audit;

public sealed class AuditEventRow
{
    public long Id { get; init; }
    public DateTime AtUtc { get; init; }
    public Guid UserId { get; init; }
    public string UserName { get; init; } = "";
    public string Role { get; init; } = "";
    public Guid? TokenId { get; init; }
    public string? SiteCode { get; init; }
    public string EntityType { get; init; } = "";
    public string EntityId { get; init; } = "";
    public string? ParticipantCode { get; init; }
    public string Action { get; init; } = "";
    public string? OldValue { get; init; }
    public string? NewValue { get; init; }
    public string? Reason { get; init; }
    public string? Flag { get; init; }
    public string? RequestId { get; init; }
    // A hash never ends in a space. SQL Server returned the first row's empty PreviousHash as 64 spaces while the column was
    // CHAR(64) (before migration 16 made it variable-length), and a restored or unmigrated copy still may: the padding is
    // cut wherever it comes from, so the row hashes as it was written.
    public string PreviousHash { get; init => field = value.TrimEnd(' '); } = "";
    public string Hash { get; set => field = value.TrimEnd(' '); } = "";
}

public sealed class AuditChainHeadRow
{
    public long LastId { get; init; }
    public string LastHash { get; init => field = value.TrimEnd(' '); } = "";

    /// <summary>The first row chained with the key (HMAC-SHA256); null while the chain has no key.</summary>
    public long? KeyedFromId { get; init; }

    /// <summary>The key's HMAC of <see cref="KeyedFromId"/> (<see cref="AuditKey.MarkerFor"/>).</summary>
    public string? KeyMarker { get; init; }
}

/// <summary>Filters of the audit list; null means any. <see cref="Sites"/> null means every site, including rows of no site.</summary>
public sealed record AuditFilter(
    IReadOnlyList<string>? Sites, string? EntityType, string? EntityId, string? ParticipantCode, Guid? UserId, DateTime? SinceUtc, long AfterId, int Limit);

public static class AuditQueries
{
    private const string Columns =
        "Id, AtUtc, UserId, UserName, Role, TokenId, SiteCode, EntityType, EntityId, ParticipantCode, Action, OldValue, NewValue, Reason, Flag, RequestId, PreviousHash, Hash";

    // Updating the head row before reading it takes its write lock (SQL Server holds it to the end of the
    // transaction), so concurrent appends queue on it and each sees the end the one before it left.
    private const string LockHeadSql = "UPDATE AuditChainHead SET LastId = LastId WHERE Id = 1";
    private const string ReadHeadSql = "SELECT LastId, LastHash, KeyedFromId, KeyMarker FROM AuditChainHead WHERE Id = 1";

    // The head's triggers let it only move forward, and the key's switch be set once (migration 16).
    private const string SetHeadSql =
        "UPDATE AuditChainHead SET LastId = @lastId, LastHash = @lastHash, KeyedFromId = @keyedFromId, KeyMarker = @keyMarker WHERE Id = 1";

    private const string InsertSql =
        $"INSERT INTO AuditEvent ({Columns}) VALUES (@Id, @AtUtc, @UserId, @UserName, @Role, @TokenId, @SiteCode, @EntityType, @EntityId, " +
        "@ParticipantCode, @Action, @OldValue, @NewValue, @Reason, @Flag, @RequestId, @PreviousHash, @Hash)";

    private const string ChainSql = $"SELECT {Columns} FROM AuditEvent ORDER BY Id";

    private const string PageSql =
        $"""
        SELECT TOP (@limit) {Columns} FROM AuditEvent
        WHERE Id > @afterId
          AND (@anySite = 1 OR SiteCode IN @sites)
          AND (@entityType IS NULL OR EntityType = @entityType)
          AND (@entityId IS NULL OR EntityId = @entityId)
          AND (@participantCode IS NULL OR ParticipantCode = @participantCode)
          AND (@userId IS NULL OR UserId = @userId)
          AND (@sinceUtc IS NULL OR AtUtc >= @sinceUtc)
        ORDER BY Id
        """;

    private const string ParticipantTrailSql = $"SELECT {Columns} FROM AuditEvent WHERE ParticipantCode = @participantCode ORDER BY Id";
    // A page of one participant's rows after @afterId: IX_AuditEvent_ParticipantCode holds them in id order (the id is the row's key).
    private const string ParticipantTrailPageSql =
        $"SELECT TOP (@limit) {Columns} FROM AuditEvent WHERE ParticipantCode = @participantCode AND Id > @afterId ORDER BY Id";

    public static async Task<AuditChainHeadRow> LockHeadAsync(DbSession s)
    {
        await s.ExecuteAsync(LockHeadSql);
        return await s.QuerySingleAsync<AuditChainHeadRow>(ReadHeadSql);
    }

    public static Task<AuditChainHeadRow> HeadAsync(DbSession s) => s.QuerySingleAsync<AuditChainHeadRow>(ReadHeadSql);

    public static Task<int> SetHeadAsync(DbSession s, long lastId, string lastHash, long? keyedFromId, string? keyMarker) =>
        s.ExecuteAsync(SetHeadSql, new { lastId, lastHash, keyedFromId, keyMarker });

    public static Task<int> InsertAsync(DbSession s, AuditEventRow row) => s.ExecuteAsync(InsertSql, row);

    /// <summary>The whole trail in order, read as it streams (never all in memory).</summary>
    public static IAsyncEnumerable<AuditEventRow> ChainAsync(DbSession s) => s.QueryUnbufferedAsync<AuditEventRow>(ChainSql);

    public static async Task<IReadOnlyList<AuditEventRow>> PageAsync(DbSession s, AuditFilter f) =>
        (await s.QueryAsync<AuditEventRow>(s.Dialect.Top(PageSql), new
        {
            limit = f.Limit,
            afterId = f.AfterId,
            anySite = f.Sites is null ? 1 : 0,
            sites = f.Sites ?? [""],
            entityType = f.EntityType,
            entityId = f.EntityId,
            participantCode = f.ParticipantCode,
            userId = f.UserId,
            sinceUtc = f.SinceUtc,
        })).AsList();

    public static async Task<IReadOnlyList<AuditEventRow>> ParticipantTrailAsync(DbSession s, string participantCode) =>
        (await s.QueryAsync<AuditEventRow>(ParticipantTrailSql, new { participantCode })).AsList();

    /// <summary>Up to <paramref name="limit"/> rows of the participant's trail after the row <paramref name="afterId"/> (0: from the start), in order.</summary>
    public static async Task<IReadOnlyList<AuditEventRow>> ParticipantTrailAsync(DbSession s, string participantCode, int limit, long afterId) =>
        (await s.QueryAsync<AuditEventRow>(s.Dialect.Top(ParticipantTrailPageSql), new { participantCode, limit, afterId })).AsList();
}
