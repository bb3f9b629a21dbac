using Trial.Application.Paging;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Assessments;

/// <summary>Assessments as the actor may see them: a participant's, one by id (whose version a correction names), and the earlier versions of a corrected one.</summary>
public sealed class ReadAssessments(Database db, ProtocolDefinition protocol)
{
    private const string List = "assessments";

    /// <summary>
    /// A page of the participant's assessments with their items and scores, in order of administration (then id), each with
    /// whether it was out of window; refused for a participant not of the actor's sites, a limit out of bounds or a cursor not of this list.
    /// </summary>
    public async Task<Outcome<Page<AssessmentInWindow>>> ListAsync(Actor actor, string participantCode, DateTime nowUtc, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        // A cursor names the participant whose list it continues: on another participant's list it is refused, not followed.
        var list = Pages.OfParticipant(List, participantCode);
        var page = Pages.Check(limit, cursor, list, 2, errors);
        var (afterUtc, afterId) = (DateTime.MinValue, Guid.Empty);
        if (page.After is [var administered, var id])
        {
            if (Pages.TryInstant(administered, out var a) && Pages.TryId(id, out var i)) (afterUtc, afterId) = (a, i);
            else errors.Add("cursor", Pages.BadCursor);
        }
        if (errors.Any) return errors.ToRefusal();
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var stored = await db.ReadAsync(c => AssessmentQueries.ListForParticipantAsync(c, participant!.Id, page.Limit + 1, afterUtc, afterId));
        var cut = Pages.Cut(stored, page, list, a => [Pages.Key(a.Row.AdministeredUtc), Pages.Key(a.Row.Id)]);
        return new Page<AssessmentInWindow>(await WithTimingAsync(participant!, cut.Items, nowUtc), cut.NextCursor);
    }

    /// <summary>One assessment with whether it was out of window; refused when there is none or its participant is of another site.</summary>
    public async Task<Outcome<AssessmentInWindow>> FindAsync(Actor actor, Guid id, DateTime nowUtc)
    {
        var stored = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (stored is null) return NoSuchAssessment(id);
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, stored.Row.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        return (await WithTimingAsync(participant!, [stored], nowUtc))[0];
    }

    /// <summary>The earlier versions of a corrected assessment, each with who replaced it, when and why.</summary>
    public async Task<Outcome<List<AssessmentRevisionRow>>> RevisionsAsync(Actor actor, Guid id)
    {
        var stored = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (stored is null) return NoSuchAssessment(id);
        var (_, refusal) = await ParticipantAccess.FindAsync(db, stored.Row.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        return (await db.ReadAsync(c => AssessmentQueries.RevisionsAsync(c, id))).ToList();
    }

    internal static NotFound NoSuchAssessment(Guid id) => new($"No assessment with id {id}.");

    private async Task<List<AssessmentInWindow>> WithTimingAsync(ParticipantRow participant, IReadOnlyList<StoredAssessment> stored, DateTime now)
    {
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant.Id));
        return stored.Select(a => new AssessmentInWindow(a, AssessmentRules.Timing(protocol, participant, records, a.Row, now) is { Refusal: null } t ? t.OutOfWindow : true)).ToList();
    }
}
