using System.Globalization;
using Trial.Application.Paging;
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

    private const string List = "screenings";

    /// <summary>
    /// A page of the screenings of <paramref name="site"/> when given, else of all the actor's sites, by site and number; refused
    /// for a site not theirs, a limit out of bounds or a cursor not of this list.
    /// </summary>
    public async Task<Outcome<Page<ScreeningRow>>> ListAsync(Actor actor, string? site, int? limit = null, string? cursor = null)
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
        var rows = await db.ReadAsync(c => ScreeningQueries.ListAsync(c, sites, page.Limit + 1, afterSite, afterNumber));
        return Pages.Cut(rows, page, List, r => [r.SiteCode, r.Number.ToString(CultureInfo.InvariantCulture)]);
    }
}
