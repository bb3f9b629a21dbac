using Trial.Core.Instruments;
using Trial.Core.Protocol;

namespace Trial.Core.Safety;

/// <summary>
/// Records written since the participant's alerts were last evaluated, none of them evaluated yet. A corrected record is
/// not new: a correction can change the findings of other records, so it goes to the whole-participant evaluation.
/// </summary>
public sealed record NewSafetyRecords(
    IReadOnlyList<AssessmentFact> Assessments,
    IReadOnlyList<VitalsFact> Vitals,
    IReadOnlyList<AdverseEventFact> AdverseEvents)
{
    public int Count => Assessments.Count + Vitals.Count + AdverseEvents.Count;
}

/// <summary>
/// Which stored assessments <see cref="SafetyEngine.EvaluateNew"/> must be given besides the new ones (see there): for each
/// instrument, what the protocol's enabled rules compare a new assessment of it with. An instrument not listed is
/// compared with nothing, and none of its stored assessments need be read.
/// </summary>
/// <param name="Instruments">What is read for each instrument whose rules compare.</param>
/// <param name="BaselineVisits">The protocol's baseline visits.</param>
/// <param name="FirstInfusionVisit">The first infusion visit, whose pre-infusion rating is the baseline when there is no baseline visit's.</param>
public sealed record IncrementalReads(IReadOnlyDictionary<string, InstrumentReads> Instruments, IReadOnlyList<string> BaselineVisits, string? FirstInfusionVisit)
{
    /// <summary>Visits where a baseline is taken: the baseline visits and the first infusion visit.</summary>
    public IReadOnlyList<string> ComparisonVisits { get; } =
        BaselineVisits.Concat(FirstInfusionVisit is null ? [] : [FirstInfusionVisit]).Distinct(StringComparer.Ordinal).ToList().AsReadOnly();

    public InstrumentReads For(string instrument) => Instruments.GetValueOrDefault(instrument, InstrumentReads.Nothing);

    /// <summary>
    /// Whether a new set of vital signs is compared with the stored ones of its visit (VITALS_BP_RISE: the pre-infusion
    /// values), so those must be read with it.
    /// </summary>
    public bool VitalsAtSameVisit { get; init; }

    /// <summary>
    /// The visit whose MADRS total decided the stratum, when STRATUM_CHANGED watches it: a new MADRS there is compared
    /// with the participant's allocation (<see cref="ParticipantSafetyData.Allocation"/>), so that must be read with it.
    /// </summary>
    public string? StratificationVisit { get; init; }

    /// <summary>
    /// Whether the allocation must be read to evaluate new assessments of these instruments (see <see cref="StratificationVisit"/>):
    /// with any new MADRS, since the stratifying MADRS is evaluated again whenever it is a new one's neighbour.
    /// </summary>
    public bool NeedsAllocation(IEnumerable<string> instruments) =>
        StratificationVisit is not null && instruments.Contains(InstrumentCatalog.Madrs, StringComparer.Ordinal);

    /// <summary>
    /// Whether an assessment at this visit and timepoint may be the baseline the others of its instrument are compared with
    /// (the engine's choice of baseline takes it from these: a baseline visit's, else the first infusion's pre).
    /// </summary>
    public bool MayBeBaseline(string visitCode, string? timepoint) =>
        BaselineVisits.Contains(visitCode, StringComparer.Ordinal) || (visitCode == FirstInfusionVisit && timepoint == SafetyEngine.PreInfusionTimepoint);
}

/// <summary>What the rules compare a new assessment of one instrument with.</summary>
/// <param name="Baseline">The participant's baseline of the instrument (MADRS_WORSE, BSL_BAND_UP): the stored assessments at the comparison visits.</param>
/// <param name="SameVisit">Its visit's pre-infusion rating (BPRS_POS_RISE, CADSS_PERSIST): the stored assessments at the new one's visit.</param>
/// <param name="LookBack">Earlier assessments that answered an item (MADRS10_RISE, SUICIDALITY_ESCALATING).</param>
public sealed record InstrumentReads(bool Baseline, bool SameVisit, ItemLookBack? LookBack)
{
    public static readonly InstrumentReads Nothing = new(false, false, null);

    public bool Any => Baseline || SameVisit || LookBack is not null;
}

/// <summary>The latest <paramref name="Count"/> stored assessments that answered item <paramref name="ItemNumber"/>.</summary>
public sealed record ItemLookBack(int ItemNumber, int Count);

/// <summary>
/// The alerts of new records evaluated on their own; or, when <see cref="FullEvaluationReason"/> is set, why that could
/// miss or wrongly keep a finding, and the whole participant must be evaluated instead.
/// </summary>
public sealed record IncrementalEvaluation(IReadOnlyList<AlertCandidate> Alerts, string? FullEvaluationReason)
{
    public bool NeedsFullEvaluation => FullEvaluationReason is not null;

    /// <summary>
    /// Stored records whose findings the new records may change (an assessment entered late is compared with by the
    /// ones after it; pre-infusion vital signs by the visit's later ones), evaluated again with them: <see cref="Alerts"/>
    /// holds their alerts too, and the caller brings their stored alerts in line as it does the new records'. Ids of
    /// assessments and of vital signs alike (ids are unique across records).
    /// </summary>
    public IReadOnlyList<Guid> Reevaluated { get; init; } = [];
}

/// <summary>
/// Evaluation of new records alone, so that entering one more assessment costs the same after a year of data as after a
/// week. The rules are the same ones <see cref="Evaluate"/> runs, over a small part of the participant's data: what
/// each rule compares a record with.
/// <list type="bullet">
/// <item>MADRS10_HIGH, BSL_SELFHARM, CADSS_SEVERE, BPRS_POS_ITEM, VITALS_BP, VITALS_HR, VITALS_SPO2, VITALS_BP_PREDOSE
/// and the adverse-event rules read their own record only (SAE_CLOCK also the clock).</item>
/// <item>MADRS10_RISE and SUICIDALITY_ESCALATING read the latest earlier MADRS that answered item 10 (the last
/// consecutiveRises of them), and the MADRS between that left it out (they are named in the message).</item>
/// <item>MADRS_WORSE and BSL_BAND_UP read the participant's baseline of the instrument.</item>
/// <item>BPRS_POS_RISE and CADSS_PERSIST read the same visit's pre-infusion rating; VITALS_BP_RISE the same visit's
/// pre-infusion vital signs.</item>
/// <item>STRATUM_CHANGED reads the allocation, for a MADRS at the visit that decided the stratum.</item>
/// <item>SAFETY_SCALE_INCOMPLETE reads what the rules on its assessment read.</item>
/// <item>VISIT_MISSED reads the schedule, which a new assessment, vital signs or adverse event does not move.</item>
/// <item>CONMED_PROHIBITED reads the concomitant medications and the infusions, which are never new records here: their
/// writes ask for the whole participant's evaluation, and no new assessment, vital signs or adverse event changes its findings.</item>
/// </list>
/// So a new assessment changes the findings of another only as what that one is compared with: entered late, it is
/// among the earlier MADRS of the next consecutiveRises MADRS that answered item 10 (or between them and theirs); a
/// pre-infusion BPRS or CADSS (or pre-infusion vital signs) is what its visit's other timepoints are compared with; a possible baseline (MADRS, BSL-23) is
/// what every assessment of its instrument is compared with. Those are evaluated again with the new records (their
/// neighbours: a bounded number, or for a possible baseline every assessment of the instrument, which a participant
/// gets only a few times).
/// What is read follows from each rule's declaration (<see cref="RuleReads"/>, in the rule table); which stored records
/// are evaluated again (<see cref="Neighbours"/>) and when the whole participant must be evaluated (<see cref="WhyWhole"/>)
/// follow from what is read. A rule that compares a record with something no kind of <see cref="RuleReads"/> describes
/// needs a new kind, handled in those three places; the property test comparing both paths on random trajectories is
/// there to notice a declaration that says less than its rule reads.
/// </summary>
public static partial class SafetyEngine
{
    /// <summary>
    /// The alerts of <paramref name="added"/>'s records and of the stored records they may change
    /// (<see cref="IncrementalEvaluation.Reevaluated"/>), the same (rule, source, severity, message, values) the whole
    /// participant's evaluation would give them; nothing about any other record. The caller brings the stored alerts of
    /// those records in line and leaves every other record's alone, which holds because no other record's findings can
    /// change; when that cannot be shown, it answers <see cref="IncrementalEvaluation.NeedsFullEvaluation"/>: a new
    /// pre-infusion assessment when its visit already has one of the instrument administered before it (not the usual
    /// order), which is compared with it and whose own comparisons reach before what was read.
    /// </summary>
    /// <param name="protocol">The protocol whose rule settings apply.</param>
    /// <param name="stored">
    /// The participant (code, site time zone) and, for each instrument of a new assessment, the stored assessments of that
    /// instrument that <see cref="IncrementalReadsFor"/> says its rules compare with (<see cref="InstrumentReads"/>):
    /// with <see cref="InstrumentReads.LookBack"/>, every one administered at or after the earliest of (a) the new
    /// assessments' administration times and (b) the administration times of the latest <see cref="ItemLookBack.Count"/>
    /// stored ones that answered the look-back item administered before the earliest new one; with
    /// <see cref="InstrumentReads.Baseline"/>, every one at a <see cref="IncrementalReads.ComparisonVisits">comparison
    /// visit</see>, and every one of the instrument when a new assessment <see cref="IncrementalReads.MayBeBaseline">may
    /// be the baseline</see>; with <see cref="InstrumentReads.SameVisit"/>, every one at the visit of a new assessment. More is
    /// harmless, and the new records themselves may be among them (recognised by id). With
    /// <see cref="IncrementalReads.VitalsAtSameVisit"/>, the stored vital signs at the visits of new ones; when
    /// <see cref="IncrementalReads.NeedsAllocation"/> says so, the allocation. Stored adverse events and missed visits
    /// are not read.
    /// </param>
    /// <param name="added">The new records.</param>
    /// <param name="nowUtc">The current instant, used only by the SAE reporting clock.</param>
    /// <param name="reads">What the caller read by (<see cref="IncrementalReadsFor"/> of <paramref name="protocol"/> when null).</param>
    public static IncrementalEvaluation EvaluateNew(ProtocolDefinition protocol, ParticipantSafetyData stored, NewSafetyRecords added, DateTime nowUtc,
        IncrementalReads? reads = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(added);
        RequireUtc(nowUtc);

        var newAssessments = added.Assessments.DistinctBy(a => a.Id).ToList();
        var newIds = newAssessments.Select(a => a.Id).ToHashSet();
        var newVitals = added.Vitals.DistinctBy(v => v.Id).ToList();
        var newVitalIds = newVitals.Select(v => v.Id).ToHashSet();
        var data = stored with
        {
            Assessments = [.. stored.Assessments.Where(a => !newIds.Contains(a.Id)).DistinctBy(a => a.Id), .. newAssessments],
            Vitals = [.. stored.Vitals.Where(v => !newVitalIds.Contains(v.Id)).DistinctBy(v => v.Id), .. newVitals],
            AdverseEvents = [.. added.AdverseEvents.DistinctBy(e => e.Id)],
            MissedVisits = [],
            // Evaluated with the whole participant only (RuleReads.MedicationsAndInfusions): their writes ask for it.
            ConcomitantMedications = [],
            Infusions = [],
        };
        var context = new Context(protocol, data, nowUtc);
        reads ??= IncrementalReadsFor(protocol);
        if (WhyWhole(context, reads, newAssessments, newIds) is { } reason)
        {
            return new IncrementalEvaluation([], reason);
        }

        List<Guid> reevaluated = [.. Neighbours(context, reads, newAssessments, newIds), .. VitalsNeighbours(context, reads, newVitals, newVitalIds)];
        var sources = newAssessments.Select(a => a.Id)
            .Concat(reevaluated)
            .Concat(newVitals.Select(v => v.Id))
            .Concat(data.AdverseEvents.Select(e => e.Id))
            .Select(id => id.ToString("N"))
            .ToHashSet(StringComparer.Ordinal);
        var alerts = EvaluateRules(context).Where(a => sources.Contains(a.SourceKey)).ToList();
        return new IncrementalEvaluation(alerts.AsReadOnly(), null) { Reevaluated = reevaluated };
    }

    /// <summary>
    /// What the stored data given to <see cref="EvaluateNew"/> must include under this protocol's rule settings: what the
    /// enabled rules' declarations (<see cref="Declarations"/>, or <paramref name="declarations"/> in their place) say they
    /// compare a record with, instrument by instrument.
    /// </summary>
    public static IncrementalReads IncrementalReadsFor(ProtocolDefinition protocol, IReadOnlyDictionary<string, RuleReads>? declarations = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);

        var instruments = new Dictionary<string, InstrumentReads>(StringComparer.Ordinal);
        InstrumentReads Of(string instrument) => instruments.GetValueOrDefault(instrument, InstrumentReads.Nothing);
        var vitalsAtSameVisit = false;
        string? stratificationVisit = null;
        foreach (var spec in Specs)
        {
            if (protocol.FindRule(spec.Code) is not { Enabled: true } rule)
            {
                continue;
            }

            switch (declarations?.GetValueOrDefault(spec.Code) ?? spec.Reads)
            {
                case RuleReads.Baseline b:
                    instruments[b.Instrument] = Of(b.Instrument) with { Baseline = true };
                    break;
                case RuleReads.PreInfusionRating pre:
                    instruments[pre.Instrument] = Of(pre.Instrument) with { SameVisit = true };
                    break;
                case RuleReads.EarlierAnswering earlier:
                    // Several rules looking back at the same item read as far back as the furthest of them.
                    var count = Math.Max(earlier.Count(rule), Of(earlier.Instrument).LookBack is { } look && look.ItemNumber == earlier.ItemNumber ? look.Count : 0);
                    instruments[earlier.Instrument] = Of(earlier.Instrument) with { LookBack = new ItemLookBack(earlier.ItemNumber, count) };
                    break;
                case RuleReads.PreInfusionVitals:
                    vitalsAtSameVisit = true;
                    break;
                case RuleReads.Allocation:
                    stratificationVisit = StratificationVisit(protocol);
                    break;
                case RuleReads.MedicationsAndInfusions:
                    // Nothing to read with new records: medications and infusions are evaluated with the whole participant.
                    break;
            }
        }

        return new IncrementalReads(
            instruments.Where(i => i.Value.Any).ToDictionary(StringComparer.Ordinal).AsReadOnly(),
            protocol.Visits.Where(v => v.Kind == VisitKinds.Baseline).Select(v => v.Code).ToList().AsReadOnly(),
            protocol.InfusionVisits.FirstOrDefault()?.Code)
        {
            VitalsAtSameVisit = vitalsAtSameVisit,
            StratificationVisit = stratificationVisit,
        };
    }

    /// <summary>Why the new assessments may change findings beyond their neighbours, or null when they cannot.</summary>
    private static string? WhyWhole(Context c, IncrementalReads reads, IReadOnlyList<AssessmentFact> added, HashSet<Guid> newIds)
    {
        foreach (var a in added)
        {
            var compared = reads.For(a.Instrument);
            var ordered = c.Ordered(a.Instrument);
            if (compared.SameVisit && a.Timepoint == PreInfusionTimepoint
                && ordered.Take(IndexOf(ordered, a)).FirstOrDefault(o => o.VisitCode == a.VisitCode && !newIds.Contains(o.Id)) is { } before)
            {
                return $"{a.Instrument} at {Where(a)} is the pre-infusion rating that {a.Instrument} at {Where(before)}, already recorded and "
                    + "administered before it, is compared with";
            }
        }

        return null;
    }

    /// <summary>
    /// The stored assessments whose findings the new ones may change (what each is compared with was read, see
    /// <see cref="EvaluateNew"/>): after a possible baseline, every assessment of its instrument; after a pre-infusion
    /// rating that its visit's other timepoints are compared with, those ordered after it; after an assessment entered
    /// late, the ones after it up to the <see cref="ItemLookBack.Count"/>-th that answered the look-back item, whose
    /// comparisons reach back to it.
    /// </summary>
    private static List<Guid> Neighbours(Context c, IncrementalReads reads, IReadOnlyList<AssessmentFact> added, HashSet<Guid> newIds)
    {
        var neighbours = new HashSet<Guid>();
        foreach (var a in added)
        {
            var compared = reads.For(a.Instrument);
            var ordered = c.Ordered(a.Instrument);
            if (compared.Baseline && reads.MayBeBaseline(a.VisitCode, a.Timepoint))
            {
                neighbours.UnionWith(ordered.Where(o => !newIds.Contains(o.Id)).Select(o => o.Id));
            }

            var later = ordered.Skip(IndexOf(ordered, a) + 1).Where(o => !newIds.Contains(o.Id)).ToList();
            if (compared.SameVisit && a.Timepoint == PreInfusionTimepoint)
            {
                neighbours.UnionWith(later.Where(o => o.VisitCode == a.VisitCode).Select(o => o.Id));
            }

            if (compared.LookBack is { } lookBack)
            {
                var answered = 0;
                foreach (var o in later)
                {
                    neighbours.Add(o.Id);
                    if (Item(o, lookBack.ItemNumber) is not null && ++answered == lookBack.Count)
                    {
                        break;
                    }
                }
            }
        }

        return [.. neighbours.Order()];
    }

    /// <summary>After new pre-infusion vital signs, the stored ones of the same visit that are compared with them.</summary>
    private static IEnumerable<Guid> VitalsNeighbours(Context c, IncrementalReads reads, IReadOnlyList<VitalsFact> added, HashSet<Guid> newIds) =>
        reads.VitalsAtSameVisit
            ? added.Where(v => v.Timepoint == PreInfusionTimepoint)
                .SelectMany(pre => c.Vitals.Where(v => v.VisitCode == pre.VisitCode && v.Timepoint != PreInfusionTimepoint && !newIds.Contains(v.Id)))
                .Select(v => v.Id).Distinct().Order()
            : [];
}
