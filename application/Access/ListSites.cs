using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>The study sites, by code (admin).</summary>
public sealed class ListSites(Database db)
{
    public async Task<IReadOnlyList<Site>> ListAsync() =>
        [.. (await db.ReadAsync(AccessQueries.ListSitesAsync)).Select(s => new Site(s.Code, s.Name, s.TimeZone, s.CreatedUtc))];
}
