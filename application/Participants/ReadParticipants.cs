using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <summary>Participants as the actor may see them: one by code, or those of their sites.</summary>
public sealed class ReadParticipants(Database db)
{
    /// <summary>The participant with this code; refused when there is none or it is of another site.</summary>
    public async Task<Outcome<ParticipantRow>> FindAsync(Actor actor, string code)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        return refusal is not null ? refusal : participant!;
    }

    /// <summary>The participants of <paramref name="site"/> when given, else of all the actor's sites, in code order; refused for a site not theirs.</summary>
    public async Task<Outcome<List<ParticipantRow>>> ListAsync(Actor actor, string? site)
    {
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        // A list, not the read-only interface the query gives: an outcome converts from a class, never from an interface.
        return (await db.ReadAsync(c => ParticipantQueries.ListAsync(c, sites))).ToList();
    }
}
