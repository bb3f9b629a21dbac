using System.Globalization;
using Trial.Application.Paging;
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

    private const string List = "adverse-events";

    /// <summary>
    /// A page of the adverse events at the actor's sites, or of one of them, or of one participant, by site, participant number,
    /// onset and id; refused for a site not theirs, a limit out of bounds or a cursor not of this list.
    /// </summary>
    public async Task<Outcome<Page<AdverseEventDetails>>> ListAsync(Actor actor, string? site, string? participant, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var page = Pages.Check(limit, cursor, List, 4, errors);
        var (afterSite, afterNumber, afterOnset, afterId) = ("", 0, DateOnly.MinValue, Guid.Empty);
        if (page.After is [var s, var n, var d, var i])
        {
            if (int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var onset) && Pages.TryId(i, out var id))
            {
                (afterSite, afterNumber, afterOnset, afterId) = (s, number, onset, id);
            }
            else
            {
                errors.Add("cursor", Pages.BadCursor);
            }
        }
        if (errors.Any) return errors.ToRefusal();
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        var code = string.IsNullOrWhiteSpace(participant) ? null : participant;
        var rows = await db.ReadAsync(c => AdverseEventQueries.ListAsync(c, sites, code, page.Limit + 1, afterSite, afterNumber, afterOnset, afterId));
        var cut = Pages.Cut(rows, page, List,
            r => [r.SiteCode, r.ParticipantNumber.ToString(CultureInfo.InvariantCulture), r.OnsetDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Pages.Key(r.Id)]);
        return new Page<AdverseEventDetails>(cut.Items.Select(r => AdverseEventDetails.Of(r, protocol)).ToList(), cut.NextCursor);
    }
}
