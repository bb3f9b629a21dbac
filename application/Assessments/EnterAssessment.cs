using Trial.Application.Participants;
using Trial.Application.Visits;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;

namespace Trial.Application.Assessments;

/// <summary>
/// Enters a rating-scale assessment at a recorded visit (items in item order, null for a missing item); it is scored here.
/// One per instrument, visit and timepoint; one the protocol does not schedule there is entered only as unscheduled. The
/// safety rules evaluate it.
/// </summary>
public sealed class EnterAssessment(Database db, ProtocolDefinition protocol)
{
    /// <summary>
    /// A checked, scored assessment, ready to be written, with its audit row made beforehand. <paramref name="Code"/> is the
    /// participant's code as asked for, which the refusals repeat. The visit records read before the write
    /// (<paramref name="RecordsBefore"/>) stand inside it only while the participant's <paramref name="DataVersion"/> is the same.
    /// </summary>
    public sealed record Checked(ParticipantRow Participant, string Code, string? Timepoint, StoredAssessment Assessment, AuditEntry Audited,
        int DataVersion, IReadOnlyList<VisitRecordRow> RecordsBefore);

    /// <summary>
    /// What can be decided before the write: the participant (and the actor's access), the visit, the fields and items, whether
    /// the protocol schedules it, withdrawal; then the score, the row and its audit entry. Read from <paramref name="within"/>
    /// when given: a write that enrolled the participant or recorded the visit itself (an ODM import's) checks against what it wrote.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, string participantCode, string visitCode, AssessmentValues values, DateTime nowUtc,
        DbSession? within = null)
    {
        Task<T> Read<T>(Func<DbSession, Task<T>> work) => within is null ? db.ReadAsync(work) : work(within.Value);
        var participant = await Read(c => ParticipantQueries.FindByCodeAsync(c, participantCode));
        if (ParticipantAccess.Check(participant, participantCode, actor) is { } refusal) return refusal;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return VisitRefusals.NotInProtocol(protocol, visitCode);

        var now = nowUtc;
        var errors = new FieldErrors();
        var instrumentCode = errors.Required(values.Instrument?.Trim(), "instrument", "Instrument");
        InstrumentDefinition? definition = null;
        if (instrumentCode is not null && !InstrumentCatalog.TryGet(instrumentCode, out definition))
            errors.Add("instrument", $"Unknown instrument '{instrumentCode}'; expected one of {string.Join(", ", InstrumentCatalog.All.Select(i => i.Code))}.");

        var timepoint = string.IsNullOrWhiteSpace(values.Timepoint) ? null : values.Timepoint.Trim();
        if (visit.Kind == VisitKinds.Infusion)
        {
            if (timepoint is null) errors.Add("timepoint", $"{visitCode} is an infusion visit: timepoint must be one of {string.Join(", ", protocol.Timepoints)}.");
            else if (!protocol.Timepoints.Contains(timepoint))
                errors.Add("timepoint", $"Timepoint must be one of {string.Join(", ", protocol.Timepoints)}; got '{timepoint}'.");
        }
        else if (timepoint is not null)
        {
            errors.Add("timepoint", $"{visitCode} is not an infusion visit: timepoint must be null; got '{timepoint}'.");
        }

        var administered = AssessmentRules.CheckAdministered(errors, values.AdministeredUtc, now, participant!);
        var reason = DataEntry.CheckReason(errors, values.Reason, required: false);
        var items = AssessmentRules.ParseItems(values.Items, definition, errors);
        if (errors.Any) return errors.ToRefusal();

        var unscheduled = values.Unscheduled ?? false;
        if (!unscheduled && !visit.Schedules(definition!.Code, timepoint))
        {
            return Invalid.Field("instrument",
                $"The protocol does not schedule {definition.Code} at {visitCode}{(timepoint is null ? "" : " " + timepoint)}. " +
                "Send \"unscheduled\": true to record it as an unscheduled assessment.");
        }

        if (DataEntry.CheckWithdrawal(participant!, reason) is { } withdrawn) return withdrawn;

        var score = Scorer.Score(definition!, items!);
        var row = new AssessmentRow
        {
            Id = SequentialGuid.New(now),
            ParticipantId = participant!.Id,
            ParticipantCode = participant.Code,
            VisitCode = visitCode,
            Instrument = definition!.Code,
            Timepoint = timepoint ?? "",
            Unscheduled = unscheduled,
            AdministeredUtc = administered!.Value,
            ReceivedUtc = now,
            Complete = score.Complete,
            SeverityBand = score.SeverityBand,
            DefinitionVersion = definition.Version,
            ProtocolVersion = protocol.Version,
            RowVersion = 1,
            CreatedBy = actor.UserId,
        };

        // Made or read before the write: on SQLite every write runs on one writer, which should do nothing that can be done
        // beforehand. The visit records read here are used inside the write only if the version that every change to them
        // moves on (DataVersion) is still the same there; otherwise they are read again inside.
        var stored = new StoredAssessment(row, items!, score.Scores);
        var audited = AuditEntry.Created(AuditEntities.Assessment, row.Id.ToString(), AuditedAssessment.From(stored), participant.SiteCode, participantCode, reason,
            DataEntry.Flag(participant));
        var (dataVersion, recordsBefore) = await Read(async c =>
            (await ScheduleQueries.DataVersionAsync(c, participant.Id), await ParticipantQueries.VisitRecordsAsync(c, participant.Id)));
        return new Checked(participant, participantCode, timepoint, stored, audited, dataVersion, recordsBefore);
    }

    /// <summary>
    /// Stores the assessment, with its audit row, when its visit is recorded, its slot is free and its date fits the visit.
    /// Gives it with whether it was administered outside the visit's window.
    /// </summary>
    public async Task<Outcome<AssessmentInWindow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, code, stored) = (input.Participant, input.Code, input.Assessment);
        var row = stored.Row;
        var records = await ScheduleQueries.DataVersionAsync(w.Session, participant.Id) == input.DataVersion
            ? input.RecordsBefore
            : await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
        if (records.All(r => r.VisitCode != row.VisitCode)) return VisitRefusals.NotRecorded(code, row.VisitCode, "assessments");

        if (await AssessmentQueries.FindIdAsync(w.Session, row.ParticipantId, row.VisitCode, row.Instrument, row.Timepoint) is { } existingId)
            return Duplicate(input, existingId);
        var timing = AssessmentRules.Timing(protocol, participant, records, row, w.NowUtc);
        if (timing.Refusal is not null) return Invalid.Field("administeredUtc", timing.Refusal);
        await AssessmentQueries.InsertAsync(w.Session, row, stored.Items, stored.Scores);
        await w.AuditAsync(input.Audited);
        await w.SafetyDataChangedAsync(participant.Id, SafetyChange.Added);
        return new AssessmentInWindow(stored, timing.OutOfWindow);
    }

    /// <summary>
    /// After a write that failed in the database: the refusal when a concurrent entry for the same slot won the race to the
    /// unique constraint, else null (and the failure stands).
    /// </summary>
    public async Task<Refusal?> LostRaceAsync(Checked input)
    {
        var row = input.Assessment.Row;
        var existingId = await db.ReadAsync(c => AssessmentQueries.FindIdAsync(c, row.ParticipantId, row.VisitCode, row.Instrument, row.Timepoint));
        return existingId is null ? null : Duplicate(input, existingId.Value);
    }

    private static Conflict Duplicate(Checked input, Guid existingId)
    {
        var (instrument, visitCode, timepoint, code) = (input.Assessment.Row.Instrument, input.Assessment.Row.VisitCode, input.Timepoint, input.Code);
        return new Conflict(
            $"{instrument} at {visitCode}{(timepoint is null ? "" : " " + timepoint)} is already recorded for {code} (assessment {existingId}); corrections go through PUT /api/v1/assessments/{existingId}.",
            new Dictionary<string, object?> { ["existingId"] = existingId, ["existing"] = $"/api/v1/assessments/{existingId}" });
    }
}
