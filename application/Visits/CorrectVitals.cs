using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>Corrects recorded vital signs: all four values plus a reason, naming the version it corrects. Safety rules are re-evaluated.</summary>
public sealed class CorrectVitals(Database db, ProtocolDefinition protocol)
{
    /// <summary>
    /// A checked correction, ready to be written over <paramref name="Current"/>; <paramref name="Code"/>,
    /// <paramref name="VisitCode"/> and <paramref name="Timepoint"/> are as asked for, which the corrected row and the
    /// audit row repeat.
    /// </summary>
    public sealed record Checked(ParticipantRow Participant, string Code, string VisitCode, string Timepoint, VitalSignRow Current, CheckedVitals Vitals);

    /// <summary>
    /// What can be decided before the write: the participant (and the actor's access), the vital signs at
    /// <paramref name="timepoint"/>, the version the correction names (<paramref name="ifMatch"/>), the values.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string participantCode, string visitCode, string timepoint, VitalsValues values, string? ifMatch)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var current = await db.ReadAsync(c => InfusionAndVitalsQueries.FindVitalAsync(c, participant!.Id, visitCode, timepoint));
        if (current is null) return ReadVitals.NotRecorded(participantCode, visitCode, timepoint);
        if (RecordVersions.Check(ifMatch, current.RowVersion, "vital signs") is { } precondition) return precondition;
        var errors = new FieldErrors();
        var input = VitalsRules.Check(values, timepoint, protocol, errors, reasonRequired: true);
        if (input is null) return errors.ToRefusal();
        return new Checked(participant!, participantCode, visitCode, timepoint, current, input);
    }

    /// <summary>Writes the correction, with its audit row, unless the vital signs changed since they were read.</summary>
    public async Task<Outcome<VitalSignRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code, current, vitals) = (input.Participant, input.Code, input.Current, input.Vitals);
        var corrected = new VitalSignRow
        {
            Id = current.Id, ParticipantId = current.ParticipantId, VisitCode = input.VisitCode, Timepoint = input.Timepoint, Systolic = vitals.Systolic,
            Diastolic = vitals.Diastolic, HeartRate = vitals.HeartRate, Spo2 = vitals.Spo2, RecordedUtc = current.RecordedUtc, RecordedBy = current.RecordedBy,
            RowVersion = current.RowVersion + 1, UpdatedUtc = w.NowUtc, UpdatedBy = w.Actor.UserId,
        };
        if (await InfusionAndVitalsQueries.CorrectVitalAsync(w.Session, corrected) == 0) return RecordVersions.Stale(current.RowVersion + 1, "vital signs");
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.Vitals, current.Id.ToString(), AuditActions.Update, AuditedVitals.From(current, code),
            AuditedVitals.From(corrected, code), participant.SiteCode, code, vitals.Reason, flag: DataEntry.Flag(participant)));
        await w.SafetyDataChangedAsync(participant.Id);
        return corrected;
    }
}
