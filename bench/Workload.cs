using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Safety;

namespace Trial.Bench;

/// <summary>
/// One assessment to enter: an instrument at a visit (and infusion timepoint) of one participant,
/// with its item responses; <paramref name="Rule"/> is the safety rule its values fire, null for none.
/// </summary>
public sealed record AssessmentSlot(int Participant, string VisitCode, string? Timepoint, InstrumentDefinition Instrument, decimal?[] Items, DateTime AdministeredUtc, string? Rule);

public static class Workload
{
    /// <summary>One assessment in this many carries values that fire a safety rule.</summary>
    public const int FiringEvery = 10;

    /// <summary>
    /// The enrolment date of participant number <paramref name="participant"/> (from 0): spread over the days 400 to 221
    /// before <paramref name="today"/>, so that every visit of the protocol, to the six-month follow-up, lies in the past.
    /// </summary>
    public static DateOnly EnrolledDate(int participant, DateOnly today) => today.AddDays(-400 + participant % 180);

    /// <summary>
    /// The day each visit of the participant took place: INF1 the protocol's planning delay after enrolment, every other
    /// visit at its target from its anchor (baseline the day before INF1), so every visit is in its window and in order.
    /// </summary>
    public static IReadOnlyDictionary<string, DateOnly> VisitDates(ProtocolDefinition protocol, int participant, DateOnly today)
    {
        var enrolled = EnrolledDate(participant, today);
        var inf1 = protocol.InfusionVisits.First();
        var dates = new Dictionary<string, DateOnly>(StringComparer.Ordinal) { [inf1.Code] = enrolled.AddDays(protocol.Inf1PlannedDaysAfterEnrolment) };
        foreach (var visit in protocol.Visits.Where(v => v.Anchor is not null && v.Anchor != ProtocolDefinition.LastInfusionAnchor))
            dates[visit.Code] = dates[visit.Anchor!].AddDays(visit.Kind == VisitKinds.Baseline ? -1 : visit.OffsetDays);
        var lastInfusion = protocol.InfusionVisits.Max(v => dates[v.Code]);
        foreach (var visit in protocol.Visits.Where(v => v.Anchor == ProtocolDefinition.LastInfusionAnchor))
            dates[visit.Code] = lastInfusion.AddDays(visit.OffsetDays);
        foreach (var visit in protocol.Visits.Where(v => v.Kind == VisitKinds.Screening))
            dates[visit.Code] = enrolled;
        return dates;
    }

    private static readonly Dictionary<string, int> TimepointMinutes = new(StringComparer.Ordinal) { ["pre"] = 0, ["t40"] = 50, ["t120"] = 130, ["t240"] = 250 };

    /// <summary>When an assessment of a visit held on <paramref name="day"/> is administered: from 09:00 UTC, at its timepoint's minutes after the infusion's start.</summary>
    public static DateTime AdministeredUtc(DateOnly day, string? timepoint) =>
        day.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc).AddMinutes(timepoint is null ? 0 : TimepointMinutes[timepoint]);

    /// <summary>
    /// Every assessment the protocol's battery schedules for <paramref name="participants"/>
    /// participants (each participant, visit, instrument and timepoint once: 49 per participant
    /// with the default protocol), in a shuffled order so concurrent clients hit many participants
    /// and visits at once, as sites entering data do. Each is administered on its visit's day
    /// (<see cref="VisitDates"/>), from 09:00 UTC, at its timepoint's minutes after the infusion's start.
    /// <para>
    /// The values are a steady course below every safety threshold (<see cref="Steady"/>), except
    /// that one assessment in <see cref="FiringEvery"/> of the order (or the next one that can,
    /// when it cannot: 5D-ASC has no rule, nor has CADSS at baseline) fires one rule
    /// (<see cref="Firing"/>). Seeded: every run enters the same data.
    /// </para>
    /// </summary>
    public static List<AssessmentSlot> Slots(ProtocolDefinition protocol, int participants, DateTime nowUtc, int seed = 20260310)
    {
        var random = new Random(seed);
        var today = DateOnly.FromDateTime(nowUtc);
        var slots = new List<(int Participant, string Visit, string? Timepoint, InstrumentDefinition Instrument, DateTime Administered)>();
        for (var p = 0; p < participants; p++)
        {
            var dates = VisitDates(protocol, p, today);
            foreach (var visit in protocol.Visits)
            {
                foreach (var entry in visit.Battery)
                {
                    foreach (var code in entry.Instruments)
                        slots.Add((p, visit.Code, entry.Timepoint, InstrumentCatalog.Get(code), AdministeredUtc(dates[visit.Code], entry.Timepoint)));
                }
            }
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(slots));

        var result = new List<AssessmentSlot>(slots.Count);
        var due = false;
        foreach (var (participant, visit, timepoint, instrument, administered) in slots)
        {
            if (result.Count % FiringEvery == 0) due = true;
            var rule = due ? FiringRule(instrument, timepoint) : null;
            if (rule is not null) due = false;
            var items = rule is null ? Steady(instrument, random) : Firing(instrument);
            result.Add(new AssessmentSlot(participant, visit, timepoint, instrument, items, administered, rule));
        }
        return result;
    }

    /// <summary>
    /// The same assessments in the order sites enter them: each participant's in the order they were administered,
    /// participants still interleaved as in <paramref name="slots"/> (the position that held a participant's k-th
    /// assessment of the shuffle holds its k-th administered one).
    /// </summary>
    public static List<AssessmentSlot> InAdministeredOrder(IReadOnlyList<AssessmentSlot> slots)
    {
        var queues = slots.GroupBy(s => s.Participant)
            .ToDictionary(g => g.Key, g => new Queue<AssessmentSlot>(g.OrderBy(s => s.AdministeredUtc).ThenBy(s => s.Instrument.Code, StringComparer.Ordinal)));
        return slots.Select(s => queues[s.Participant].Dequeue()).ToList();
    }

    /// <summary>
    /// How many of slots [<paramref name="from"/>, <paramref name="to"/>) are late entries: an assessment of the same
    /// participant and instrument administered at the same time or later was entered before it. The safety evaluation
    /// after a late entry also evaluates again the few later ones compared with it (an earlier result can change what
    /// they are compared with); after any other, only the new record.
    /// </summary>
    public static int LateEntries(IReadOnlyList<AssessmentSlot> slots, int from, int to)
    {
        var latest = new Dictionary<(int, string), DateTime>();
        var late = 0;
        for (var i = 0; i < to; i++)
        {
            var key = (slots[i].Participant, slots[i].Instrument.Code);
            if (latest.TryGetValue(key, out var entered) && entered >= slots[i].AdministeredUtc) { if (i >= from) late++; }
            else
            {
                latest[key] = slots[i].AdministeredUtc;
            }
        }
        return late;
    }

    /// <summary>The rule an assessment of this instrument at this timepoint can be made to fire, or null.</summary>
    public static string? FiringRule(InstrumentDefinition instrument, string? timepoint) => instrument.Code switch
    {
        InstrumentCatalog.Madrs => SafetyEngine.Madrs10High,
        InstrumentCatalog.Bsl23 => SafetyEngine.BslSelfHarm,
        InstrumentCatalog.Bprs => SafetyEngine.BprsPosItem,
        InstrumentCatalog.Cadss when timepoint is not null => SafetyEngine.CadssSevere,
        _ => null,
    };

    /// <summary>
    /// The same values at every visit, below every threshold: MADRS 1 per item (total 10, item 10
    /// = 1), BSL-23 0, CADSS total 4, BPRS 1 per item (BPRS+ 4); 5D-ASC at random (no rule reads it).
    /// </summary>
    public static decimal?[] Steady(InstrumentDefinition d, Random random) => d.Code switch
    {
        InstrumentCatalog.Madrs => Fill(d, 1),
        InstrumentCatalog.Bsl23 => Fill(d, 0),
        InstrumentCatalog.Cadss => Fill(d, 0, (1, 1), (2, 1), (3, 1), (4, 1)),
        InstrumentCatalog.Bprs => Fill(d, 1),
        _ => Random(d, random),
    };

    /// <summary>
    /// Values that fire one rule: MADRS item 10 = 5 (MADRS10_HIGH), BSL-23 item 5 = 4
    /// (BSL_SELFHARM), BPRS item 12 = 5 (BPRS_POS_ITEM), CADSS 2 per item, total 46 (CADSS_SEVERE
    /// at an infusion timepoint). Some fire a second rule besides, on the same assessment (a MADRS
    /// after the first infusion is also worse than baseline; a BPRS at t40 or t120 has risen over pre).
    /// </summary>
    public static decimal?[] Firing(InstrumentDefinition d) => d.Code switch
    {
        InstrumentCatalog.Madrs => Fill(d, 1, (10, 5)),
        InstrumentCatalog.Bsl23 => Fill(d, 0, (5, 4)),
        InstrumentCatalog.Cadss => Fill(d, 2),
        InstrumentCatalog.Bprs => Fill(d, 1, (12, 5)),
        _ => throw new ArgumentOutOfRangeException(nameof(d), d.Code, "No rule fires on this instrument."),
    };

    private static decimal?[] Fill(InstrumentDefinition d, decimal value, params (int Item, decimal Value)[] except)
    {
        var items = Enumerable.Repeat<decimal?>(value, d.ItemCount).ToArray();
        foreach (var (item, v) in except) items[item - 1] = v;
        return items;
    }

    /// <summary>Valid responses for every item: whole numbers in range, or one decimal place for visual-analogue scales.</summary>
    private static decimal?[] Random(InstrumentDefinition d, Random random)
    {
        var items = new decimal?[d.ItemCount];
        var min = (int)d.MinValue;
        var max = (int)d.MaxValue;
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = d.MaxDecimals == 0
                ? random.Next(min, max + 1)
                : random.Next(min * 10, max * 10 + 1) / 10m;
        }

        return items;
    }
}
