using System.Globalization;
using Trial.Application.Paging;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Audit;

/// <summary>A page of a participant's audit trail, in order, and the cursor of the next page (null on the last).</summary>
public sealed record ParticipantHistory(string ParticipantCode, IReadOnlyList<AuditEventRow> Events, string? NextCursor = null);

/// <summary>
/// One participant's audit trail in order: every entry and change of their data, with who, when, why, and the values before
/// and after; for a participant of the reader's sites only.
/// </summary>
public sealed class ReadParticipantHistory(Database db)
{
    private const string List = "participant-history";

    /// <summary>A page of the trail; refused for a participant not of the actor's sites, a limit out of bounds or a cursor not of this list.</summary>
    public async Task<Outcome<ParticipantHistory>> ReadAsync(Actor actor, string code, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        // A cursor names the participant whose list it continues: on another participant's list it is refused, not followed.
        var list = Pages.OfParticipant(List, code);
        var page = Pages.Check(limit, cursor, list, 1, errors);
        long afterId = 0;
        if (page.After is [var id] && !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out afterId)) errors.Add("cursor", Pages.BadCursor);
        if (errors.Any) return errors.ToRefusal();
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => AuditQueries.ParticipantTrailAsync(c, participant!.Code, page.Limit + 1, afterId));
        var cut = Pages.Cut(rows, page, list, r => [r.Id.ToString(CultureInfo.InvariantCulture)]);
        return new ParticipantHistory(participant!.Code, cut.Items, cut.NextCursor);
    }
}
