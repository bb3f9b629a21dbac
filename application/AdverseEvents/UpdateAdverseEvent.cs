using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.AdverseEvents;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.AdverseEvents;

/// <summary>
/// An investigator updates an adverse event (e.g. its outcome or the time it was reported to the sponsor): the whole event
/// plus a reason, naming the version changed so nobody overwrites a change they have not seen.
/// </summary>
public sealed class UpdateAdverseEvent(Database db, ProtocolDefinition protocol)
{
    /// <summary>A checked change: the event as it was read, and as it will be.</summary>
    public sealed record Checked(ParticipantRow Participant, AdverseEventRow Current, AdverseEventRow Row, string? Reason);

    /// <summary>
    /// What can be decided before the write: the event, the actor's access to its participant, the version changed
    /// (<paramref name="ifMatch"/>, the ETag the caller read) and the fields.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, Guid id, string? ifMatch, AdverseEventInput input, DateTime nowUtc)
    {
        var current = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (current is null) return new NotFound($"No adverse event with id {id}.");
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, current.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        if (RecordVersions.Check(ifMatch, current.RowVersion, "adverse event") is { } precondition) return precondition;
        var form = AdverseEventForm.Check(input, id, nowUtc, participant!, requireReason: true);
        if (form.IsRefused) return form.Refusal!;
        var row = AdverseEventForm.ToRow(form.Value!, id, participant!, current.RowVersion + 1, nowUtc, actor.UserId, current.RecordedUtc, current.RecordedBy);
        return new Checked(participant!, current, row, form.Value!.Reason);
    }

    /// <summary>Stores the change with its audit row (old and new values), unless the event changed meanwhile, and asks for a whole safety evaluation.</summary>
    public async Task<Outcome<AdverseEventDetails>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, current, row) = (input.Participant, input.Current, input.Row);
        if (await AdverseEventQueries.UpdateAsync(w.Session, row) == 0) return RecordVersions.Stale(current.RowVersion + 1, "adverse event");
        var details = AdverseEventDetails.Of(row, protocol);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.AdverseEvent, row.Id.ToString(), AuditActions.Update,
            AuditedAdverseEvent.Of(AdverseEventDetails.Of(current, protocol)), AuditedAdverseEvent.Of(details),
            participant.SiteCode, participant.Code, input.Reason, flag: DataEntry.Flag(participant)));
        await w.SafetyDataChangedAsync(current.ParticipantId);
        return details;
    }
}
