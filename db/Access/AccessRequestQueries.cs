using Trial.Db.Infrastructure;

namespace Trial.Db.Access;

/// <summary>A request for a role that sees arms, with the sites it asks for.</summary>
public sealed record AccessRequestRow(Guid Id, Guid UserId, string Role, IReadOnlyList<string> Sites, string? Reason, DateTime RequestedUtc, Guid RequestedBy);

/// <summary>
/// Requests for a role that sees arms (AccessRequest, AccessRequestSite), and the approval of a user's current access
/// (AppUser.ArmAccessApprovedUtc). At most one request per user is pending.
/// </summary>
public static class AccessRequestQueries
{
    public const string Pending = "pending", Approved = "approved", Superseded = "superseded";

    private const string InsertRequestSql =
        "INSERT INTO AccessRequest (Id, UserId, Role, Status, Reason, RequestedUtc, RequestedBy) VALUES (@id, @userId, @role, 'pending', @reason, @requestedUtc, @requestedBy)";
    private const string InsertRequestSiteSql = "INSERT INTO AccessRequestSite (RequestId, SiteCode) VALUES (@requestId, @site)";
    private const string PendingRequestsSql =
        """
            SELECT r.Id, r.UserId, r.Role, r.Reason, r.RequestedUtc, r.RequestedBy, s.SiteCode
            FROM AccessRequest r
            LEFT JOIN AccessRequestSite s ON s.RequestId = r.Id
            WHERE r.Status = 'pending'
            """;
    private const string PendingRequestSql =
        """
            SELECT r.Id, r.UserId, r.Role, r.Reason, r.RequestedUtc, r.RequestedBy, s.SiteCode
            FROM AccessRequest r
            LEFT JOIN AccessRequestSite s ON s.RequestId = r.Id
            WHERE r.Status = 'pending' AND r.UserId = @userId
            """;
    private const string DecideSql =
        "UPDATE AccessRequest SET Status = @status, DecidedUtc = @nowUtc, DecidedBy = @decidedBy WHERE Id = @id AND Status = 'pending'";
    private const string SupersedeSql =
        "UPDATE AccessRequest SET Status = 'superseded', DecidedUtc = @nowUtc, DecidedBy = @decidedBy WHERE UserId = @userId AND Status = 'pending'";
    private const string ArmAccessApprovedSql = "SELECT ArmAccessApprovedUtc FROM AppUser WHERE Id = @userId";
    private const string ApprovedUsersSql = "SELECT Id FROM AppUser WHERE ArmAccessApprovedUtc IS NOT NULL";
    private const string SetAccessSql = "UPDATE AppUser SET Role = @role, ArmAccessApprovedUtc = @approvedUtc WHERE Id = @userId";
    private const string DeleteUserSitesSql = "DELETE FROM UserSite WHERE UserId = @userId";
    private const string InsertUserSiteSql = "INSERT INTO UserSite (UserId, SiteCode) VALUES (@userId, @site)";

    public static async Task InsertAsync(DbSession s, AccessRequestRow request)
    {
        await s.ExecuteAsync(InsertRequestSql, new
        {
            id = request.Id, userId = request.UserId, role = request.Role, reason = request.Reason,
            requestedUtc = request.RequestedUtc, requestedBy = request.RequestedBy,
        });
        foreach (var site in request.Sites)
            await s.ExecuteAsync(InsertRequestSiteSql, new { requestId = request.Id, site });
    }

    /// <summary>The user's pending request, or null.</summary>
    public static async Task<AccessRequestRow?> PendingAsync(DbSession s, Guid userId) =>
        Gather(await s.QueryAsync<RequestSiteRow>(PendingRequestSql, new { userId })).SingleOrDefault();

    /// <summary>Every pending request, by user.</summary>
    public static async Task<IReadOnlyDictionary<Guid, AccessRequestRow>> AllPendingAsync(DbSession s) =>
        Gather(await s.QueryAsync<RequestSiteRow>(PendingRequestsSql)).ToDictionary(r => r.UserId);

    /// <summary>Marks a pending request approved (or superseded) by <paramref name="decidedBy"/>; false when it was no longer pending.</summary>
    public static async Task<bool> DecideAsync(DbSession s, Guid id, string status, Guid decidedBy, DateTime nowUtc) =>
        await s.ExecuteAsync(DecideSql, new { id, status, decidedBy, nowUtc }) == 1;

    /// <summary>Supersedes the user's pending request, if any; the number of requests superseded (0 or 1).</summary>
    public static Task<int> SupersedeAsync(DbSession s, Guid userId, Guid decidedBy, DateTime nowUtc) =>
        s.ExecuteAsync(SupersedeSql, new { userId, decidedBy, nowUtc });

    /// <summary>When the user's current role and sites were approved for reading arms; null when they were not (or are blinded).</summary>
    public static Task<DateTime?> ArmAccessApprovedAsync(DbSession s, Guid userId) =>
        s.ExecuteScalarAsync<DateTime?>(ArmAccessApprovedSql, new { userId });

    /// <summary>The users whose current access is approved for reading arms.</summary>
    public static async Task<IReadOnlySet<Guid>> ApprovedUsersAsync(DbSession s) =>
        (await s.QueryAsync<Guid>(ApprovedUsersSql)).ToHashSet();

    /// <summary>Sets the user's role, sites and arm-access approval (null: none).</summary>
    public static async Task SetAccessAsync(DbSession s, Guid userId, string role, IReadOnlyList<string> sites, DateTime? approvedUtc)
    {
        await s.ExecuteAsync(SetAccessSql, new { userId, role, approvedUtc });
        await s.ExecuteAsync(DeleteUserSitesSql, new { userId });
        foreach (var site in sites)
            await s.ExecuteAsync(InsertUserSiteSql, new { userId, site });
    }

    private sealed class RequestSiteRow
    {
        public Guid Id { get; init; }
        public Guid UserId { get; init; }
        public string Role { get; init; } = "";
        public string? Reason { get; init; }
        public DateTime RequestedUtc { get; init; }
        public Guid RequestedBy { get; init; }
        public string? SiteCode { get; init; }
    }

    private static IEnumerable<AccessRequestRow> Gather(IEnumerable<RequestSiteRow> rows) =>
        rows.GroupBy(r => r.Id).Select(g =>
        {
            var first = g.First();
            var sites = g.Where(r => r.SiteCode is not null).Select(r => r.SiteCode!).Order(StringComparer.Ordinal).ToList();
            return new AccessRequestRow(first.Id, first.UserId, first.Role, sites, first.Reason, first.RequestedUtc, first.RequestedBy);
        });
}
