using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.AdverseEvents;
using Trial.Db.Infrastructure;

namespace Trial.Application.AdverseEvents;

/// <summary>Adverse events as the site, monitors and admins read them: of their sites only, with their SUSAR status and reporting deadline.</summary>
public sealed class ReadAdverseEvents(Database db, ProtocolDefinition protocol)
{
    /// <summary>One adverse event, when the actor may see its participant.</summary>
    public async Task<Outcome<AdverseEventDetails>> GetAsync(Actor actor, Guid id)
    {
        var row = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (row is null) return new NotFound($"No adverse event with id {id}.");
        var (_, refusal) = await ParticipantAccess.FindAsync(db, row.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        return AdverseEventDetails.Of(row, protocol);
    }

    /// <summary>The adverse events at the actor's sites, or of one of them, or of one participant.</summary>
    public async Task<Outcome<IReadOnlyList<AdverseEventDetails>>> ListAsync(Actor actor, string? site, string? participant)
    {
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => AdverseEventQueries.ListAsync(c, sites));
        if (!string.IsNullOrWhiteSpace(participant)) rows = rows.Where(r => r.ParticipantCode == participant).ToList();
        return rows.Select(r => AdverseEventDetails.Of(r, protocol)).ToList();
    }
}
