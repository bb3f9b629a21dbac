using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Safety;
using Trial.Db.Visits;

namespace Trial.Application.Safety;

/// <summary>How much of a participant an evaluation is asked to look at.</summary>
public enum EvaluationScope
{
    /// <summary>After a write: the new records alone when that is enough.</summary>
    AfterWrite,

    /// <summary>The recurring sweep: the whole participant, when its data changed.</summary>
    Sweep,

    /// <summary>The SAE clock: the whole participant, even when its data did not change.</summary>
    SaeClock,
}

/// <summary>What an evaluation looked at.</summary>
public enum EvaluatedData
{
    /// <summary>Nothing: the alerts were already evaluated over the data as it is (or the participant does not exist).</summary>
    UpToDate,

    /// <summary>The new records alone.</summary>
    NewRecords,

    /// <summary>The whole participant.</summary>
    WholeParticipant,
}

/// <summary>Told of the alerts an evaluation raised, once its write has committed and monitors can see them (the metrics' alert latency).</summary>
public interface IRaisedAlerts
{
    void Visible(IReadOnlyList<SafetyAlertRow> raised);
}

/// <summary>
/// What one evaluation did: how much it evaluated, how many records were new, why it evaluated the whole participant, whether
/// it applied its findings (not when a write changed the data meanwhile), and how many stored assessments it evaluated again
/// with the new records, whose findings they may change (see <see cref="IncrementalEvaluation.Reevaluated"/>).
/// </summary>

public sealed record ParticipantEvaluation(EvaluatedData Data, int NewRecords, string? WholeBecause, bool Applied, int Neighbours)
{
    public static readonly ParticipantEvaluation UpToDate = new(EvaluatedData.UpToDate, 0, null, false, 0);
}

/// <summary>
/// Evaluates the protocol's safety rules over a participant's data and brings the stored alerts
/// in line: a new finding raises an alert, a finding that no longer holds (after a correction)
/// supersedes its alert, never deletes it (see <see cref="AlertLifecycle"/>). Running it twice changes nothing.
/// <para>
/// After a write that only added records (<see cref="SafetyChange.Added"/>), it evaluates the
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
public sealed class EvaluateSafety(Database db, ProtocolDefinition protocol, IRaisedAlerts? raisedAlerts = null)
{
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
    /// What an evaluation read: the findings of the new records and of the stored ones they may change (their neighbours)
    /// already made, or the whole participant's data to evaluate.
    /// </summary>
    private sealed record Read(
        int Version, ParticipantRow Participant, IReadOnlyList<UnevaluatedRecord> Unevaluated,
        IncrementalEvaluation? NewRecords, ParticipantSafetyData? Data, string? FullBecause);

    /// <summary>The participants whose data changed since their last evaluation (what the recurring sweep evaluates).</summary>
    public Task<IReadOnlyList<Guid>> UnevaluatedParticipantsAsync() => db.ReadAsync(SafetyQueries.UnevaluatedParticipantsAsync);

    /// <summary>The participants with a serious adverse event not yet reported to the sponsor (whose reporting clock runs).</summary>
    public Task<IReadOnlyList<Guid>> ParticipantsWithUnreportedSaesAsync() => db.ReadAsync(SafetyQueries.ParticipantsWithUnreportedSaesAsync);

    /// <summary>
    /// Evaluates the participant as of <paramref name="nowUtc"/>, unless (but for the SAE clock) an earlier evaluation already
    /// saw the data as it is now: several writes in quick succession ask for several evaluations, and the first one sees them all.
    /// </summary>
    public async Task<ParticipantEvaluation> EvaluateAsync(Guid participantId, EvaluationScope scope, DateTime nowUtc)
    {
        var now = nowUtc;
        // Read and evaluate outside the write transaction, so data entry never waits on rule
        // evaluation; the write only applies the findings, and only when no write touched the
        // participant's data in between (that write enqueued its own evaluation, which will see it).
        var read = await db.ReadAsync(c => ReadAsync(c, participantId, scope, now));
        if (read is null) return ParticipantEvaluation.UpToDate;
        var findings = read.NewRecords?.Alerts ?? SafetyEngine.Evaluate(protocol, read.Data!, now);
        var raised = new List<SafetyAlertRow>();
        var applied = await db.WriteDerivedAsync(now, async w =>
        {
            raised.Clear();
            // Not when a write changed the participant's data since it was read (that write signalled its own evaluation):
            // then nothing is written here.
            if (await SafetyQueries.SetEvaluatedIfUnchangedAsync(w.Session, participantId, read.Version) == 0) return false;
            // The new records' evaluation says nothing about records other than them and their neighbours: those alerts stay as they
            // are. New records without findings and without neighbours have nothing to bring in line: no alert can be stored for a
            // record no evaluation has seen, since the evaluation that raises one stamps its record in the same transaction.
            if (read.NewRecords is null)
                await ReconcileAsync(w, read.Participant, findings, null, raised);
            else if (findings.Count > 0 || read.NewRecords.Reevaluated.Count > 0)
                await ReconcileAsync(w, read.Participant, findings, raised: raised, onlySources: read.Unevaluated.Select(r => r.Id).Concat(read.NewRecords.Reevaluated).Select(id => id.ToString("N")).ToList());
            await SafetyQueries.MarkEvaluatedAsync(w.Session, read.Version, read.Unevaluated);
            return true;
        });
        if (applied && raised.Count > 0) raisedAlerts?.Visible(raised);
        return read.NewRecords is null
            ? new ParticipantEvaluation(EvaluatedData.WholeParticipant, read.Unevaluated.Count, read.FullBecause, applied, 0)
            : new ParticipantEvaluation(EvaluatedData.NewRecords, read.Unevaluated.Count, null, applied, read.NewRecords.Reevaluated.Count);
    }

    private async Task<Read?> ReadAsync(DbSession c, Guid participantId, EvaluationScope scope, DateTime now)
    {
        var participant = await ParticipantQueries.FindByIdAsync(c, participantId);
        if (participant is null) return null;
        var versions = await SafetyQueries.VersionsAsync(c, participantId);
        if (scope != EvaluationScope.SaeClock && versions.Version == versions.EvaluatedVersion) return null;

        var fullBecause = scope switch
        {
            EvaluationScope.Sweep => "the recurring sweep evaluates whole participants",
            EvaluationScope.SaeClock => "the SAE reporting clock evaluates whole participants",
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

        var assessments = (await AssessmentQueries.WithItemsAndScoresAsync(c, rows.Values)).Select(SafetyFacts.ToFact).ToList();
        var newIds = newRows.Select(r => r.Id).ToHashSet();
        var vitals = await InfusionAndVitalsQueries.VitalsByIdsAsync(c, Ids(SourceTypes.Vitals));
        // The stored vital signs of the new ones' visits: a rise is judged against the pre-infusion values (at most four a visit).
        var storedVitals = _reads.VitalsAtSameVisit
            ? (await InfusionAndVitalsQueries.VitalsAtVisitsAsync(c, participant.Id, vitals.Select(v => v.VisitCode).Distinct().ToList())).Select(SafetyFacts.ToFact).ToList()
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
            new NewSafetyRecords(assessments.Where(a => newIds.Contains(a.Id)).ToList(), vitals.Select(SafetyFacts.ToFact).ToList(), adverseEvents.Select(SafetyFacts.ToFact).ToList()),
            now);
    }

    private async Task<ParticipantSafetyData> LoadAsync(DbSession c, ParticipantRow participant, DateTime now)
    {
        var assessments = await AssessmentQueries.ListForParticipantAsync(c, participant.Id, SafetyEngine.InstrumentsRead);
        var vitals = await InfusionAndVitalsQueries.VitalsAsync(c, participant.Id);
        var adverseEvents = await AdverseEventQueries.ForParticipantAsync(c, participant.Id);
        var visits = await ParticipantQueries.VisitRecordsAsync(c, participant.Id);
        var medications = await ConcomitantMedicationQueries.ForParticipantAsync(c, participant.Id);
        var infusions = await InfusionAndVitalsQueries.InfusionsAsync(c, participant.Id);
        // Missed visits come from the schedule computed now, not from the stored plan, which may lag a moment behind.
        var schedule = ScheduleCalculator.Build(protocol, participant.ScheduleInput(visits), SiteCalendar.Today(now, participant.TimeZone));
        return new ParticipantSafetyData(
            participant.Code,
            participant.TimeZone,
            assessments.Select(SafetyFacts.ToFact).ToList(),
            vitals.Select(SafetyFacts.ToFact).ToList(),
            adverseEvents.Select(SafetyFacts.ToFact).ToList(),
            schedule.Where(v => v.Status == VisitStatuses.Missed).Select(v => new MissedVisitFact(v.VisitCode, v.WindowEnd)).ToList())
        {
            Allocation = _reads.StratificationVisit is null ? null : await AllocationAsync(c, participant),
            ConcomitantMedications = medications.Select(SafetyFacts.ToFact).ToList(),
            Infusions = infusions.Select(SafetyFacts.ToFact).ToList(),
        };
    }

    /// <summary>What the participant was randomised on (stratum and baseline MADRS), never the arm: the rules must not see it.</summary>
    private static async Task<AllocationFact?> AllocationAsync(DbSession c, ParticipantRow participant) =>
        await RandomisationQueries.FindAllocationAsync(c, participant.Id) is { } row
            ? new AllocationFact(participant.SiteCode, row.Stratum, row.BaselineMadrsTotal)
            : null;

    // With onlySources, the findings are those of these source records alone, and only their alerts are brought in line.
    private async Task ReconcileAsync(WriteScope w, ParticipantRow participant, IReadOnlyList<AlertCandidate> findings, IReadOnlyCollection<string>? onlySources,
        List<SafetyAlertRow> raised)
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
            if (!stored.TryGetValue((finding.Rule, finding.SourceKey), out var alert))
            {
                raised.Add(await AlertLifecycle.RaiseAsync(w, participant, finding, protocol.Version));
                continue;
            }
            if (alert.SupersededUtc is not null) await AlertLifecycle.ReinstateAsync(w, alert);
            await AlertLifecycle.UpdateFindingAsync(w, alert, finding);
        }

        foreach (var alert in stored.Values.Where(a => a.SupersededUtc is null && !found.ContainsKey((a.RuleCode, a.SourceKey))))
            await AlertLifecycle.SupersedeAsync(w, alert);
    }
}
