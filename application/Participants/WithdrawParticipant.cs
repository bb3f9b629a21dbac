using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <param name="ParticipantCode">The participant who leaves the study.</param>
/// <param name="Date">The date of withdrawal in the site's calendar: not before enrolment, not in the future.</param>
/// <param name="ReasonCode">Why, coded: a CDISC NCOMPLT term (<see cref="DispositionReasons"/>); required. A participant lost to
/// follow-up is withdrawn with <see cref="DispositionReasons.LostToFollowUp"/>.</param>
/// <param name="Reason">Why, in the site's words; required.</param>
public sealed record WithdrawalInput(string ParticipantCode, DateOnly? Date, string? ReasonCode, string? Reason);

/// <summary>
/// Withdraws a participant from the study (date, coded reason and the site's words); a participant lost to follow-up is
/// withdrawn with the code LOST TO FOLLOW-UP. Later data entry for them needs a reason and is flagged in the
/// audit trail; visits after the withdrawal date are no longer planned or reported missed.
/// </summary>
public sealed class WithdrawParticipant(Database db)
{
    /// <summary>A checked withdrawal, ready to be written; <paramref name="Code"/> is the participant's code as asked for, which the refusals and the audit row repeat.</summary>
    public sealed record Checked(ParticipantRow Participant, string Code, DateOnly Date, string ReasonCode, string Reason);

    /// <summary>What can be decided before the write: the participant (and the actor's access), the date and the reasons.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, WithdrawalInput input, DateTime nowUtc)
    {
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, input.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        var today = DataEntry.Today(participant!, nowUtc);
        var errors = new FieldErrors();
        var date = errors.Required(input.Date, "date", "The date of withdrawal");
        var reasonCode = DataEntry.CheckReasonCode(errors, input.ReasonCode, "A coded reason for the withdrawal (reasonCode)");
        var reason = DataEntry.CheckReason(errors, input.Reason, required: true, "A reason for the withdrawal");
        if (date > today) errors.Add("date", $"The date {date:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {participant!.SiteCode}).");
        if (date < participant!.EnrolledDate) errors.Add("date", $"The date {date:yyyy-MM-dd} is before enrolment ({participant.EnrolledDate:yyyy-MM-dd}).");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(participant, input.ParticipantCode, date!.Value, reasonCode!, reason!);
    }

    /// <summary>
    /// Withdraws the participant, with its audit row; refused when they were already withdrawn or have completed the
    /// study (its last follow-up visit recorded). Gives the participant as withdrawn.
    /// </summary>
    public async Task<Outcome<ParticipantRow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code) = (input.Participant, input.Code);
        if (await ParticipantQueries.WithdrawAsync(w.Session, participant.Id, input.Date, input.ReasonCode, input.Reason, w.NowUtc, w.Actor.UserId) == 0)
        {
            var current = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
            return current.Status == ParticipantStatuses.Completed
                ? new Conflict($"{code} completed the study (its last follow-up visit is recorded); a participant who completed cannot be withdrawn.")
                : new Conflict($"{code} was already withdrawn on {current.WithdrawnDate:yyyy-MM-dd}.");
        }
        var updated = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.Participant, code, AuditActions.StateChange,
            AuditedParticipant.From(participant), AuditedParticipant.From(updated), participant.SiteCode, code, input.Reason, keys: ["code"]));
        await w.ScheduleDataChangedAsync(participant.Id);
        await w.SafetyDataChangedAsync(participant.Id);
        return updated;
    }
}
