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
/// Which stored assessments <see cref="SafetyEngine.EvaluateNew"/> must be given besides the new ones (see there).
/// </summary>
/// <param name="ComparisonVisits">Visits whose assessments later ones are compared with: the baseline visits and the first infusion visit.</param>
/// <param name="LookBacks">For instruments whose rules compare with earlier assessments: how far back.</param>
public sealed record IncrementalReads(IReadOnlyList<string> ComparisonVisits, IReadOnlyList<ItemLookBack> LookBacks)
{
    public ItemLookBack? LookBackFor(string instrument) => LookBacks.FirstOrDefault(l => l.Instrument == instrument);
}

/// <summary>The latest <paramref name="Count"/> stored assessments of <paramref name="Instrument"/> that answered item <paramref name="ItemNumber"/>.</summary>
public sealed record ItemLookBack(string Instrument, int ItemNumber, int Count);

/// <summary>
/// The alerts of new records evaluated on their own; or, when <see cref="FullEvaluationReason"/> is set, why that could
/// miss or wrongly keep a finding, and the whole participant must be evaluated instead.
/// </summary>
public sealed record IncrementalEvaluation(IReadOnlyList<AlertCandidate> Alerts, string? FullEvaluationReason)
{
    public bool NeedsFullEvaluation => FullEvaluationReason is not null;
}

/// <summary>
/// Evaluation of new records alone, so that entering one more assessment costs the same after a year of data as after a
/// week. The rules are the same ones <see cref="Evaluate"/> runs, over a small part of the participant's data: what
/// each rule compares a record with.
/// <list type="bullet">
/// <item>MADRS10_HIGH, BSL_SELFHARM, CADSS_SEVERE, CADSS_PERSIST, BPRS_POS_ITEM and the vital-sign and adverse-event
/// rules read their own record only (SAE_CLOCK also the clock).</item>
/// <item>MADRS10_RISE and SUICIDALITY_ESCALATING read the latest earlier MADRS that answered item 10 (the last
/// consecutiveRises of them), and the MADRS between that left it out (they are named in the message).</item>
/// <item>MADRS_WORSE and BSL_BAND_UP read the participant's baseline of the instrument.</item>
/// <item>BPRS_POS_RISE reads the same visit's pre-infusion BPRS.</item>
/// <item>VISIT_MISSED reads the schedule, which a new assessment, vital signs or adverse event does not move.</item>
/// </list>
/// A rule that starts comparing a record with others must be added here, in <see cref="IncrementalReadsFor"/> and in
/// the checks of <see cref="WhyNotLocal"/>; the property test comparing both paths on random trajectories is there to
/// notice when it was not.
/// </summary>
public static partial class SafetyEngine
{
    /// <summary>
    /// The alerts of <paramref name="added"/>'s records, the same (rule, source, severity, message, values) the whole
    /// participant's evaluation would give them; nothing about any other record. The caller adds them to the stored
    /// alerts and supersedes none of another record's: a new record cannot change another's findings, which this
    /// checks, answering <see cref="IncrementalEvaluation.NeedsFullEvaluation"/> when it cannot show it:
    /// <list type="bullet">
    /// <item>a new assessment administered before one of its instrument already stored (entered late): the comparisons of
    /// the later one may change;</item>
    /// <item>a new assessment that may be the baseline (at a baseline visit, or the first infusion's pre): every later
    /// assessment is compared with it;</item>
    /// <item>a new pre-infusion assessment when the same visit already has one of the instrument at another timepoint,
    /// which is compared with it.</item>
    /// </list>
    /// </summary>
    /// <param name="protocol">The protocol whose rule settings apply.</param>
    /// <param name="stored">
    /// The participant (code, site time zone) and, for each instrument of a new assessment, the stored assessments of
    /// that instrument (<see cref="IncrementalReadsFor"/> says which):
    /// every one administered at or after the earliest of (a) the new assessments' administration times and (b) the
    /// administration times of the latest <see cref="ItemLookBack.Count"/> stored ones that answered the look-back
    /// item; and every one at a <see cref="IncrementalReads.ComparisonVisits">comparison visit</see> or at the visit of a
    /// new assessment. More is harmless, and the new records themselves may be among them (recognised by id). Stored
    /// vital signs, adverse events and missed visits are not read.
    /// </param>
    /// <param name="added">The new records.</param>
    /// <param name="nowUtc">The current instant, used only by the SAE reporting clock.</param>
    public static IncrementalEvaluation EvaluateNew(ProtocolDefinition protocol, ParticipantSafetyData stored, NewSafetyRecords added, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(added);
        RequireUtc(nowUtc);

        var newAssessments = added.Assessments.DistinctBy(a => a.Id).ToList();
        var newIds = newAssessments.Select(a => a.Id).ToHashSet();
        var data = stored with
        {
            Assessments = [.. stored.Assessments.Where(a => !newIds.Contains(a.Id)).DistinctBy(a => a.Id), .. newAssessments],
            Vitals = [.. added.Vitals.DistinctBy(v => v.Id)],
            AdverseEvents = [.. added.AdverseEvents.DistinctBy(e => e.Id)],
            MissedVisits = [],
        };
        var context = new Context(protocol, data, nowUtc);
        if (WhyNotLocal(context, newAssessments, newIds) is { } reason)
        {
            return new IncrementalEvaluation([], reason);
        }

        var sources = newAssessments.Select(a => (SourceTypes.Assessment, a.Id))
            .Concat(data.Vitals.Select(v => (SourceTypes.Vitals, v.Id)))
            .Concat(data.AdverseEvents.Select(e => (SourceTypes.AdverseEvent, e.Id)))
            .Select(s => (s.Item1, s.Id.ToString("N")))
            .ToHashSet();
        var alerts = EvaluateRules(context).Where(a => sources.Contains((a.SourceType, a.SourceKey))).ToList();
        return new IncrementalEvaluation(alerts.AsReadOnly(), null);
    }

    /// <summary>What the stored data given to <see cref="EvaluateNew"/> must include under this protocol's rule settings.</summary>
    public static IncrementalReads IncrementalReadsFor(ProtocolDefinition protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var visits = protocol.Visits.Where(v => v.Kind == VisitKinds.Baseline).Select(v => v.Code)
            .Concat(protocol.InfusionVisits.Take(1).Select(v => v.Code))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        // MADRS10_RISE compares with the latest earlier MADRS that answered item 10; SUICIDALITY_ESCALATING with the
        // consecutiveRises before it.
        var item10 = 0;
        if (protocol.FindRule(Madrs10Rise) is { Enabled: true })
        {
            item10 = 1;
        }

        if (protocol.FindRule(SuicidalityEscalating) is { Enabled: true } escalating)
        {
            item10 = Math.Max(item10, (int)escalating.Parameter("consecutiveRises"));
        }

        return new IncrementalReads(visits.AsReadOnly(), item10 == 0 ? [] : [new ItemLookBack(InstrumentCatalog.Madrs, MadrsSuicideItem, item10)]);
    }

    /// <summary>Why a new assessment could change another record's findings, or null when none can.</summary>
    private static string? WhyNotLocal(Context c, IReadOnlyList<AssessmentFact> added, HashSet<Guid> newIds)
    {
        foreach (var a in added)
        {
            var ordered = c.Ordered(a.Instrument);
            if (ordered.Skip(IndexOf(ordered, a) + 1).FirstOrDefault(o => !newIds.Contains(o.Id)) is { } later)
            {
                return $"{a.Instrument} at {Where(a)} was administered before {a.Instrument} at {Where(later)}, which is already recorded: "
                    + "what the later one is compared with may change";
            }

            if (c.IsBaselineCandidate(a))
            {
                return $"{a.Instrument} at {Where(a)} may be the baseline that the participant's other {a.Instrument} assessments are compared with";
            }

            if (a.Timepoint == PreInfusionTimepoint && ordered.FirstOrDefault(o => o.VisitCode == a.VisitCode && !newIds.Contains(o.Id)) is { } sameVisit)
            {
                return $"{a.Instrument} at {Where(a)} is the pre-infusion rating that {a.Instrument} at {Where(sameVisit)}, already recorded, is compared with";
            }
        }

        return null;
    }
}
