using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;

namespace Trial.Application.Safety;

/// <summary>Who may see which alert: an alert of another site is refused, never shown.</summary>
internal static class SafetyAlertAccess
{
    /// <summary>The alert with this id if it exists and the actor may see its site; else why not (404 or 403).</summary>
    public static async Task<(SafetyAlertRow? Alert, Refusal? Refusal)> FindAsync(Database db, Guid id, Actor actor)
    {
        var alert = await db.ReadAsync(c => SafetyQueries.GetAsync(c, id));
        if (alert is null) return (null, new NotFound($"No safety alert with id {id}."));
        if (!actor.CanAccessSite(alert.SiteCode))
            return (null, new Forbidden($"The alert concerns site {alert.SiteCode}, which is not one of your sites."));
        return (alert, null);
    }
}
