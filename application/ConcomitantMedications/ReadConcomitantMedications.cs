using System.Globalization;
using Trial.Application.Paging;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Infrastructure;

namespace Trial.Application.ConcomitantMedications;

/// <summary>A participant's concomitant medications, for those who may see the participant.</summary>
public sealed class ReadConcomitantMedications(Database db)
{
    private const string List = "concomitant-medications";

    /// <summary>
    /// A page of the participant's medications, by start date then id; refused for a participant not of the actor's sites, a limit
    /// out of bounds or a cursor not of this list.
    /// </summary>
    public async Task<Outcome<Page<ConcomitantMedicationRow>>> ListAsync(Actor actor, string code, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        // A cursor names the participant whose list it continues: on another participant's list it is refused, not followed.
        var list = Pages.OfParticipant(List, code);
        var page = Pages.Check(limit, cursor, list, 2, errors);
        var (afterStart, afterId) = (DateOnly.MinValue, Guid.Empty);
        if (page.After is [var start, var id])
        {
            if (DateOnly.TryParseExact(start, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && Pages.TryId(id, out var i)) (afterStart, afterId) = (d, i);
            else errors.Add("cursor", Pages.BadCursor);
        }
        if (errors.Any) return errors.ToRefusal();
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => ConcomitantMedicationQueries.PageAsync(c, participant!.Id, page.Limit + 1, afterStart, afterId));
        return Pages.Cut(rows, page, list, m => [m.StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Pages.Key(m.Id)]);
    }

    /// <summary>One of the participant's medications, whose version a correction names.</summary>
    public async Task<Outcome<ConcomitantMedicationRow>> GetAsync(Actor actor, string code, Guid id)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var row = await db.ReadAsync(c => ConcomitantMedicationQueries.FindAsync(c, participant!.Id, id));
        return row is null ? NotRecorded(code, id) : row;
    }

    internal static NotFound NotRecorded(string code, Guid id) => new($"{code} has no concomitant medication with id {id}.");
}
