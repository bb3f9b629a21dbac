using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <summary>Who may see which participant: a participant of another site is refused, never revealed.</summary>
public static class ParticipantAccess
{
    /// <summary>The participant with this code if it exists and the actor may see its site; else why not (404 or 403).</summary>
    public static async Task<(ParticipantRow? Participant, Refusal? Refusal)> FindAsync(Database db, string code, Actor actor)
    {
        var participant = await db.ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, code));
        return (participant, Check(participant, code, actor));
    }

    /// <summary>Why the actor may not see a participant looked up by <paramref name="code"/>, or null when they may.</summary>
    public static Refusal? Check(ParticipantRow? participant, string code, Actor actor)
    {
        if (participant is null) return new NotFound($"No participant with code '{code}'.");
        if (!actor.CanAccessSite(participant.SiteCode))
            return new Forbidden($"Participant {code} belongs to site {participant.SiteCode}, which is not one of your sites.");
        return null;
    }

    /// <summary>
    /// The sites a list should cover: the one asked for when the actor may see it, else all of the
    /// actor's sites (null for an admin: every site); refused when the asked-for site is not theirs.
    /// </summary>
    public static (IReadOnlyList<string>? Sites, Refusal? Refusal) SiteScope(Actor actor, string? site)
    {
        if (string.IsNullOrWhiteSpace(site)) return (actor.SiteFilter, null);
        return actor.CanAccessSite(site)
            ? ([site], null)
            : (null, new Forbidden($"Site {site} is not one of your sites."));
    }
}
