using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Safety;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// The stored assessments the evaluation job hands to <see cref="SafetyEngine.EvaluateNew"/> with new ones, chosen from
/// all of them exactly as the contract there describes (the job does the same with bounded queries).
/// </summary>
internal static class IncrementalReading
{
    public static List<AssessmentFact> StoredFor(ProtocolDefinition protocol, IReadOnlyList<AssessmentFact> stored, IEnumerable<AssessmentFact> added) =>
        StoredFor(SafetyEngine.IncrementalReadsFor(protocol), stored, added);

    public static List<AssessmentFact> StoredFor(IncrementalReads reads, IReadOnlyList<AssessmentFact> stored, IEnumerable<AssessmentFact> added)
    {
        var chosen = new List<AssessmentFact>();
        foreach (var instrument in added.GroupBy(a => a.Instrument))
        {
            var compared = reads.For(instrument.Key);
            var ofInstrument = stored.Where(a => a.Instrument == instrument.Key).ToList();
            if (compared.Baseline && instrument.Any(a => reads.MayBeBaseline(a.VisitCode, a.Timepoint)))
                chosen.AddRange(ofInstrument);
            if (compared.LookBack is { } lookBack)
            {
                var from = instrument.Min(a => a.AdministeredUtc);
                var answered = ofInstrument.Where(a => a.Items[lookBack.ItemNumber - 1] is not null && a.AdministeredUtc < from)
                    .OrderByDescending(a => a.AdministeredUtc).Take(lookBack.Count).ToList();
                if (answered.Count > 0 && answered.Min(a => a.AdministeredUtc) < from) from = answered.Min(a => a.AdministeredUtc);
                chosen.AddRange(ofInstrument.Where(a => a.AdministeredUtc >= from));
            }

            var visits = (compared.Baseline ? reads.ComparisonVisits : [])
                .Concat(compared.SameVisit ? instrument.Select(a => a.VisitCode) : [])
                .ToHashSet(StringComparer.Ordinal);
            chosen.AddRange(ofInstrument.Where(a => visits.Contains(a.VisitCode)));
        }

        return chosen.DistinctBy(a => a.Id).ToList();
    }

    /// <summary>
    /// Whether the new assessments certainly need no whole evaluation, so falling back to it would only cost time: no BPRS
    /// or CADSS is a pre-infusion rating administered after one of its visit's other ratings of the instrument already stored (ties left open:
    /// the protocol's timepoint order decides those).
    /// </summary>
    public static bool CertainlyLocal(IReadOnlyList<AssessmentFact> stored, IEnumerable<AssessmentFact> added) =>
        added.All(a => !(a.Instrument is InstrumentCatalog.Bprs or InstrumentCatalog.Cadss && a.Timepoint == SafetyEngine.PreInfusionTimepoint
                         && stored.Any(s => s.Instrument == a.Instrument && s.VisitCode == a.VisitCode && s.AdministeredUtc <= a.AdministeredUtc)));

    /// <summary>
    /// The new records evaluated alone, given what the job would read of the stored ones: their assessments as above, the
    /// stored vital signs of the new ones' visits when a rule compares with them, and the allocation when a new assessment
    /// needs it; by the rules' own declarations unless <paramref name="declarations"/> replaces some.
    /// </summary>
    public static IncrementalEvaluation EvaluateNew(
        ProtocolDefinition protocol, IReadOnlyList<AssessmentFact> stored, IReadOnlyList<AssessmentFact> added, DateTime nowUtc,
        IReadOnlyList<VitalsFact>? vitals = null, IReadOnlyList<AdverseEventFact>? adverseEvents = null,
        IReadOnlyList<VitalsFact>? storedVitals = null, AllocationFact? allocation = null, IReadOnlyDictionary<string, RuleReads>? declarations = null)
    {
        var reads = SafetyEngine.IncrementalReadsFor(protocol, declarations);
        var visits = (vitals ?? []).Select(v => v.VisitCode).ToHashSet(StringComparer.Ordinal);
        var data = SafetyData.Data(StoredFor(reads, stored, added), reads.VitalsAtSameVisit ? (storedVitals ?? []).Where(v => visits.Contains(v.VisitCode)) : [])
            with
        { Allocation = reads.NeedsAllocation(added.Select(a => a.Instrument)) ? allocation : null };
        return SafetyEngine.EvaluateNew(protocol, data, new NewSafetyRecords(added, vitals ?? [], adverseEvents ?? []), nowUtc, reads);
    }
}
