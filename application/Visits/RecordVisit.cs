using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Visits;

/// <param name="ParticipantCode">Whose visit.</param>
/// <param name="VisitCode">A visit of the protocol.</param>
/// <param name="ActualDate">The date it happened, in the site's calendar.</param>
/// <param name="Reason">Why; required to correct the date of a recorded visit, and to record one after withdrawal.</param>
public sealed record RecordVisitInput(string ParticipantCode, string VisitCode, DateOnly? ActualDate, string? Reason);

/// <summary>
/// Records that a visit happened on a date, or corrects the date of a recorded one (with a reason, naming the version it
/// corrects). Later visits' targets follow. A visit outside its window is kept and flagged. Recording the last follow-up
/// visit of the plan completes the study for an enrolled participant (status <c>completed</c>, with its audit row, in the
/// same transaction); a withdrawn participant never becomes completed.
/// </summary>
public sealed class RecordVisit(Database db, ProtocolDefinition protocol)
{
    /// <summary>
    /// A checked visit date, ready to be written: <paramref name="Code"/> is the participant's code as asked for, which the
    /// refusals and the audit row repeat; <paramref name="IfMatch"/> is the version a correction names (null when
    /// none), checked inside the write, where it is known whether the visit is recorded; <paramref name="Today"/> is the
    /// site's date when the request came.
    /// </summary>
    public sealed record Checked(ParticipantRow Participant, string Code, string VisitCode, DateOnly ActualDate, string? Reason, string? IfMatch, DateOnly Today);

    /// <summary>
    /// What can be decided before the write: the participant (and the actor's access), the visit, the fields. Read from
    /// <paramref name="within"/> when given: a write that enrolled the participant itself (an ODM import's) checks against what it wrote.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, RecordVisitInput input, string? ifMatch, DateTime nowUtc, DbSession? within = null)
    {
        var participant = within is null
            ? await db.ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, input.ParticipantCode))
            : await ParticipantQueries.FindByCodeAsync(within.Value, input.ParticipantCode);
        if (ParticipantAccess.Check(participant, input.ParticipantCode, actor) is { } refusal) return refusal;
        if (protocol.FindVisit(input.VisitCode) is null) return VisitRefusals.NotInProtocol(protocol, input.VisitCode);
        var errors = new FieldErrors();
        var actualDate = errors.Required(input.ActualDate, "actualDate", "actualDate (yyyy-MM-dd)");
        var reason = DataEntry.CheckReason(errors, input.Reason, required: false);
        if (errors.Any) return errors.ToRefusal();
        return new Checked(participant!, input.ParticipantCode, input.VisitCode, actualDate!.Value, reason, ifMatch, DataEntry.Today(participant!, nowUtc));
    }

    /// <summary>
    /// Records the date, or corrects it, with its audit row, when the visit's order and window allow it. Gives the visit as
    /// planned after the change; a correction to the date already recorded changes and audits nothing.
    /// </summary>
    public async Task<Outcome<VisitInPlan>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code, visitCode, actualDate, reason) = (input.Participant, input.Code, input.VisitCode, input.ActualDate, input.Reason);
        var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
        var existing = records.FirstOrDefault(r => r.VisitCode == visitCode);
        if (existing is null && DataEntry.CheckWithdrawal(participant, reason) is { } withdrawn) return withdrawn;
        if (existing is not null)
        {
            if (RecordVersions.Check(input.IfMatch, existing.RowVersion, "visit") is { } precondition) return precondition;
            if (reason is null) return Invalid.Field("reason", "A reason is required to correct the date of a recorded visit.");
            if (existing.ActualDate == actualDate)
            {
                w.Refuse(); // nothing changes, so nothing is written or audited
                return InPlan(participant, records, visitCode, existing, input.Today);
            }
        }
        var refusal = VisitSequencing.CheckRecording(protocol, participant.ScheduleInput(records), visitCode, actualDate, input.Today);
        if (refusal is not null) return Invalid.Field("actualDate", refusal);

        var now = w.NowUtc;
        if (existing is null)
        {
            var record = new VisitRecordRow
            {
                Id = SequentialGuid.New(now), ParticipantId = participant.Id, VisitCode = visitCode, ActualDate = actualDate,
                RecordedUtc = now, RecordedBy = w.Actor.UserId,
            };
            await ParticipantQueries.InsertVisitRecordAsync(w.Session, record);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Visit, $"{code}/{visitCode}", new AuditedVisit(code, visitCode, actualDate, 1),
                participant.SiteCode, code, reason, DataEntry.Flag(participant)));
            if (visitCode == protocol.LastFollowUpVisit?.Code) await CompleteAsync(w, participant, code, visitCode);
        }
        else
        {
            if (await ParticipantQueries.CorrectVisitRecordAsync(w.Session, participant.Id, visitCode, actualDate, existing.RowVersion, now, w.Actor.UserId) == 0)
            {
                return RecordVersions.Stale(existing.RowVersion + 1, "visit");
            }

            await w.AuditAsync(AuditEntry.Changed(AuditEntities.Visit, $"{code}/{visitCode}", AuditActions.Update,
                new AuditedVisit(code, visitCode, existing.ActualDate, existing.RowVersion), new AuditedVisit(code, visitCode, actualDate, existing.RowVersion + 1),
                participant.SiteCode, code, reason, keys: ["participantCode", "visitCode"], flag: DataEntry.Flag(participant)));
        }
        await w.ScheduleDataChangedAsync(participant.Id);
        // Visit dates move the schedule, and with it which visits count as missed.
        await w.SafetyDataChangedAsync(participant.Id);
        records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
        return InPlan(participant, records, visitCode, records.First(r => r.VisitCode == visitCode), input.Today);
    }

    /// <summary>
    /// The participant completed the study: their last follow-up visit is recorded. Only an enrolled participant
    /// completes (a withdrawn one stays withdrawn, whatever is entered after), with the participant's audit row.
    /// </summary>
    private static async Task CompleteAsync(WriteScope w, ParticipantRow participant, string code, string visitCode)
    {
        // Read inside the transaction: the participant may have changed since the check (withdrawn meanwhile).
        var current = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
        if (current.Status != ParticipantStatuses.Enrolled || await ParticipantQueries.CompleteAsync(w.Session, participant.Id) == 0) return;
        var completed = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.Participant, code, AuditActions.StateChange,
            AuditedParticipant.From(current), AuditedParticipant.From(completed), participant.SiteCode, code,
            $"Completed the study: {visitCode}, the last follow-up visit of the plan, was recorded.", keys: ["code"]));
    }

    private VisitInPlan InPlan(ParticipantRow participant, IReadOnlyList<VisitRecordRow> records, string visitCode, VisitRecordRow record, DateOnly today)
    {
        var schedule = ScheduleCalculator.Build(protocol, participant.ScheduleInput(records), today);
        return new VisitInPlan(schedule.First(v => v.VisitCode == visitCode), record);
    }
}
