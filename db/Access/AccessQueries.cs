using System.Data.Common;
using Dapper;

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

/// <summary>What a valid bearer token resolves to.</summary>
public sealed record TokenOwner(Guid UserId, Guid TokenId, string Name, string Role, IReadOnlyList<string> Sites, DateTime ExpiresUtc);

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
    private const string ListUsersSql = "SELECT Id, Name, Role, CreatedUtc FROM AppUser ORDER BY CreatedUtc, Id";
    private const string InsertTokenSql = "INSERT INTO ApiToken (Id, UserId, TokenHash, CreatedUtc, ExpiresUtc) VALUES (@id, @userId, @tokenHash, @createdUtc, @expiresUtc)";
    private const string RevokeTokensSql = "UPDATE ApiToken SET RevokedUtc = @nowUtc WHERE UserId = @userId AND RevokedUtc IS NULL";
    private const string RevokeTokenSql = "UPDATE ApiToken SET RevokedUtc = @nowUtc WHERE Id = @tokenId AND RevokedUtc IS NULL";

    private const string FindTokenOwnerSql =
        """
            SELECT u.Id AS UserId, t.Id AS TokenId, u.Name, u.Role, t.ExpiresUtc, us.SiteCode
            FROM ApiToken t
            JOIN AppUser u ON u.Id = t.UserId
            LEFT JOIN UserSite us ON us.UserId = u.Id
            WHERE t.TokenHash = @tokenHash AND t.RevokedUtc IS NULL AND t.ExpiresUtc > @nowUtc
            """;

    public static Task<int> InsertSiteAsync(DbConnection c, DbTransaction t, SiteRow site) =>
        c.ExecuteAsync(InsertSiteSql, site, t);

    public static Task<SiteRow?> FindSiteAsync(DbConnection c, string code, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<SiteRow>(FindSiteSql, new { code }, t);

    public static async Task<IReadOnlyList<SiteRow>> ListSitesAsync(DbConnection c) =>
        (await c.QueryAsync<SiteRow>(ListSitesSql)).AsList();

    public static Task<int> CountUsersAsync(DbConnection c, DbTransaction? t = null) =>
        c.ExecuteScalarAsync<int>(CountUsersSql, transaction: t);

    public static async Task InsertUserAsync(DbConnection c, DbTransaction t, UserRow user, Guid? createdBy, IEnumerable<string> sites)
    {
        await c.ExecuteAsync(
            InsertUserSql,
            new { user.Id, user.Name, user.Role, user.CreatedUtc, createdBy }, t);
        foreach (var site in sites)
            await c.ExecuteAsync(InsertUserSiteSql, new { userId = user.Id, site }, t);
    }

    public static Task<UserRow?> FindUserAsync(DbConnection c, Guid id, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<UserRow>(FindUserSql, new { id }, t);

    public static async Task<IReadOnlyList<string>> UserSitesAsync(DbConnection c, Guid userId, DbTransaction? t = null) =>
        (await c.QueryAsync<string>(UserSitesSql, new { userId }, t)).AsList();

    public static async Task<IReadOnlyList<UserRow>> ListUsersAsync(DbConnection c) =>
        (await c.QueryAsync<UserRow>(ListUsersSql)).AsList();

    public static Task<int> InsertTokenAsync(DbConnection c, DbTransaction t, Guid id, Guid userId, string tokenHash, DateTime createdUtc, DateTime expiresUtc) =>
        c.ExecuteAsync(
            InsertTokenSql,
            new { id, userId, tokenHash, createdUtc, expiresUtc }, t);

    public static Task<int> RevokeTokensAsync(DbConnection c, DbTransaction t, Guid userId, DateTime nowUtc) =>
        c.ExecuteAsync(RevokeTokensSql, new { userId, nowUtc }, t);

    public static Task<int> RevokeTokenAsync(DbConnection c, DbTransaction t, Guid tokenId, DateTime nowUtc) =>
        c.ExecuteAsync(RevokeTokenSql, new { tokenId, nowUtc }, t);

    private sealed class TokenOwnerRow
    {
        public Guid UserId { get; init; }
        public Guid TokenId { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public DateTime ExpiresUtc { get; init; }
        public string? SiteCode { get; init; }
    }

    /// <summary>The owner of an unrevoked, unexpired token with this hash, or null.</summary>
    public static async Task<TokenOwner?> FindTokenOwnerAsync(DbConnection c, string tokenHash, DateTime nowUtc)
    {
        var rows = (await c.QueryAsync<TokenOwnerRow>(
            FindTokenOwnerSql, new { tokenHash, nowUtc })).AsList();
        if (rows.Count == 0) return null;
        var first = rows[0];
        var sites = rows.Where(r => r.SiteCode is not null).Select(r => r.SiteCode!).Order(StringComparer.Ordinal).ToList();
        return new TokenOwner(first.UserId, first.TokenId, first.Name, first.Role, sites, first.ExpiresUtc);
    }
}
