using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Access;

public sealed class SiteRow
{
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string TimeZone { get; init; } = "UTC";
    public DateTime CreatedUtc { get; init; }
}

public sealed class UserRow
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public DateTime CreatedUtc { get; init; }
}

/// <summary>A one-time activation code as stored: its hash, never the code.</summary>
public sealed class ActivationCodeRow
{
    public Guid Id { get; init; }
    public Guid UserId { get; init; }
    public DateTime CreatedUtc { get; init; }
    public DateTime ExpiresUtc { get; init; }
    public DateTime? UsedUtc { get; init; }
    public DateTime? ReplacedUtc { get; init; }
}

/// <summary>A token as its owner lists it: never its hash.</summary>
public sealed class TokenRow
{
    public Guid Id { get; init; }
    public DateTime CreatedUtc { get; init; }
    public DateTime ExpiresUtc { get; init; }
    public DateTime? RevokedUtc { get; init; }
}

/// <summary>What a valid bearer token resolves to; <paramref name="ArmAccessApproved"/>: a second person approved the user's current
/// role and sites for reading arms (only meaningful for a role that sees arms).</summary>
public sealed record TokenOwner(Guid UserId, Guid TokenId, string Name, string Role, IReadOnlyList<string> Sites, DateTime ExpiresUtc, bool ArmAccessApproved = false);

public static class AccessQueries
{
    private const string InsertSiteSql = "INSERT INTO Site (Code, Name, TimeZone, CreatedUtc) VALUES (@Code, @Name, @TimeZone, @CreatedUtc)";
    private const string FindSiteSql = "SELECT Code, Name, TimeZone, CreatedUtc FROM Site WHERE Code = @code";
    private const string ListSitesSql = "SELECT Code, Name, TimeZone, CreatedUtc FROM Site ORDER BY Code";
    private const string CountUsersSql = "SELECT COUNT(*) FROM AppUser";
    private const string InsertUserSql = "INSERT INTO AppUser (Id, Name, Role, CreatedUtc, CreatedBy) VALUES (@Id, @Name, @Role, @CreatedUtc, @createdBy)";
    private const string InsertUserSiteSql = "INSERT INTO UserSite (UserId, SiteCode) VALUES (@userId, @site)";
    private const string FindUserSql = "SELECT Id, Name, Role, CreatedUtc FROM AppUser WHERE Id = @id";
    private const string UserSitesSql = "SELECT SiteCode FROM UserSite WHERE UserId = @userId ORDER BY SiteCode";
    // A page after the user (@afterCreatedUtc, @afterId) in the order they were created, read from IX_AppUser_CreatedUtc_Id.
    private const string ListUsersSql =
        "SELECT TOP (@limit) Id, Name, Role, CreatedUtc FROM AppUser" +
        " WHERE CreatedUtc >= @afterCreatedUtc AND (CreatedUtc > @afterCreatedUtc OR Id > @afterId) ORDER BY CreatedUtc, Id";
    private const string InsertTokenSql = "INSERT INTO ApiToken (Id, UserId, TokenHash, CreatedUtc, ExpiresUtc) VALUES (@id, @userId, @tokenHash, @createdUtc, @expiresUtc)";
    private const string RevokeTokensSql = "UPDATE ApiToken SET RevokedUtc = @nowUtc WHERE UserId = @userId AND RevokedUtc IS NULL";
    private const string RevokeTokenSql = "UPDATE ApiToken SET RevokedUtc = @nowUtc WHERE Id = @tokenId AND RevokedUtc IS NULL";
    private const string UserTokensSql = "SELECT Id, CreatedUtc, ExpiresUtc, RevokedUtc FROM ApiToken WHERE UserId = @userId ORDER BY CreatedUtc, Id";
    private const string FindUserTokenSql = "SELECT Id, CreatedUtc, ExpiresUtc, RevokedUtc FROM ApiToken WHERE Id = @tokenId AND UserId = @userId";

    private const string InsertActivationCodeSql =
        "INSERT INTO ActivationCode (Id, UserId, CodeHash, CreatedUtc, CreatedBy, ExpiresUtc) VALUES (@id, @userId, @codeHash, @createdUtc, @createdBy, @expiresUtc)";
    private const string ReplaceActivationCodesSql =
        "UPDATE ActivationCode SET ReplacedUtc = @nowUtc WHERE UserId = @userId AND UsedUtc IS NULL AND ReplacedUtc IS NULL AND ExpiresUtc > @nowUtc";
    private const string FindActivationCodeSql =
        "SELECT Id, UserId, CreatedUtc, ExpiresUtc, UsedUtc, ReplacedUtc FROM ActivationCode WHERE CodeHash = @codeHash";
    // The conditions again, in the update itself: of two requests with one code, only one changes the row.
    private const string UseActivationCodeSql =
        "UPDATE ActivationCode SET UsedUtc = @nowUtc, TokenId = @tokenId WHERE Id = @id AND UsedUtc IS NULL AND ReplacedUtc IS NULL AND ExpiresUtc > @nowUtc";

    private const string FindTokenOwnerSql =
        """
            SELECT u.Id AS UserId, t.Id AS TokenId, u.Name, u.Role, u.ArmAccessApprovedUtc, t.ExpiresUtc, us.SiteCode
            FROM ApiToken t
            JOIN AppUser u ON u.Id = t.UserId
            LEFT JOIN UserSite us ON us.UserId = u.Id
            WHERE t.TokenHash = @tokenHash AND t.RevokedUtc IS NULL AND t.ExpiresUtc > @nowUtc
            """;

    public static Task<int> InsertSiteAsync(DbSession s, SiteRow site) =>
        s.ExecuteAsync(InsertSiteSql, site);

    public static Task<SiteRow?> FindSiteAsync(DbSession s, string code) =>
        s.QuerySingleOrDefaultAsync<SiteRow>(FindSiteSql, new { code });

    public static async Task<IReadOnlyList<SiteRow>> ListSitesAsync(DbSession s) =>
        (await s.QueryAsync<SiteRow>(ListSitesSql)).AsList();

    public static Task<int> CountUsersAsync(DbSession s) =>
        s.ExecuteScalarAsync<int>(CountUsersSql);

    public static async Task InsertUserAsync(DbSession s, UserRow user, Guid? createdBy, IEnumerable<string> sites)
    {
        await s.ExecuteAsync(
            InsertUserSql,
            new { user.Id, user.Name, user.Role, user.CreatedUtc, createdBy });
        foreach (var site in sites)
            await s.ExecuteAsync(InsertUserSiteSql, new { userId = user.Id, site });
    }

    public static Task<UserRow?> FindUserAsync(DbSession s, Guid id) =>
        s.QuerySingleOrDefaultAsync<UserRow>(FindUserSql, new { id });

    public static async Task<IReadOnlyList<string>> UserSitesAsync(DbSession s, Guid userId) =>
        (await s.QueryAsync<string>(UserSitesSql, new { userId })).AsList();

    /// <summary>
    /// Up to <paramref name="limit"/> users created after the user (<paramref name="afterCreatedUtc"/>, <paramref name="afterId"/>),
    /// in the order they were created; the first page is after (min, empty).
    /// </summary>
    public static async Task<IReadOnlyList<UserRow>> ListUsersAsync(DbSession s, int limit, DateTime afterCreatedUtc, Guid afterId) =>
        (await s.QueryAsync<UserRow>(s.Dialect.Top(ListUsersSql), new { limit, afterCreatedUtc, afterId })).AsList();

    public static Task<int> InsertTokenAsync(DbSession s, Guid id, Guid userId, string tokenHash, DateTime createdUtc, DateTime expiresUtc) =>
        s.ExecuteAsync(
            InsertTokenSql,
            new { id, userId, tokenHash, createdUtc, expiresUtc });

    public static Task<int> RevokeTokensAsync(DbSession s, Guid userId, DateTime nowUtc) =>
        s.ExecuteAsync(RevokeTokensSql, new { userId, nowUtc });

    public static Task<int> RevokeTokenAsync(DbSession s, Guid tokenId, DateTime nowUtc) =>
        s.ExecuteAsync(RevokeTokenSql, new { tokenId, nowUtc });

    /// <summary>Every token of a user, revoked and expired ones included, oldest first.</summary>
    public static async Task<IReadOnlyList<TokenRow>> UserTokensAsync(DbSession s, Guid userId) =>
        (await s.QueryAsync<TokenRow>(UserTokensSql, new { userId })).AsList();

    /// <summary>The token with this id when it belongs to the user; null otherwise (another user's token is not told apart from none).</summary>
    public static Task<TokenRow?> FindUserTokenAsync(DbSession s, Guid userId, Guid tokenId) =>
        s.QuerySingleOrDefaultAsync<TokenRow>(FindUserTokenSql, new { tokenId, userId });

    public static Task<int> InsertActivationCodeAsync(DbSession s, Guid id, Guid userId, string codeHash, DateTime createdUtc, Guid createdBy, DateTime expiresUtc) =>
        s.ExecuteAsync(InsertActivationCodeSql, new { id, userId, codeHash, createdUtc, createdBy, expiresUtc });

    /// <summary>Stops the user's unused, unexpired codes from working; the number stopped.</summary>
    public static Task<int> ReplaceActivationCodesAsync(DbSession s, Guid userId, DateTime nowUtc) =>
        s.ExecuteAsync(ReplaceActivationCodesSql, new { userId, nowUtc });

    public static Task<ActivationCodeRow?> FindActivationCodeAsync(DbSession s, string codeHash) =>
        s.QuerySingleOrDefaultAsync<ActivationCodeRow>(FindActivationCodeSql, new { codeHash });

    /// <summary>Marks the code used for <paramref name="tokenId"/> when it is still unused, not replaced and unexpired: 1, else 0.</summary>
    public static Task<int> UseActivationCodeAsync(DbSession s, Guid id, Guid tokenId, DateTime nowUtc) =>
        s.ExecuteAsync(UseActivationCodeSql, new { id, tokenId, nowUtc });

    private sealed class TokenOwnerRow
    {
        public Guid UserId { get; init; }
        public Guid TokenId { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public DateTime? ArmAccessApprovedUtc { get; init; }
        public DateTime ExpiresUtc { get; init; }
        public string? SiteCode { get; init; }
    }

    /// <summary>The owner of an unrevoked, unexpired token with this hash, or null.</summary>
    public static async Task<TokenOwner?> FindTokenOwnerAsync(DbSession s, string tokenHash, DateTime nowUtc)
    {
        var rows = (await s.QueryAsync<TokenOwnerRow>(
            FindTokenOwnerSql, new { tokenHash, nowUtc })).AsList();
        if (rows.Count == 0) return null;
        var first = rows[0];
        var sites = rows.Where(r => r.SiteCode is not null).Select(r => r.SiteCode!).Order(StringComparer.Ordinal).ToList();
        return new TokenOwner(first.UserId, first.TokenId, first.Name, first.Role, sites, first.ExpiresUtc, first.ArmAccessApprovedUtc is not null);
    }
}
