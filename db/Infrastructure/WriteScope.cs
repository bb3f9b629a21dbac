using System.Data.Common;

namespace Trial.Db.Infrastructure;

/// <summary>Who is writing: every clinical write is attributable to one user and token.</summary>
public sealed record Actor(Guid UserId, Guid TokenId, string Name, string Role, IReadOnlyList<string> Sites)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admins span all sites; everyone else only the sites they were given.</summary>
    public bool CanAccessSite(string siteCode) => IsAdmin || Sites.Contains(siteCode);

    /// <summary>The sites this actor may see, or null for all.</summary>
    public IReadOnlyList<string>? SiteFilter => IsAdmin ? null : Sites;

    /// <summary>The system itself, for work done by background jobs.</summary>
    public static readonly Actor System = new(Guid.Empty, Guid.Empty, "system", "system", []);
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Investigator = "investigator";
    public const string Monitor = "monitor";
    public const string Statistician = "statistician";

    public static readonly IReadOnlyList<string> All = [Admin, Investigator, Monitor, Statistician];
}

/// <summary>
/// One clinical write: the open transaction, who makes it and the server time it happens at.
/// Every write goes through <see cref="Database.WriteAsync{T}(Actor, DateTime, Func{WriteScope, Task{T}}, CancellationToken)"/>,
/// so cross-cutting duties of a write (its audit record) have one home.
/// </summary>
public sealed class WriteScope(DbConnection connection, DbTransaction transaction, Actor actor, DateTime nowUtc)
{
    public DbConnection Connection { get; } = connection;
    public DbTransaction Transaction { get; } = transaction;
    public Actor Actor { get; } = actor;
    public DateTime NowUtc { get; } = nowUtc;
}
