using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>Corrects a recorded infusion: the whole infusion plus a reason, naming the version it corrects. The audit trail keeps the earlier values.</summary>
public sealed class CorrectInfusion(Database db, ProtocolDefinition protocol)
{
    /// <summary>
    /// A checked correction, ready to be written over <paramref name="Current"/>; <paramref name="Code"/> and
    /// <paramref name="VisitCode"/> are as asked for, which the corrected row and the audit row repeat.
    /// </summary>
    public sealed record Checked(ParticipantRow Participant, string Code, string VisitCode, InfusionRow Current, CheckedInfusion Infusion);

    /// <summary>
    /// What can be decided before the write: the participant (and the actor's access), the infusion, the version the
    /// correction names (<paramref name="ifMatch"/>), the values.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string participantCode, string visitCode, InfusionValues values, string? ifMatch, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, participantCode, actor);
        if (refusal is not null) return refusal;
        var current = await db.ReadAsync(c => InfusionAndVitalsQueries.FindInfusionAsync(c, participant!.Id, visitCode));
        if (current is null) return ReadInfusion.NotRecorded(participantCode, visitCode);
        if (RecordVersions.Check(ifMatch, current.RowVersion, "infusion") is { } precondition) return precondition;
        var errors = new FieldErrors();
        var input = InfusionRules.Check(values, protocol, nowUtc, errors, reasonRequired: true);
        if (input is null) return errors.ToRefusal();
        return new Checked(participant!, participantCode, visitCode, current, input);
    }

    /// <summary>Writes the correction, with its audit row, when it is still on its visit's date and (blinded) its preparation matches.</summary>
    public async Task<Outcome<InfusionRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, current, infusion, code) = (input.Participant, input.Current, input.Infusion, input.Code);
        var visitCode = input.VisitCode;
        var record = (await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id)).First(r => r.VisitCode == visitCode);
        if (InfusionRules.CheckDate(participant, record, infusion.StartUtc) is { } wrongDate) return wrongDate;
        if (await InfusionRules.CheckPreparationAsync(w, protocol, participant, visitCode, infusion) is { } wrongPreparation) return wrongPreparation;
        var corrected = new InfusionRow
        {
            Id = current.Id, ParticipantId = current.ParticipantId, VisitCode = visitCode, WeightKg = infusion.WeightKg, DoseMgPerKg = infusion.DoseMgPerKg,
            TotalDoseMg = InfusionRules.TotalDose(infusion), PreparationId = infusion.PreparationId, VolumeMl = infusion.VolumeMl, Route = infusion.Route,
            StartUtc = infusion.StartUtc, EndUtc = infusion.EndUtc, RecordedUtc = current.RecordedUtc, RecordedBy = current.RecordedBy,
            RowVersion = current.RowVersion + 1, UpdatedUtc = w.NowUtc, UpdatedBy = w.Actor.UserId,
        };
        if (await InfusionAndVitalsQueries.CorrectInfusionAsync(w.Session, corrected) == 0) return RecordVersions.Stale(current.RowVersion + 1, "infusion");
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.Infusion, current.Id.ToString(), AuditActions.Update, AuditedInfusion.From(current, code),
            AuditedInfusion.From(corrected, code), participant.SiteCode, code, infusion.Reason, flag: DataEntry.Flag(participant)));
        // CONMED_PROHIBITED compares every concomitant medication with the infusions: the whole participant is evaluated.
        await w.SafetyDataChangedAsync(participant.Id);
        return corrected;
    }
}
