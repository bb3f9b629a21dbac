using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Screening;

namespace Trial.Application.Screening;

/// <summary>Screenings as the actor may see them: one by number, or those of their sites.</summary>
public sealed class ReadScreenings(Database db)
{
    /// <summary>The screening with this number; refused when there is none or it is of another site.</summary>
    public async Task<Outcome<ScreeningRow>> FindAsync(Actor actor, string screeningNumber)
    {
        var screening = await db.ReadAsync(c => ScreeningQueries.FindByNumberAsync(c, screeningNumber));
        if (screening is null) return new NotFound($"No screening with number '{screeningNumber}'.");
        if (!actor.CanAccessSite(screening.SiteCode))
            return new Forbidden($"Screening {screeningNumber} belongs to site {screening.SiteCode}, which is not one of your sites.");
        return screening;
    }

    /// <summary>The screenings of <paramref name="site"/> when given, else of all the actor's sites, by site and number; refused for a site not theirs.</summary>
    public async Task<Outcome<List<ScreeningRow>>> ListAsync(Actor actor, string? site)
    {
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        return (await db.ReadAsync(c => ScreeningQueries.ListAsync(c, sites))).ToList();
    }
}
