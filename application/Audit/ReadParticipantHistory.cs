using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Audit;

/// <summary>A participant's audit trail, in order.</summary>
public sealed record ParticipantHistory(string ParticipantCode, IReadOnlyList<AuditEventRow> Events);

/// <summary>
/// One participant's audit trail in order: every entry and change of their data, with who, when, why, and the values before
/// and after; for a participant of the reader's sites only.
/// </summary>
public sealed class ReadParticipantHistory(Database db)
{
    public async Task<Outcome<ParticipantHistory>> ReadAsync(Actor actor, string code)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var rows = await db.ReadAsync(c => AuditQueries.ParticipantTrailAsync(c, participant!.Code));
        return new ParticipantHistory(participant!.Code, rows);
    }
}
