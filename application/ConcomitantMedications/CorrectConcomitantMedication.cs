using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.ConcomitantMedications;

/// <summary>
/// Corrects a recorded concomitant medication: the whole record plus a reason, naming the version it corrects (If-Match).
/// The audit trail keeps the earlier values; the whole participant's safety evaluation follows.
/// </summary>
public sealed class CorrectConcomitantMedication(Database db)
{
    /// <summary>A checked correction: the medication as it was read, and as it will be.</summary>
    public sealed record Checked(ParticipantRow Participant, ConcomitantMedicationRow Current, ConcomitantMedicationRow Row, string? Reason);

    /// <summary>
    /// What can be decided before the write: the participant (and the actor's access), the medication, the version the
    /// correction names (<paramref name="ifMatch"/>), the fields.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string code, Guid id, string? ifMatch, ConcomitantMedicationInput input, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var current = await db.ReadAsync(c => ConcomitantMedicationQueries.FindAsync(c, participant!.Id, id));
        if (current is null) return ReadConcomitantMedications.NotRecorded(code, id);
        if (RecordVersions.Check(ifMatch, current.RowVersion, "concomitant medication") is { } precondition) return precondition;
        var form = ConcomitantMedicationForm.Check(input, participant!, nowUtc, requireReason: true);
        if (form.IsRefused) return form.Refusal!;
        var row = ConcomitantMedicationForm.ToRow(form.Value!, id, participant!.Id, current.RowVersion + 1, nowUtc, actor.UserId, current.RecordedUtc, current.RecordedBy);
        return new Checked(participant, current, row, form.Value!.Reason);
    }

    /// <summary>Writes the correction with its audit row (old and new values), unless the medication changed since it was read.</summary>
    public async Task<Outcome<ConcomitantMedicationRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, current, row) = (input.Participant, input.Current, input.Row);
        if (await ConcomitantMedicationQueries.CorrectAsync(w.Session, row) == 0) return RecordVersions.Stale(current.RowVersion + 1, "concomitant medication");
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.ConcomitantMedication, row.Id.ToString(), AuditActions.Update,
            AuditedConcomitantMedication.From(current, participant.Code), AuditedConcomitantMedication.From(row, participant.Code),
            participant.SiteCode, participant.Code, input.Reason, flag: DataEntry.Flag(participant)));
        await w.SafetyDataChangedAsync(participant.Id);
        return row;
    }
}
