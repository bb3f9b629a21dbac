namespace Trial.Core.Access;

/// <summary>
/// Who is writing: every clinical write is attributable to one user and token, and to the request that carried it.
/// </summary>
public sealed record Actor(Guid UserId, Guid TokenId, string Name, string Role, IReadOnlyList<string> Sites, string? RequestId = null)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admins span all sites; everyone else only the sites they were given.</summary>
    public bool CanAccessSite(string siteCode) => IsAdmin || Sites.Contains(siteCode);

    /// <summary>The sites this actor may see, or null for all.</summary>
    public IReadOnlyList<string>? SiteFilter => IsAdmin ? null : Sites;

    /// <summary>The system itself, for work done by background jobs.</summary>
    public static readonly Actor System = new(Guid.Empty, Guid.Empty, "system", "system", []);

    /// <summary>A caller whose token could not be resolved (recorded when access is denied).</summary>
    public static Actor Anonymous(string? requestId) => new(Guid.Empty, Guid.Empty, "anonymous", "anonymous", [], requestId);

    /// <summary>The token of a real user; the system and anonymous callers have none.</summary>
    public Guid? Token => TokenId == Guid.Empty ? null : TokenId;
}
