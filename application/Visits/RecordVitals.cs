using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>
/// Records vital signs at an infusion timepoint (pre, t40, t120, t240) of a recorded infusion visit; once per timepoint, a
/// correction goes through <see cref="CorrectVitals"/>. The safety rules evaluate them.
/// </summary>
public sealed class RecordVitals(Database db, ProtocolDefinition protocol)
{
    /// <summary>Checked vital signs, ready to be written; <paramref name="Code"/> is the participant's code as asked for, which the refusals and the audit row repeat.</summary>
    public sealed record Checked(ParticipantRow Participant, string Code, string VisitCode, CheckedVitals Vitals);

    /// <summary>What can be decided before the write: the participant (and the actor's access), the visit, the values, withdrawal.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string participantCode, string visitCode, VitalsValues values)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return VisitRefusals.NotInProtocol(protocol, visitCode);
        if (visit.Kind != VisitKinds.Infusion) return Invalid.Field("visitCode", $"Vital signs are recorded at infusion visits; {visitCode} is not one.");
        var errors = new FieldErrors();
        var input = VitalsRules.Check(values, null, protocol, errors, reasonRequired: false);
        if (input is null) return errors.ToRefusal();
        if (DataEntry.CheckWithdrawal(participant!, input.Reason) is { } withdrawn) return withdrawn;
        return new Checked(participant!, participantCode, visitCode, input);
    }

    /// <summary>Records the vital signs, with their audit row, when the visit is recorded and the timepoint is not.</summary>
    public async Task<Outcome<VitalSignRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code, visitCode, vitals, now) = (input.Participant, input.Code, input.VisitCode, input.Vitals, w.NowUtc);
        var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
        if (records.All(r => r.VisitCode != visitCode)) return VisitRefusals.NotRecorded(code, visitCode, "vital signs");
        if (await InfusionAndVitalsQueries.FindVitalAsync(w.Session, participant.Id, visitCode, vitals.Timepoint) is { } existing)
        {
            return new Conflict($"Vital signs of {code} at {visitCode} {vitals.Timepoint} are already recorded (id {existing.Id}); corrections go through PUT with If-Match.",
                new Dictionary<string, object?> { ["existingId"] = existing.Id });
        }

        var row = new VitalSignRow
        {
            Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode, Timepoint = vitals.Timepoint, Systolic = vitals.Systolic,
            Diastolic = vitals.Diastolic, HeartRate = vitals.HeartRate, Spo2 = vitals.Spo2, RecordedUtc = now, RecordedBy = w.Actor.UserId,
        };
        await InfusionAndVitalsQueries.InsertVitalAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Vitals, row.Id.ToString(), AuditedVitals.From(row, code), participant.SiteCode, code, vitals.Reason,
            DataEntry.Flag(participant)));
        await w.SafetyDataChangedAsync(participant.Id, SafetyChange.Added);
        return row;
    }
}
