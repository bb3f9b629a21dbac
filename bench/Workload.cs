using Trial.Core.Instruments;
using Trial.Core.Protocol;

namespace Trial.Bench;

/// <summary>One assessment to enter: an instrument at a visit (and infusion timepoint) of one participant, with its item responses.</summary>
public sealed record AssessmentSlot(int Participant, string VisitCode, string? Timepoint, InstrumentDefinition Instrument, decimal?[] Items, DateTime AdministeredUtc);

public static class Workload
{
    /// <summary>
    /// Every assessment the protocol's battery schedules for <paramref name="participants"/>
    /// participants (each participant, visit, instrument and timepoint once: 49 per participant
    /// with the default protocol), in a shuffled order so concurrent clients hit many participants
    /// and visits at once, as sites entering data do. Seeded: every run enters the same data.
    /// </summary>
    public static List<AssessmentSlot> Slots(ProtocolDefinition protocol, int participants, DateTime nowUtc, int seed = 20260310)
    {
        var random = new Random(seed);
        var slots = new List<AssessmentSlot>();
        for (var p = 0; p < participants; p++)
            foreach (var visit in protocol.Visits)
                foreach (var entry in visit.Battery)
                    foreach (var code in entry.Instruments)
                    {
                        var definition = InstrumentCatalog.All.Single(i => i.Code == code);
                        var administered = nowUtc.AddMinutes(-random.Next(60, 60 * 24 * 180));
                        slots.Add(new AssessmentSlot(p, visit.Code, entry.Timepoint, definition, Items(definition, random), administered));
                    }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(slots));
        return slots;
    }

    /// <summary>Valid responses for every item: whole numbers in range, or one decimal place for visual-analogue scales.</summary>
    private static decimal?[] Items(InstrumentDefinition d, Random random)
    {
        var items = new decimal?[d.ItemCount];
        var min = (int)d.MinValue;
        var max = (int)d.MaxValue;
        for (var i = 0; i < items.Length; i++)
            items[i] = d.MaxDecimals == 0
                ? random.Next(min, max + 1)
                : random.Next(min * 10, max * 10 + 1) / 10m;
        return items;
    }
}
