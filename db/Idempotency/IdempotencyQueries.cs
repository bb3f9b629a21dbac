using Trial.Db.Infrastructure;

namespace Trial.Db.Idempotency;

/// <summary>The first response to a request sent with an Idempotency-Key, kept so a retry gets the same answer.</summary>
public sealed class IdempotentResponseRow
{
    public Guid UserId { get; init; }
    public string IdempotencyKey { get; init; } = "";
    public string RequestHash { get; init; } = "";
    public int StatusCode { get; init; }
    public string? ContentType { get; init; }
    public string? Location { get; init; }
    public string? ETag { get; init; }
    public string? Body { get; init; }
    public DateTime CreatedUtc { get; init; }
}

public static class IdempotencyQueries
{
    private const string FindSql =
        "SELECT UserId, IdempotencyKey, RequestHash, StatusCode, ContentType, Location, ETag, Body, CreatedUtc FROM IdempotentResponse WHERE UserId = @userId AND IdempotencyKey = @key";

    // Status 0 marks a reservation: the request is being processed inside the same transaction.
    private const string ReserveSql =
        "INSERT INTO IdempotentResponse (UserId, IdempotencyKey, RequestHash, StatusCode, CreatedUtc) VALUES (@userId, @key, @requestHash, 0, @createdUtc)";

    private const string CompleteSql =
        """
        UPDATE IdempotentResponse SET StatusCode = @statusCode, ContentType = @contentType, Location = @location, ETag = @etag, Body = @body
        WHERE UserId = @userId AND IdempotencyKey = @key
        """;

    private const string PurgeSql = "DELETE FROM IdempotentResponse WHERE CreatedUtc < @cutoffUtc";

    public static Task<IdempotentResponseRow?> FindAsync(DbSession s, Guid userId, string key) =>
        s.QuerySingleOrDefaultAsync<IdempotentResponseRow>(FindSql, new { userId, key });

    /// <summary>
    /// Claims the key inside the write's transaction, before the write itself: a second request with the same key in another
    /// process waits on this row until the first commits, then fails on the key and replays the stored response.
    /// </summary>
    public static Task<int> ReserveAsync(DbSession s, Guid userId, string key, string requestHash, DateTime createdUtc) =>
        s.ExecuteAsync(ReserveSql, new { userId, key, requestHash, createdUtc });

    public static Task<int> CompleteAsync(DbSession s, Guid userId, string key, int statusCode, string? contentType, string? location, string? etag, string? body) =>
        s.ExecuteAsync(CompleteSql, new { userId, key, statusCode, contentType, location, etag, body });

    /// <summary>Forgets responses older than the retention period; retries come within seconds or minutes, not days.</summary>
    public static Task<int> PurgeAsync(DbSession s, DateTime cutoffUtc) => s.ExecuteAsync(PurgeSql, new { cutoffUtc });
}
