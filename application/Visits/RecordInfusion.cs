using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>
/// Records the infusion given at an infusion visit, once the visit is recorded: open-label, with its dose (the total dose
/// is computed); blinded, with the preparation the pharmacy recorded for the visit and the volume infused, never the dose.
/// One infusion per visit; a correction goes through <see cref="CorrectInfusion"/>.
/// </summary>
public sealed class RecordInfusion(Database db, ProtocolDefinition protocol)
{
    /// <summary>A checked infusion, ready to be written; <paramref name="Code"/> is the participant's code as asked for, which the refusals and the audit row repeat.</summary>
    public sealed record Checked(ParticipantRow Participant, string Code, string VisitCode, CheckedInfusion Infusion);

    /// <summary>What can be decided before the write: the participant (and the actor's access), the visit, the values, withdrawal.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string participantCode, string visitCode, InfusionValues values, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return VisitRefusals.NotInProtocol(protocol, visitCode);
        if (visit.Kind != VisitKinds.Infusion) return Invalid.Field("visitCode", $"{visitCode} is not an infusion visit.");
        var errors = new FieldErrors();
        var input = InfusionRules.Check(values, protocol, nowUtc, errors, reasonRequired: false);
        if (input is null) return errors.ToRefusal();
        if (DataEntry.CheckWithdrawal(participant!, input.Reason) is { } withdrawn) return withdrawn;
        return new Checked(participant!, participantCode, visitCode, input);
    }

    /// <summary>Records the infusion, with its audit row, when the visit is recorded on its date and (blinded) its preparation matches.</summary>
    public async Task<Outcome<InfusionRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code, visitCode, infusion, now) = (input.Participant, input.Code, input.VisitCode, input.Infusion, w.NowUtc);
        var record = (await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id)).FirstOrDefault(r => r.VisitCode == visitCode);
        if (record is null) return VisitRefusals.NotRecorded(code, visitCode, "infusion");
        if (await InfusionAndVitalsQueries.FindInfusionAsync(w.Session, participant.Id, visitCode) is { } existing)
        {
            return new Conflict($"The infusion of {code} at {visitCode} is already recorded (id {existing.Id}); corrections go through PUT with If-Match.",
                new Dictionary<string, object?> { ["existingId"] = existing.Id });
        }

        if (InfusionRules.CheckDate(participant, record, infusion.StartUtc) is { } wrongDate) return wrongDate;
        if (await InfusionRules.CheckPreparationAsync(w, protocol, participant, visitCode, infusion) is { } wrongPreparation) return wrongPreparation;
        var row = new InfusionRow
        {
            Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode, WeightKg = infusion.WeightKg, DoseMgPerKg = infusion.DoseMgPerKg,
            TotalDoseMg = InfusionRules.TotalDose(infusion), PreparationId = infusion.PreparationId, VolumeMl = infusion.VolumeMl, Route = infusion.Route,
            StartUtc = infusion.StartUtc, EndUtc = infusion.EndUtc, RecordedUtc = now, RecordedBy = w.Actor.UserId,
        };
        await InfusionAndVitalsQueries.InsertInfusionAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Infusion, row.Id.ToString(), AuditedInfusion.From(row, code), participant.SiteCode, code, infusion.Reason,
            DataEntry.Flag(participant)));
        await w.ScheduleDataChangedAsync(participant.Id);
        // CONMED_PROHIBITED compares every concomitant medication with the infusions: the whole participant is evaluated.
        await w.SafetyDataChangedAsync(participant.Id);
        return row;
    }
}
