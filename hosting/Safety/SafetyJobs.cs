using System.Text.Json;
using Hangfire;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Safety;
using Trial.Db.Visits;
using Trial.Hosting.Sweeps;

namespace Trial.Hosting.Safety;

/// <summary>
/// Evaluates the protocol's safety rules over a participant's data and brings the stored alerts
/// in line: a new finding raises an alert, a finding that no longer holds (after a correction)
/// supersedes its alert, never deletes it. Running it twice changes nothing.
/// <para>
/// After a write that only added records (<see cref="SafetyChange.Added"/>), the job evaluates the
/// new records alone (<see cref="SafetyEngine.EvaluateNew"/>): it reads them and the few stored
/// assessments the rules compare them with, so its cost does not grow with the participant's
/// history, and it brings in line only the alerts of the new records and of the few stored ones
/// compared with them (an assessment entered late is compared with by the next ones). After any
/// other write (a correction, a visit date, a discontinuation, a withdrawal, a missed visit), for
/// the recurring sweeps, and whenever the new records cannot be shown to leave every other finding
/// as it was, it evaluates the whole participant, so a corrected baseline re-evaluates every
/// later visit compared with it.
/// </para>
/// </summary>
public sealed class SafetyJobs(Database db, ProtocolDefinition protocol, TimeProvider clock, ParticipantSweeps sweeps)
{
    public const string SweepJobId = "safety:sweep-unevaluated";
    public const string SaeClockJobId = "safety:sae-clock";

    /// <summary>
    /// More new records than this at once (a queue lost for a while, a bulk entry) are evaluated with the whole participant,
    /// which then costs no more than evaluating them one by one.
    /// </summary>
    public const int MaxNewRecords = 16;

    /// <summary>
    /// The most stored assessments of one instrument compared with new ones: the look-back of the trend rules, plus any
    /// administered at the same time as the new ones or later (which makes the evaluation whole anyway).
    /// </summary>
    public const int MaxComparedAssessments = 64;

    private readonly IncrementalReads _reads = SafetyEngine.IncrementalReadsFor(protocol);

    /// <summary>
    /// Evaluates the participant unless an earlier job already evaluated the data as it is now
    /// (several writes in quick succession enqueue several jobs; the first one sees them all):
    /// the new records alone when the writes only added records, else the whole participant.
    /// </summary>
    [AutomaticRetry(Attempts = 5)]
    public Task<SafetyEvaluation> EvaluateParticipantAsync(Guid participantId) => EvaluateAsync(participantId, Scope.AfterWrite);

    /// <summary>
    /// The job of the participants whose writes were gathered together (<see cref="Hosting.HangfireDerivedWork"/>): each evaluated
    /// as <see cref="EvaluateParticipantAsync"/> does. One participant's failure does not hold up the others: the rest are still
    /// evaluated, then the job fails so that Hangfire retries it, and the retry finds those already evaluated up to date.
    /// </summary>
    [AutomaticRetry(Attempts = 5)]
    public Task EvaluateParticipantsAsync(Guid[] participantIds) => ParticipantBatch.RunAsync(participantIds, "safety evaluation", EvaluateParticipantAsync);

    /// <summary>
    /// Evaluates every participant whose data changed since their last evaluation: the safety net for lost jobs. One
    /// participant whose evaluation throws is skipped and retried later (<see cref="ParticipantSweeps"/>).
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> SweepUnevaluatedAsync()
    {
        var pending = await db.ReadAsync(SafetyQueries.UnevaluatedParticipantsAsync);
        return await sweeps.RunAsync(SweepJobId, pending, id => EvaluateAsync(id, Scope.Sweep));
    }

    /// <summary>The SAE reporting clock runs out with time, not with a write: re-evaluate every participant with an unreported SAE.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> CheckSaeClocksAsync()
    {
        var pending = await db.ReadAsync(SafetyQueries.ParticipantsWithUnreportedSaesAsync);
        // Nothing was written, time passed: evaluate even when the data is unchanged.
        return await sweeps.RunAsync(SaeClockJobId, pending, id => EvaluateAsync(id, Scope.SaeClock));
    }

    private enum Scope
    {
        /// <summary>After a write: the new records alone when that is enough.</summary>
        AfterWrite,

        /// <summary>The recurring sweep: the whole participant, when its data changed.</summary>
        Sweep,

        /// <summary>The SAE clock: the whole participant, even when its data did not change.</summary>
        SaeClock,
    }

    /// <summary>
    /// What an evaluation read: the findings of the new records and of the stored ones they may change (their neighbours)
    /// already made, or the whole participant's data to evaluate.
    /// </summary>
    private sealed record Read(
        int Version, ParticipantRow Participant, IReadOnlyList<UnevaluatedRecord> Unevaluated,
        IncrementalEvaluation? NewRecords, ParticipantSafetyData? Data, string? FullBecause);

    private async Task<SafetyEvaluation> EvaluateAsync(Guid participantId, Scope scope)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Read and evaluate outside the write transaction, so data entry never waits on rule
        // evaluation; the write only applies the findings, and only when no write touched the
        // participant's data in between (that write enqueued its own evaluation, which will see it).
        var read = await db.ReadAsync(c => ReadAsync(c, participantId, scope, now));
        if (read is null) return SafetyEvaluation.UpToDate;
        var findings = read.NewRecords?.Alerts ?? SafetyEngine.Evaluate(protocol, read.Data!, now);
        var applied = await db.WriteDerivedAsync(now, async w =>
        {
            // Not when a write changed the participant's data since it was read (that write signalled its own evaluation):
            // then nothing is written here.
            if (await SafetyQueries.SetEvaluatedIfUnchangedAsync(w.Session, participantId, read.Version) == 0) return false;
            // The new records' evaluation says nothing about records other than them and their neighbours: those alerts stay as they
            // are. New records without findings and without neighbours have nothing to bring in line: no alert can be stored for a
            // record no evaluation has seen, since the evaluation that raises one stamps its record in the same transaction.
            if (read.NewRecords is null)
                await ReconcileAsync(w, read.Participant, findings, null);
            else if (findings.Count > 0 || read.NewRecords.Reevaluated.Count > 0)
                await ReconcileAsync(w, read.Participant, findings, read.Unevaluated.Select(r => r.Id).Concat(read.NewRecords.Reevaluated).Select(id => id.ToString("N")).ToList());
            await SafetyQueries.MarkEvaluatedAsync(w.Session, read.Version, read.Unevaluated);
            return true;
        });
        return read.NewRecords is null
            ? new SafetyEvaluation(SafetyEvaluationKind.WholeParticipant, read.Unevaluated.Count, read.FullBecause, applied)
            : new SafetyEvaluation(SafetyEvaluationKind.NewRecords, read.Unevaluated.Count, null, applied) { Neighbours = read.NewRecords.Reevaluated.Count };
    }

    private async Task<Read?> ReadAsync(DbSession c, Guid participantId, Scope scope, DateTime now)
    {
        var participant = await ParticipantQueries.FindByIdAsync(c, participantId);
        if (participant is null) return null;
        var versions = await SafetyQueries.VersionsAsync(c, participantId);
        if (scope != Scope.SaeClock && versions.Version == versions.EvaluatedVersion) return null;

        var fullBecause = scope switch
        {
            Scope.Sweep => "the recurring sweep evaluates whole participants",
            Scope.SaeClock => "the SAE reporting clock evaluates whole participants",
            _ when versions.EvaluatedVersion == 0 => "the participant has not been evaluated before",
            _ when versions.FullVersion > versions.EvaluatedVersion => "data the rules read was changed, not only added to",
            _ => null,
        };
        if (fullBecause is null)
        {
            var unevaluated = await SafetyQueries.UnevaluatedRecordsAsync(c, participantId, MaxNewRecords + 1);
            if (unevaluated.Count == 0)
            {
                fullBecause = "no new record was found";
            }
            else if (unevaluated.Count > MaxNewRecords)
            {
                fullBecause = $"more than {MaxNewRecords} new records";
            }
            else
            {
                var outcome = await EvaluateNewAsync(c, participant, unevaluated, now);
                if (!outcome.NeedsFullEvaluation) return new Read(versions.Version, participant, unevaluated, outcome, null, null);
                fullBecause = outcome.FullEvaluationReason;
            }
        }

        // Stamped as evaluated are only records read before the data, so every one of them is in it.
        var all = await SafetyQueries.UnevaluatedRecordsAsync(c, participantId, int.MaxValue);
        var data = await LoadAsync(c, participant, now);
        return new Read(versions.Version, participant, all, null, data, fullBecause);
    }

    /// <summary>
    /// Evaluates the new records alone: reads them and the stored assessments <see cref="SafetyEngine.EvaluateNew"/>
    /// compares them with (see <see cref="IncrementalReads"/>: none for an instrument whose rules compare with nothing),
    /// each through a bounded query, so nothing here grows with the participant's history. Answers that the whole
    /// participant must be evaluated when there would be too many.
    /// </summary>
    private async Task<IncrementalEvaluation> EvaluateNewAsync(DbSession c, ParticipantRow participant, IReadOnlyList<UnevaluatedRecord> unevaluated, DateTime now)
    {
        List<Guid> Ids(string type) => unevaluated.Where(r => r.SourceType == type).Select(r => r.Id).ToList();
        var newRows = (await AssessmentQueries.RowsByIdsAsync(c, Ids(SourceTypes.Assessment)))
            .Where(r => SafetyEngine.InstrumentsRead.Contains(r.Instrument)).ToList();
        var rows = new Dictionary<Guid, AssessmentRow>();
        foreach (var row in newRows) rows[row.Id] = row;
        foreach (var instrument in newRows.GroupBy(r => r.Instrument))
        {
            var compared = _reads.For(instrument.Key);
            if (compared.Baseline && instrument.Any(r => _reads.MayBeBaseline(r.VisitCode, r.Timepoint.Length == 0 ? null : r.Timepoint)))
            {
                // A possible baseline: every assessment of the instrument is compared with it (a participant has few such),
                // and reading them all reads everything the reads below would.
                var every = await AssessmentQueries.AdministeredFromAsync(c, participant.Id, instrument.Key, DateTime.MinValue, MaxComparedAssessments + 1);
                if (every.Count > MaxComparedAssessments)
                    return new IncrementalEvaluation([], $"more than {MaxComparedAssessments} {instrument.Key} assessments compared with a possible baseline");
                foreach (var row in every) rows.TryAdd(row.Id, row);
                continue;
            }
            if (compared.LookBack is { } lookBack)
            {
                var from = instrument.Min(r => r.AdministeredUtc);
                var answered = await AssessmentQueries.LatestEvaluatedAnsweringBeforeAsync(c, participant.Id, instrument.Key, lookBack.ItemNumber, from, lookBack.Count);
                if (answered.Count > 0 && answered.Min() < from) from = answered.Min();
                var window = await AssessmentQueries.AdministeredFromAsync(c, participant.Id, instrument.Key, from, MaxComparedAssessments + 1);
                if (window.Count > MaxComparedAssessments)
                    return new IncrementalEvaluation([], $"more than {MaxComparedAssessments} {instrument.Key} assessments to compare the new ones with");
                foreach (var row in window) rows.TryAdd(row.Id, row);
            }
            var visits = (compared.Baseline ? _reads.ComparisonVisits : [])
                .Concat(compared.SameVisit ? instrument.Select(r => r.VisitCode) : [])
                .Distinct(StringComparer.Ordinal).ToList();
            foreach (var row in await AssessmentQueries.AtVisitsAsync(c, participant.Id, instrument.Key, visits))
                rows.TryAdd(row.Id, row);
        }

        var assessments = (await AssessmentQueries.WithItemsAndScoresAsync(c, rows.Values)).Select(ToFact).ToList();
        var newIds = newRows.Select(r => r.Id).ToHashSet();
        var vitals = await InfusionAndVitalsQueries.VitalsByIdsAsync(c, Ids(SourceTypes.Vitals));
        // The stored vital signs of the new ones' visits: a rise is judged against the pre-infusion values (at most four a visit).
        var storedVitals = _reads.VitalsAtSameVisit
            ? (await InfusionAndVitalsQueries.VitalsAtVisitsAsync(c, participant.Id, vitals.Select(v => v.VisitCode).Distinct().ToList())).Select(ToFact).ToList()
            : [];
        var adverseEvents = await AdverseEventQueries.ListByIdsAsync(c, Ids(SourceTypes.AdverseEvent));
        var allocation = _reads.NeedsAllocation(newRows.Select(r => r.Instrument))
            ? await AllocationAsync(c, participant)
            : null;
        return SafetyEngine.EvaluateNew(
            protocol,
            new ParticipantSafetyData(participant.Code, participant.TimeZone, assessments.Where(a => !newIds.Contains(a.Id)).ToList(), storedVitals, [], [])
            {
                Allocation = allocation,
            },
            new NewSafetyRecords(assessments.Where(a => newIds.Contains(a.Id)).ToList(), vitals.Select(ToFact).ToList(), adverseEvents.Select(ToFact).ToList()),
            now);
    }

    private async Task<ParticipantSafetyData> LoadAsync(DbSession c, ParticipantRow participant, DateTime now)
    {
        var assessments = await AssessmentQueries.ListForParticipantAsync(c, participant.Id, SafetyEngine.InstrumentsRead);
        var vitals = await InfusionAndVitalsQueries.VitalsAsync(c, participant.Id);
        var adverseEvents = await AdverseEventQueries.ForParticipantAsync(c, participant.Id);
        var visits = await ParticipantQueries.VisitRecordsAsync(c, participant.Id);
        // Missed visits come from the schedule computed now, not from the stored plan, which may lag a moment behind.
        var schedule = ScheduleCalculator.Build(protocol, participant.ScheduleInput(visits), SiteCalendar.Today(now, participant.TimeZone));
        return new ParticipantSafetyData(
            participant.Code,
            participant.TimeZone,
            assessments.Select(ToFact).ToList(),
            vitals.Select(ToFact).ToList(),
            adverseEvents.Select(ToFact).ToList(),
            schedule.Where(v => v.Status == VisitStatuses.Missed).Select(v => new MissedVisitFact(v.VisitCode, v.WindowEnd)).ToList())
        {
            Allocation = _reads.StratificationVisit is null ? null : await AllocationAsync(c, participant),
        };
    }

    /// <summary>What the participant was randomised on (stratum and baseline MADRS), never the arm: the rules must not see it.</summary>
    private static async Task<AllocationFact?> AllocationAsync(DbSession c, ParticipantRow participant) =>
        await RandomisationQueries.FindAllocationAsync(c, participant.Id) is { } row
            ? new AllocationFact(participant.SiteCode, row.Stratum, row.BaselineMadrsTotal)
            : null;

    private static AssessmentFact ToFact(StoredAssessment a) => new(
        a.Row.Id, a.Row.Instrument, a.Row.VisitCode, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint, a.Row.AdministeredUtc, a.Items, a.Scores);

    private static VitalsFact ToFact(VitalSignRow v) => new(v.Id, v.VisitCode, v.Timepoint, v.Systolic, v.Diastolic, v.HeartRate, v.Spo2);

    public static AdverseEventFact ToFact(AdverseEventRow e) => new(
        e.Id, e.Term, e.OnsetDate, e.EndDate, e.Severity, e.Serious, e.SeriousCriteriaList, e.Relatedness, e.Expected,
        e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest);

    // Every change to an alert is kept twice over: in the alert's own history (what a monitor reads beside it) and in
    // the audit trail (old and new values, so a re-evaluation never overwrites a finding without a trace).
    // With onlySources, the findings are those of these source records alone, and only their alerts are brought in line.
    private async Task ReconcileAsync(WriteScope w, ParticipantRow participant, IReadOnlyList<AlertCandidate> findings, IReadOnlyCollection<string>? onlySources)
    {
        // Only the alerts of rules the engine evaluates are its to raise and supersede: an UNBLINDED alert is raised by
        // the unblinding itself and no evaluation of clinical data can make it stop holding.
        var stored = (onlySources is null
                ? await SafetyQueries.ForParticipantAsync(w.Session, participant.Id)
                : await SafetyQueries.ForSourcesAsync(w.Session, participant.Id, onlySources))
            .Where(a => SafetyEngine.KnownRules.Contains(a.RuleCode))
            .ToDictionary(a => (a.RuleCode, a.SourceKey));
        var found = findings.ToDictionary(f => (f.Rule, f.SourceKey));

        foreach (var finding in findings)
        {
            var values = JsonSerializer.Serialize(finding.Values);
            if (!stored.TryGetValue((finding.Rule, finding.SourceKey), out var alert))
            {
                var raised = new SafetyAlertRow
                {
                    Id = SequentialGuid.New(w.NowUtc), ParticipantId = participant.Id, RuleCode = finding.Rule, Severity = finding.Severity,
                    SourceType = finding.SourceType, SourceKey = finding.SourceKey, VisitCode = finding.VisitCode,
                    Message = finding.Message, ValuesJson = values, Status = AlertStatuses.Open, Escalated = false,
                    RaisedUtc = w.NowUtc, ProtocolVersion = protocol.Version,
                };
                await SafetyQueries.InsertAsync(w.Session, raised);
                await RecordAsync(w, raised.Id, "raised", null, AlertStatuses.Open, finding.Message);
                await w.AuditAsync(AuditEntry.Created(AuditEntities.SafetyAlert, raised.Id.ToString(), AuditedAlert.Of(raised), participant.SiteCode, participant.Code));
                continue;
            }
            if (alert.SupersededUtc is not null)
            {
                await SafetyQueries.SetSupersededAsync(w.Session, alert.Id, null);
                await RecordAsync(w, alert.Id, "reinstated", alert.Status, alert.Status, "The condition holds again after a change to the data.");
                await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.StateChange,
                    new { id = alert.Id, superseded = true }, new { id = alert.Id, superseded = false }, participant.SiteCode, participant.Code,
                    "The condition holds again after a change to the data."));
            }
            if (alert.Message != finding.Message || alert.ValuesJson != values || alert.Severity != finding.Severity || alert.VisitCode != finding.VisitCode)
            {
                await SafetyQueries.SetFindingAsync(w.Session, alert.Id, finding.Message, values, finding.Severity, finding.VisitCode);
                await RecordAsync(w, alert.Id, "updated", alert.Status, alert.Status, $"Was: {alert.Message}");
                await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.Update,
                    AuditedAlert.Of(alert), AuditedAlert.Of(alert, finding, values), participant.SiteCode, participant.Code,
                    "Re-evaluated after a change to the data."));
            }
        }

        foreach (var alert in stored.Values.Where(a => a.SupersededUtc is null && !found.ContainsKey((a.RuleCode, a.SourceKey))))
        {
            const string why = "The condition no longer holds after a change to the data it was raised on.";
            await SafetyQueries.SetSupersededAsync(w.Session, alert.Id, w.NowUtc);
            await RecordAsync(w, alert.Id, "superseded", alert.Status, alert.Status, why);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.DeleteBySupersede,
                new { id = alert.Id, superseded = false }, new { id = alert.Id, superseded = true }, participant.SiteCode, participant.Code, why));
        }
    }

    private static Task RecordAsync(WriteScope w, Guid alertId, string action, string? from, string? to, string? comment) =>
        SafetyQueries.InsertEventAsync(w.Session, new SafetyAlertEventRow
        {
            Id = SequentialGuid.New(w.NowUtc), AlertId = alertId, Action = action, FromStatus = from, ToStatus = to,
            Comment = comment, ActorId = null, ActorRole = w.Actor.Role, AtUtc = w.NowUtc,
        });
}

public enum SafetyEvaluationKind
{
    /// <summary>The alerts were already evaluated over the data as it is (or the participant does not exist).</summary>
    UpToDate,

    /// <summary>The new records alone.</summary>
    NewRecords,

    /// <summary>The whole participant.</summary>
    WholeParticipant,
}

/// <summary>
/// What one evaluation did, kept by Hangfire as the job's result: how much it evaluated, how many records were new, why it
/// evaluated the whole participant, and whether it applied its findings (not when a write changed the data meanwhile).
/// </summary>
public sealed record SafetyEvaluation(SafetyEvaluationKind Kind, int NewRecords, string? WholeBecause, bool Applied)
{
    /// <summary>Stored assessments evaluated again with the new records, whose findings they may change (see <see cref="IncrementalEvaluation.Reevaluated"/>).</summary>
    public int Neighbours { get; init; }

    public static readonly SafetyEvaluation UpToDate = new(SafetyEvaluationKind.UpToDate, 0, null, false);
}

/// <summary>The fields of an alert as the audit trail records them.</summary>
internal static class AuditedAlert
{
    public static object Of(SafetyAlertRow a) => Of(a.Id, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode, a.Message, a.ValuesJson);

    public static object Of(SafetyAlertRow a, AlertCandidate now, string valuesJson) =>
        Of(a.Id, a.RuleCode, now.Severity, a.SourceType, a.SourceKey, now.VisitCode, now.Message, valuesJson);

    private static object Of(Guid id, string rule, string severity, string sourceType, string sourceKey, string? visitCode, string message, string valuesJson) =>
        new { id, rule, severity, sourceType, sourceKey, visitCode, message, values = JsonSerializer.Deserialize<Dictionary<string, string>>(valuesJson) };
}
