using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.ConcomitantMedications;

/// <summary>
/// An investigator records a medication the participant takes besides the study drug (see <see cref="ConcomitantMedicationForm"/>
/// for the fields). The whole participant's safety evaluation follows: CONMED_PROHIBITED compares every medication with
/// every infusion.
/// </summary>
public sealed class RecordConcomitantMedication(Database db)
{
    /// <summary>The longest name, dose, route and indication accepted (on recording and on correction).</summary>
    public const int MaxNameLength = 200, MaxDoseLength = 100, MaxRouteLength = 100, MaxIndicationLength = 500;

    /// <summary>A checked medication, as the row it will be.</summary>
    public sealed record Checked(ParticipantRow Participant, ConcomitantMedicationRow Row, string? Reason);

    /// <summary>What can be decided before the write: the participant (and the actor's access), the fields, entry after withdrawal.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string code, ConcomitantMedicationInput input, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, code, actor);
        if (refusal is not null) return refusal;
        var form = ConcomitantMedicationForm.Check(input, participant!, nowUtc, requireReason: false);
        if (form.IsRefused) return form.Refusal!;
        if (DataEntry.CheckWithdrawal(participant!, form.Value!.Reason) is { } withdrawn) return withdrawn;
        var row = ConcomitantMedicationForm.ToRow(form.Value, SequentialGuid.New(nowUtc), participant!.Id, version: 1, nowUtc, actor.UserId, nowUtc, actor.UserId);
        return new Checked(participant, row, form.Value.Reason);
    }

    /// <summary>Stores the medication with its audit row, and asks for the whole participant's safety evaluation.</summary>
    public async Task<Outcome<ConcomitantMedicationRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, row) = (input.Participant, input.Row);
        await ConcomitantMedicationQueries.InsertAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.ConcomitantMedication, row.Id.ToString(), AuditedConcomitantMedication.From(row, participant.Code),
            participant.SiteCode, participant.Code, input.Reason, DataEntry.Flag(participant)));
        // Changed, not added: the rule compares the medication with stored infusions, which only the whole evaluation reads.
        await w.SafetyDataChangedAsync(participant.Id);
        return row;
    }
}
