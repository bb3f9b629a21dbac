using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <param name="ParticipantCode">The participant whose infusions stopped.</param>
/// <param name="Date">The date infusions were stopped, in the site's calendar: not before enrolment, not in the future.</param>
/// <param name="ReasonCode">Why, coded: a CDISC NCOMPLT term (<see cref="DispositionReasons"/>); required.</param>
/// <param name="Reason">Why, in the site's words; required.</param>
public sealed record DiscontinuationInput(string ParticipantCode, DateOnly? Date, string? ReasonCode, string? Reason);

/// <summary>
/// Records that infusions stopped early (with a coded reason and the site's words): remaining infusions leave the plan and follow-up is anchored on
/// the last infusion given. Correcting a recorded discontinuation must name the participant's version.
/// </summary>
public sealed class DiscontinueInfusions(Database db, ProtocolDefinition protocol)
{
    /// <summary>
    /// A checked discontinuation, ready to be written: <paramref name="Code"/> is the participant's code as asked for, which
    /// the audit row repeats; <paramref name="Correcting"/> when one was recorded before.
    /// </summary>
    public sealed record Checked(ParticipantRow Participant, string Code, DateOnly Date, string ReasonCode, string Reason, bool Correcting);

    /// <summary>
    /// What can be decided before the write: the participant (and the actor's access), the version the change names
    /// (<paramref name="ifMatch"/>, null when none is named), the date and the reasons (coded and in words).
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, DiscontinuationInput input, string? ifMatch, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, input.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        // Recording a discontinuation for the first time is new data; changing one already recorded is a correction.
        var correcting = participant!.InfusionsDiscontinuedDate is not null;
        if ((correcting || ifMatch is not null) && RecordVersions.Check(ifMatch, participant.RowVersion, "participant") is { } precondition)
            return precondition;
        var today = DataEntry.Today(participant, nowUtc);
        var errors = new FieldErrors();
        var date = errors.Required(input.Date, "date", "The date infusions were stopped");
        var reasonCode = DataEntry.CheckReasonCode(errors, input.ReasonCode, "A coded reason for stopping infusions (reasonCode)");
        var reason = DataEntry.CheckReason(errors, input.Reason, required: true, "A reason");
        if (date > today) errors.Add("date", $"The date {date:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {participant.SiteCode}).");
        if (date < participant.EnrolledDate) errors.Add("date", $"The date {date:yyyy-MM-dd} is before enrolment ({participant.EnrolledDate:yyyy-MM-dd}).");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(participant, input.ParticipantCode, date!.Value, reasonCode!, reason!, correcting);
    }

    /// <summary>
    /// Records the discontinuation, with its audit row; refused when an infusion was given after the date, or when the
    /// participant changed since it was read. Gives the participant as changed.
    /// </summary>
    public async Task<Outcome<ParticipantRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code, date) = (input.Participant, input.Code, input.Date);
        var infusionCodes = protocol.InfusionVisits.Select(v => v.Code).ToHashSet();
        var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
        var later = records.Where(r => infusionCodes.Contains(r.VisitCode) && r.ActualDate > date).OrderBy(r => r.ActualDate).FirstOrDefault();
        if (later is not null)
            return Invalid.Field("date", $"{later.VisitCode} was given on {later.ActualDate:yyyy-MM-dd}, after {date:yyyy-MM-dd}; infusions cannot have stopped before an infusion that was given.");
        if (await ParticipantQueries.DiscontinueInfusionsAsync(w.Session, participant.Id, date, input.ReasonCode, input.Reason, participant.RowVersion, w.NowUtc, w.Actor.UserId) == 0)
            return RecordVersions.Stale(participant.RowVersion + 1, "participant");
        var updated = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.Participant, code, input.Correcting ? AuditActions.Update : AuditActions.StateChange,
            AuditedParticipant.From(participant), AuditedParticipant.From(updated), participant.SiteCode, code, input.Reason, keys: ["code"],
            flag: DataEntry.Flag(participant)));
        await w.ScheduleDataChangedAsync(participant.Id);
        await w.SafetyDataChangedAsync(participant.Id);
        return updated;
    }
}
