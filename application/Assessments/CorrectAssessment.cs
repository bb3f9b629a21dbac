using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Application.Assessments;

/// <summary>
/// Corrects an assessment: the same values plus a reason, naming the version it corrects. The earlier version is kept; the
/// assessment is scored again and the safety rules evaluate it again. Its instrument, timepoint and whether it was
/// scheduled do not change.
/// </summary>
public sealed class CorrectAssessment(Database db, ProtocolDefinition protocol)
{
    /// <summary>A checked, scored correction of <paramref name="Current"/>, ready to be written.</summary>
    public sealed record Checked(ParticipantRow Participant, StoredAssessment Current, StoredAssessment Corrected, string Reason, bool OutOfWindow);

    /// <summary>
    /// What can be decided before the write: the assessment, the actor's access to its participant, the version the
    /// correction names (<paramref name="ifMatch"/>), the fields and items; then the new score.
    /// </summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, Guid id, AssessmentValues values, string? ifMatch, DateTime nowUtc)
    {
        var current = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (current is null) return ReadAssessments.NoSuchAssessment(id);
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, current.Row.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        if (RecordVersions.Check(ifMatch, current.Row.RowVersion, "assessment") is { } precondition) return precondition;

        var errors = new FieldErrors();
        var definition = InstrumentCatalog.Get(current.Row.Instrument);
        if (values.Instrument is not null && values.Instrument.Trim() != definition.Code)
            errors.Add("instrument", $"A correction cannot change the instrument ({definition.Code}); enter a new assessment instead.");
        var storedTimepoint = current.Row.Timepoint.Length == 0 ? null : current.Row.Timepoint;
        var timepoint = string.IsNullOrWhiteSpace(values.Timepoint) ? null : values.Timepoint.Trim();
        if (timepoint != storedTimepoint)
            errors.Add("timepoint", $"A correction cannot change the timepoint ({storedTimepoint ?? "none"}); enter a new assessment instead.");
        if (values.Unscheduled is { } unscheduledFlag && unscheduledFlag != current.Row.Unscheduled)
            errors.Add("unscheduled", "A correction cannot change whether the assessment was scheduled.");
        var reason = DataEntry.CheckReason(errors, values.Reason, required: true, "A reason for the correction");
        var administered = AssessmentRules.CheckAdministered(errors, values.AdministeredUtc, nowUtc, participant!);
        var items = AssessmentRules.ParseItems(values.Items, definition, errors);
        if (errors.Any) return errors.ToRefusal();

        var score = Scorer.Score(definition, items!);
        var corrected = new AssessmentRow
        {
            Id = current.Row.Id, ParticipantId = current.Row.ParticipantId, ParticipantCode = current.Row.ParticipantCode,
            VisitCode = current.Row.VisitCode, Instrument = current.Row.Instrument, Timepoint = current.Row.Timepoint,
            Unscheduled = current.Row.Unscheduled, AdministeredUtc = administered!.Value, ReceivedUtc = current.Row.ReceivedUtc,
            Complete = score.Complete, SeverityBand = score.SeverityBand, DefinitionVersion = definition.Version,
            ProtocolVersion = protocol.Version, RowVersion = current.Row.RowVersion + 1, CreatedBy = current.Row.CreatedBy,
        };
        // How the corrected assessment stands against the schedule, as a read of it answers (and the first entry did).
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant!.Id));
        var outOfWindow = AssessmentRules.Timing(protocol, participant!, records, corrected, nowUtc) is { Refusal: null } timing ? timing.OutOfWindow : true;
        return new Checked(participant!, current, new StoredAssessment(corrected, items!, score.Scores), reason!, outOfWindow);
    }

    /// <summary>Replaces the assessment with its correction, keeping the earlier version, with its audit row; refused when it changed since it was read.</summary>
    public async Task<Outcome<AssessmentInWindow>> WriteAsync(WriteScope w, Checked input)
    {
        var (participant, current, corrected) = (input.Participant, input.Current, input.Corrected);
        if (!await AssessmentQueries.CorrectAsync(w.Session, current, corrected.Row, corrected.Items, corrected.Scores, w.Actor.UserId, w.NowUtc, input.Reason))
            return RecordVersions.Stale(current.Row.RowVersion + 1, "assessment");
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.Assessment, current.Row.Id.ToString(), AuditActions.Update, AuditedAssessment.From(current),
            AuditedAssessment.From(corrected), participant.SiteCode, participant.Code, input.Reason, flag: DataEntry.Flag(participant)));
        await w.SafetyDataChangedAsync(corrected.Row.ParticipantId);
        return new AssessmentInWindow(corrected, input.OutOfWindow);
    }
}
