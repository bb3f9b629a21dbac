using System.Globalization;
using Trial.Application.Paging;
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

    private const string List = "participants";

    /// <summary>
    /// A page of the participants of <paramref name="site"/> when given, else of all the actor's sites, by site and number (code
    /// order); refused for a site not theirs, a limit out of bounds or a cursor not of this list.
    /// </summary>
    public async Task<Outcome<Page<ParticipantRow>>> ListAsync(Actor actor, string? site, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var page = Pages.Check(limit, cursor, List, 2, errors);
        var (afterSite, afterNumber) = ("", 0);
        if (page.After is [var s, var n])
        {
            if (int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)) (afterSite, afterNumber) = (s, number);
            else errors.Add("cursor", Pages.BadCursor);
        }
        if (errors.Any) return errors.ToRefusal();
        var (sites, refusal) = ParticipantAccess.SiteScope(actor, site);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => ParticipantQueries.ListAsync(c, sites, page.Limit + 1, afterSite, afterNumber));
        return Pages.Cut(rows, page, List, p => [p.SiteCode, p.Number.ToString(CultureInfo.InvariantCulture)]);
    }
}
