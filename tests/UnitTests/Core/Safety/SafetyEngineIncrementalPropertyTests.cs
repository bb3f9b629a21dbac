using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// The evaluation of new records alone against the whole participant's, on random trajectories of assessments, vital signs
/// and adverse events entered one write (or a few) at a time, mostly in the order they were administered and some late.
/// FsCheck prints the seed of a failing run, e.g. "(1234567,89)": paste it into the attribute as Replay = "1234567,89"
/// to run the same trajectories again.
/// </summary>
[TestFixture]
// No state of its own: its properties, the longest of the fast tests, run beside each other and the rest.
[Parallelizable(ParallelScope.All)]
public class SafetyEngineIncrementalPropertyTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = new(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    // Always missed in these trajectories: the evaluation of new records must leave its alert alone.
    private static readonly MissedVisitFact Missed = new("INF4", new DateOnly(2026, 3, 20));

    // Always stored in these trajectories, with the infusions they are compared with (CONMED_PROHIBITED fires on the first
    // two): written before, evaluated whole, and never changed by new assessments, vital signs or adverse events, so the
    // evaluation of new records must leave their alerts alone too.
    private static readonly ConcomitantMedicationFact[] Medications =
    [
        new(Guid.Parse("c0000000-0000-0000-0000-000000000001"), "Lorazepam", "N05BA06", new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3), false),
        new(Guid.Parse("c0000000-0000-0000-0000-000000000002"), "Sertraline", "N06AB06", new DateOnly(2026, 3, 5), null, true),
        new(Guid.Parse("c0000000-0000-0000-0000-000000000003"), "Paracetamol", "N02BE01", new DateOnly(2026, 3, 1), null, true),
    ];

    private static readonly InfusionFact[] Infusions =
    [
        new(Guid.Parse("d0000000-0000-0000-0000-000000000001"), "INF1", new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc)),
        new(Guid.Parse("d0000000-0000-0000-0000-000000000002"), "INF2", new DateTime(2026, 3, 4, 9, 0, 0, DateTimeKind.Utc)),
        new(Guid.Parse("d0000000-0000-0000-0000-000000000003"), "INF3", new DateTime(2026, 3, 9, 9, 0, 0, DateTimeKind.Utc)),
    ];

    private static readonly string[] Instruments = [InstrumentCatalog.Madrs, InstrumentCatalog.Bsl23, InstrumentCatalog.Cadss, InstrumentCatalog.Bprs];

    // The protocol's visits, and visits no protocol knows (such as daily self-reports), which count as after the first infusion.
    private static readonly string[] Visits = [.. DefaultProtocol.Visits.Select(v => v.Code), "SR-01", "SR-02", "SR-03", "SR-04", "SR-05", "SR-06"];

    public static readonly (string Name, ProtocolDefinition Protocol)[] Protocols =
    [
        ("default", DefaultProtocol),
        ("one rise escalates", WithRule(SafetyEngine.SuicidalityEscalating, r => WithParameter(r, "consecutiveRises", 1))),
        ("three rises escalate", WithRule(SafetyEngine.SuicidalityEscalating, r => WithParameter(r, "consecutiveRises", 3))),
        ("no MADRS10_RISE", WithRule(SafetyEngine.Madrs10Rise, r => r with { Enabled = false })),
    ];

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property EvaluateNew_RandomTrajectories_StoredAlertsPlusTheNewRecordsAlertsEqualTheWholeEvaluation() =>
        Prop.ForAll(Trajectories().ToArbitrary(), Check);

    // Data entered in any order, as when a site catches up on paper records: most writes are late, and each re-evaluates its
    // neighbours. Mostly MADRS, whose comparisons reach furthest back.
    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property EvaluateNew_TrajectoriesEnteredOutOfOrder_StoredAlertsPlusTheReevaluatedAlertsEqualTheWholeEvaluation() =>
        Prop.ForAll(Trajectories(lateOneIn: 2, madrsWeight: 6).ToArbitrary(), Check);

    // A declaration that says less than its rule reads must make the two paths disagree somewhere: otherwise the
    // properties above could not tell a right declaration from a wrong one. Each wrong one is run on many trajectories
    // (those of the test above that enters data out of order, where comparisons matter most) and must be caught.
    // (MADRS10_RISE is left out: its look-back of one is within SUICIDALITY_ESCALATING's, so declaring it wrong changes
    // nothing that is read.) The trajectories are those of the tests above, kept to the infusion visits, where every one
    // of these rules has something to compare, weighted towards the records each compares (MADRS, vital signs).
    [TestCase(SafetyEngine.MadrsWorse, 6, 2)]
    [TestCase(SafetyEngine.SuicidalityEscalating, 6, 2)]
    [TestCase(SafetyEngine.BslBandUp, 1, 2)]
    [TestCase(SafetyEngine.CadssPersist, 1, 2)]
    [TestCase(SafetyEngine.BprsPosRise, 1, 2)]
    [TestCase(SafetyEngine.VitalsBpRise, 1, 24)]
    [TestCase(SafetyEngine.StratumChanged, 6, 2)]
    public void EvaluateNew_ARuleDeclaredAsReadingItsOwnRecordOnly_IsCaughtByTheProperty(string rule, int madrsWeight, int vitalsWeight)
    {
        var wrong = SafetyEngine.Declarations.ToDictionary(d => d.Key, d => d.Key == rule ? RuleReads.OwnRecord : d.Value, StringComparer.Ordinal);
        string[] visits = [.. DefaultProtocol.Visits.Where(v => v.Kind is VisitKinds.Infusion or VisitKinds.Baseline).Select(v => v.Code)];
        var trajectories = Trajectories(lateOneIn: 2, madrsWeight: madrsWeight, visits: visits, vitalsWeight: vitalsWeight);

        var caught = trajectories.Sample(45, 5000).Select(t => FirstDisagreement(t, wrong)).FirstOrDefault(d => d is not null);

        Assert.That(caught, Is.Not.Null, $"a wrong declaration of {rule} went unnoticed");
    }

    [Test]
    public void Trajectories_StoredMedications_RaiseAlertsTheNewRecordsMustLeaveAlone()
    {
        var data = new ParticipantSafetyData("WAW-0001", TimeZoneInfo.Utc, [], [], [], []) { ConcomitantMedications = Medications, Infusions = Infusions };

        var fired = SafetyEngine.Evaluate(DefaultProtocol, data, Now).Where(a => a.Rule == SafetyEngine.ConmedProhibited).Select(a => a.SourceKey);

        Assert.That(fired, Is.EquivalentTo(Medications.Take(2).Select(m => m.Id.ToString("N"))));
    }

    private static void Check(Trajectory t)
    {
        var disagreement = FirstDisagreement(t, null);
        Assert.That(disagreement, Is.Null, disagreement);
    }

    /// <summary>
    /// Where the evaluation of new records, by <paramref name="declarations"/> (the rules' own when null), first departs
    /// from the whole participant's over the trajectory's writes; null when it never does.
    /// </summary>
    private static string? FirstDisagreement(Trajectory t, IReadOnlyDictionary<string, RuleReads>? declarations)
    {
        var protocol = Protocols.Single(p => p.Name == t.Protocol).Protocol;
        var assessments = new List<AssessmentFact>();
        var vitals = new List<VitalsFact>();
        var adverseEvents = new List<AdverseEventFact>();
        IReadOnlyList<AlertCandidate> Whole() =>
            SafetyEngine.Evaluate(protocol, new ParticipantSafetyData("WAW-0001", TimeZoneInfo.Utc, assessments, vitals, adverseEvents, [Missed])
            {
                Allocation = t.Allocation,
                ConcomitantMedications = Medications,
                Infusions = Infusions,
            }, Now);

        // The stored alerts: those of the last whole evaluation, plus what each evaluation of new records added since.
        var alerts = Whole();
        for (var step = 0; step < t.Writes.Count; step++)
        {
            var write = t.Writes[step];
            var added = write.OfType<AssessmentFact>().ToList();
            var addedVitals = write.OfType<VitalsFact>().ToList();
            var addedEvents = write.OfType<AdverseEventFact>().ToList();
            var outcome = IncrementalReading.EvaluateNew(protocol, assessments, added, Now, addedVitals, addedEvents, vitals, t.Allocation, declarations);
            var mustBeAlone = IncrementalReading.CertainlyLocal(assessments, added);

            assessments.AddRange(added);
            vitals.AddRange(addedVitals);
            adverseEvents.AddRange(addedEvents);
            var whole = Whole();
            var at = $"write {step + 1} of {t.Writes.Count} ({string.Join("; ", write.Select(Trajectory.Describe))})";

            if (outcome.NeedsFullEvaluation != (outcome.FullEvaluationReason is not null)) return $"{at}: a whole evaluation without its reason, or the reverse";
            if (mustBeAlone && outcome.NeedsFullEvaluation) return $"{at}: evaluated whole although only its neighbours can compare with it: {outcome.FullEvaluationReason}";

            if (outcome.NeedsFullEvaluation)
            {
                alerts = whole;
                continue;
            }

            // The job brings the alerts of the new records and of the neighbours evaluated again with them in line, and no others.
            var evaluated = write.Select(Trajectory.Key).Concat(outcome.Reevaluated.Select(id => id.ToString("N"))).ToHashSet();
            bool Stored(Guid id) =>
                (assessments.Any(a => a.Id == id) && !added.Any(a => a.Id == id)) || (vitals.Any(v => v.Id == id) && !addedVitals.Any(v => v.Id == id));
            if (outcome.Reevaluated.Distinct().Count() != outcome.Reevaluated.Count || !outcome.Reevaluated.All(Stored))
                return $"{at}: re-evaluated records must be stored ones, each once";
            if (outcome.Alerts.Where(a => !evaluated.Contains(a.SourceKey)).Select(Describe).ToList() is { Count: > 0 } strays)
                return $"{at}: alerts of records not evaluated: {string.Join("; ", strays)}";
            alerts = [.. alerts.Where(a => !evaluated.Contains(a.SourceKey)), .. outcome.Alerts];
            var (kept, expected) = (alerts.Select(Describe).ToList(), whole.Select(Describe).ToList());
            if (kept.Except(expected).Any() || expected.Except(kept).Any() || kept.Count != expected.Count)
                return $"{at}\n  missing: {string.Join("\n    ", expected.Except(kept))}\n  extra: {string.Join("\n    ", kept.Except(expected))}";
        }

        return null;
    }

    /// <summary>
    /// A protocol variant, the participant's allocation (the stratum and the baseline MADRS it was computed from; none when
    /// not randomised) and the participant's records, grouped by the write that entered them.
    /// </summary>
    public sealed record Trajectory(string Protocol, AllocationFact? Allocation, IReadOnlyList<IReadOnlyList<object>> Writes)
    {
        public override string ToString()
        {
            var text = new StringBuilder($"protocol: {Protocol}; allocation: {Allocation}");
            for (var i = 0; i < Writes.Count; i++) text.Append(CultureInfo.InvariantCulture, $"\n  write {i + 1}: {string.Join("; ", Writes[i].Select(Describe))}");
            return text.ToString();
        }

        public static string Key(object record) => record switch
        {
            AssessmentFact a => a.Id.ToString("N"),
            VitalsFact v => v.Id.ToString("N"),
            AdverseEventFact e => e.Id.ToString("N"),
            _ => throw new ArgumentOutOfRangeException(nameof(record)),
        };

        public static string Describe(object record) => record switch
        {
            AssessmentFact a => $"{a.Instrument} {a.VisitCode}{(a.Timepoint is null ? "" : " " + a.Timepoint)} at {a.AdministeredUtc:yyyy-MM-dd HH:mm} "
                + $"[{string.Join(",", a.Items.Select(i => i?.ToString(CultureInfo.InvariantCulture) ?? "-"))}]",
            VitalsFact v => $"vitals {v.VisitCode} {v.Timepoint} {v.Systolic}/{v.Diastolic} HR {v.HeartRate} SpO2 {v.Spo2}",
            AdverseEventFact e => $"AE{(e.Serious ? " serious" : "")} aware {e.AwareDate:yyyy-MM-dd} reported {e.SponsorReportedUtc:yyyy-MM-dd HH:mm} {e.SpecialInterest}",
            _ => record.ToString() ?? "",
        };
    }

    /// <summary>Trajectories of up to <paramref name="maxRecords"/> records, starting on <paramref name="start"/>.</summary>
    public static Gen<Trajectory> Trajectories(
        int maxRecords = 45, DateTime? start = null, int lateOneIn = 7, int madrsWeight = 1, string[]? visits = null, int vitalsWeight = 2) =>
        from protocol in Gen.Elements(Protocols.Select(p => p.Name))
        from allocation in Gen.Frequency((1, Gen.Constant<AllocationFact?>(null)), (3, Allocations()))
        from count in Gen.Choose(1, maxRecords)
        from drafts in Drafts(lateOneIn, madrsWeight, visits ?? Visits, vitalsWeight).ListOf(count)
        from sizes in Gen.Frequency((16, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3))).ListOf(count)
        select new Trajectory(protocol, allocation, Group(Place(drafts, start ?? Start), sizes));

    private static Gen<AllocationFact?> Allocations() =>
        from total in Gen.Choose(10, 60)
        select (AllocationFact?)new AllocationFact("WAW", total < 35 ? "WAW/MADRS<35" : "WAW/MADRS>=35", total);

    /// <summary>A record whose administration time is still relative: so many hours after the latest so far, or before it (late).</summary>
    private sealed record Draft(object Record, int Hours, bool Late);

    private static Gen<Draft> Drafts(int lateOneIn, int madrsWeight, string[] visits, int vitalsWeight) =>
        from record in Gen.Frequency((16, Assessment(madrsWeight, visits)), (vitalsWeight, VitalSigns()), (2, AdverseEvent()))
        from hours in Gen.Frequency((1, Gen.Constant(0)), (9, Gen.Choose(1, 96)))
        from late in Gen.Frequency((lateOneIn - 1, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Draft(record, late ? -Math.Max(hours, 1) : hours, late);

    /// <summary>
    /// Gives each assessment its time, keeps one assessment per visit, instrument and timepoint and one set of vital signs
    /// per visit and timepoint (the database refuses a second), and numbers the ids, so a replayed run orders ties exactly
    /// as the failing one did.
    /// </summary>
    private static List<object> Place(IEnumerable<Draft> drafts, DateTime start)
    {
        var latest = start;
        var slots = new HashSet<(string, string, string?)>();
        var placed = new List<object>();
        foreach (var draft in drafts)
        {
            switch (draft.Record)
            {
                case AssessmentFact a when slots.Add((a.Instrument, a.VisitCode, a.Timepoint)):
                    var at = latest.AddHours(draft.Hours);
                    if (at > latest) latest = at;
                    placed.Add(a with { Id = Id(placed.Count), AdministeredUtc = at });
                    break;
                case AssessmentFact:
                    break;
                case VitalsFact v when slots.Add(("vitals", v.VisitCode, v.Timepoint)):
                    placed.Add(v with { Id = Id(placed.Count) });
                    break;
                case VitalsFact:
                    break;
                case AdverseEventFact e:
                    placed.Add(e with { Id = Id(placed.Count) });
                    break;
            }
        }

        return placed;
    }

    private static Guid Id(int n) => new(n + 1, 0, 0, new byte[8]);

    private static List<IReadOnlyList<object>> Group(List<object> records, IReadOnlyList<int> sizes)
    {
        var writes = new List<IReadOnlyList<object>>();
        for (int i = 0, w = 0; i < records.Count; w++)
        {
            var size = Math.Min(sizes[w % sizes.Count], records.Count - i);
            writes.Add(records.GetRange(i, size));
            i += size;
        }

        return writes;
    }

    /// <summary>An assessment of one of the instruments the rules read, MADRS <paramref name="madrsWeight"/> times as often as each other one.</summary>
    private static Gen<object> Assessment(int madrsWeight, string[] visits) =>
        from instrument in Gen.Frequency(Instruments.Select(i => (i == InstrumentCatalog.Madrs ? madrsWeight : 1, Gen.Constant(i))).ToArray())
        from visit in Gen.Elements(visits)
        from timepoint in Gen.Elements(DefaultProtocol.Timepoints.ToArray())
        from items in Items(InstrumentCatalog.Get(instrument))
        select (object)SafetyData.Assessment(instrument, visit,
            DefaultProtocol.FindVisit(visit)?.Kind == VisitKinds.Infusion ? timepoint : null, items, Start);

    /// <summary>Items around a random level, so the thresholds of every rule are crossed now and then; some unanswered.</summary>
    private static Gen<decimal?[]> Items(InstrumentDefinition d) =>
        from level in Gen.Choose((int)d.MinValue, (int)d.MaxValue)
        from values in Gen.Choose((int)d.MinValue, level).ArrayOf(d.ItemCount)
        from blank in Gen.Frequency((5, Gen.Constant(-1)), (1, Gen.Choose(0, d.ItemCount - 1)))
        from blankItem10 in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(d.Code == InstrumentCatalog.Madrs)))
        select values.Select((v, i) => i == blank || (blankItem10 && i == 9) ? null : (decimal?)v).ToArray();

    private static Gen<object> VitalSigns() =>
        from visit in Gen.Elements(DefaultProtocol.InfusionVisits.Select(v => v.Code))
        from timepoint in Gen.Elements(DefaultProtocol.Timepoints.ToArray())
        from systolic in Gen.Choose(90, 200)
        from diastolic in Gen.Choose(50, 120)
        from heartRate in Gen.Choose(40, 140)
        from spo2 in Gen.Choose(85, 100)
        select (object)Vitals(visit, timepoint, systolic, diastolic, heartRate, spo2);

    private static Gen<object> AdverseEvent() =>
        from serious in Gen.Elements(false, true)
        from awareDay in Gen.Choose(0, 300)
        from reportedAfterHours in Gen.Frequency((1, Gen.Constant(-1)), (3, Gen.Choose(1, 48)))
        from special in Gen.Elements(AdverseEventRules.SpecialInterests.Prepend(null).ToArray())
        let aware = DateOnly.FromDateTime(Start).AddDays(awareDay)
        select (object)(SafetyData.AdverseEvent() with
        {
            Serious = serious,
            SeriousCriteria = serious ? ["hospitalisation"] : [],
            OnsetDate = aware,
            AwareDate = aware,
            SpecialInterest = special,
            SponsorReportedUtc = reportedAfterHours < 0 ? null : aware.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(reportedAfterHours),
        });
}
