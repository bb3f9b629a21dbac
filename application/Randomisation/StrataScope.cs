using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Application.Randomisation;

/// <summary>Which strata an unblinded statistician may read or import: those of their sites.</summary>
internal static class StrataScope
{
    /// <summary>The sites whose strata the actor may read or import (theirs; every site for an admin), and every site of the study.</summary>
    public static async Task<(IReadOnlyList<string> Allowed, IReadOnlyList<string> All)> SitesAsync(Database db, Actor actor)
    {
        var all = (await db.ReadAsync(AccessQueries.ListSitesAsync)).Select(s => s.Code).ToList();
        return ([.. all.Where(actor.CanAccessSite)], all);
    }

    /// <summary>
    /// The 403 for a stratum of a site of the study that is not one of the caller's (as for another site's records and
    /// lists); null for a stratum of theirs or one the study does not have (a 422 for the caller to correct).
    /// </summary>
    public static Refusal? OtherSitesStratum(StrataSettings settings, IReadOnlyList<string> allSites, string stratum) =>
        Strata.SiteOf(settings, stratum) is { } site && Strata.All(settings, allSites).Contains(stratum)
            ? new Forbidden($"Stratum {stratum} belongs to site {site}, which is not one of your sites.")
            : null;
}
