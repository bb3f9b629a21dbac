using Trial.Api.Infrastructure;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Api.Participants;

public static class ParticipantAccess
{
    /// <summary>The participant with this code if it exists and the actor may see its site; else the 404 or 403 to return.</summary>
    public static async Task<(ParticipantRow? Participant, IResult? Error)> FindAsync(Database db, string code, Actor actor)
    {
        var participant = await db.ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, code));
        if (participant is null) return (null, Problems.NotFound($"No participant with code '{code}'."));
        if (!actor.CanAccessSite(participant.SiteCode))
            return (null, Problems.Forbidden($"Participant {code} belongs to site {participant.SiteCode}, which is not one of your sites."));
        return (participant, null);
    }

    /// <summary>
    /// The sites a list should cover: the one asked for when the actor may see it, else all of the
    /// actor's sites (null for an admin: every site); a 403 when the asked-for site is not theirs.
    /// </summary>
    public static (IReadOnlyList<string>? Sites, IResult? Error) SiteScope(Actor actor, string? site)
    {
        if (string.IsNullOrWhiteSpace(site)) return (actor.SiteFilter, null);
        return actor.CanAccessSite(site)
            ? ([site], null)
            : (null, Problems.Forbidden($"Site {site} is not one of your sites."));
    }
}
