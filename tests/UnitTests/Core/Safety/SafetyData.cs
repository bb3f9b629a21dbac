using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Safety;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// Builds safety facts for tests. Scores always come from the real <see cref="Scorer"/>, so a test states item values
/// and the facts carry exactly what production code would store.
/// </summary>
internal static class SafetyData
{
    public static readonly ProtocolDefinition DefaultProtocol = ProtocolLoader.LoadDefault();

    /// <summary>INF1 is on this day; other visits sit at their protocol offsets from it.</summary>
    public static readonly DateTime Inf1Day = new(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc);

    private static readonly Dictionary<string, int> VisitDays = new()
    {
        ["SCR"] = -20, ["BL"] = -7, ["INF1"] = 0, ["POST24"] = 1, ["INF2"] = 3, ["INF3"] = 7, ["INF4"] = 10,
        ["FU-D7"] = 17, ["FU-D14"] = 24, ["FU-D28"] = 38, ["FU-M3"] = 101, ["FU-M6"] = 192,
    };

    private static readonly Dictionary<string, int> TimepointMinutes = new() { ["pre"] = 0, ["t40"] = 40, ["t120"] = 120, ["t240"] = 240 };

    /// <summary>09:00 on the visit's day, plus the timepoint's minutes after the start of the infusion.</summary>
    public static DateTime At(string visit, string? timepoint) =>
        Inf1Day.AddDays(VisitDays[visit]).AddHours(9).AddMinutes(timepoint is null ? 0 : TimepointMinutes[timepoint]);

    /// <summary>The timepoint MADRS and BSL-23 are taken at on a visit: "pre" on infusion visits, none elsewhere.</summary>
    public static string? DefaultTimepoint(string visit) => DefaultProtocol.FindVisit(visit)!.Kind == VisitKinds.Infusion ? "pre" : null;

    public static AssessmentFact Assessment(string instrument, string visit, string? timepoint, decimal?[] items, DateTime? administeredUtc = null) =>
        new(Guid.NewGuid(), instrument, visit, timepoint, administeredUtc ?? At(visit, timepoint), items,
            Scorer.Score(InstrumentCatalog.Get(instrument), items).Scores);

    /// <summary>A complete MADRS with item 10 as given and a total of <paramref name="total"/> (items 1–9 filled greedily).</summary>
    public static AssessmentFact Madrs(string visit, int item10, int total, DateTime? administeredUtc = null)
    {
        var items = Greedy(10, 6, total - item10, 0);
        items[9] = item10;
        return Assessment(InstrumentCatalog.Madrs, visit, DefaultTimepoint(visit), items, administeredUtc);
    }

    /// <summary>A MADRS whose item 10 is missing, so it has no total either.</summary>
    public static AssessmentFact MadrsWithoutItem10(string visit)
    {
        var items = Greedy(10, 6, 10, 0);
        items[9] = null;
        return Assessment(InstrumentCatalog.Madrs, visit, DefaultTimepoint(visit), items);
    }

    /// <summary>
    /// A complete BSL-23 whose items add up to <paramref name="sum"/> (mean = sum / 23), spread as evenly as possible
    /// (the first sum % 23 items one higher), so no single item stands out unless set; set items then override.
    /// </summary>
    public static AssessmentFact Bsl(string visit, int sum, params (int Item, int Value)[] set)
    {
        if (sum is < 0 or > 92) throw new ArgumentOutOfRangeException(nameof(sum), sum, "A BSL-23 sum is 0 to 92.");
        var items = Enumerable.Range(0, 23).Select(i => (decimal?)(sum / 23 + (i < sum % 23 ? 1 : 0))).ToArray();
        foreach (var (item, value) in set) items[item - 1] = value;
        return Assessment(InstrumentCatalog.Bsl23, visit, DefaultTimepoint(visit), items);
    }

    public static AssessmentFact Cadss(string visit, string? timepoint, int total) =>
        Assessment(InstrumentCatalog.Cadss, visit, timepoint, Greedy(23, 4, total, 0));

    /// <summary>A complete BPRS with every item 1 except those set; BPRS+ = items 4 + 11 + 12 + 15.</summary>
    public static AssessmentFact Bprs(string visit, string? timepoint, params (int Item, int Value)[] set)
    {
        var items = Greedy(18, 7, 0, 1);
        foreach (var (item, value) in set) items[item - 1] = value;
        return Assessment(InstrumentCatalog.Bprs, visit, timepoint, items);
    }

    /// <summary>A BPRS whose positive items 4, 11, 12 and 15 are given, the others 1.</summary>
    public static AssessmentFact BprsPositive(string visit, string? timepoint, int item4, int item11, int item12, int item15) =>
        Bprs(visit, timepoint, (4, item4), (11, item11), (12, item12), (15, item15));

    public static VitalsFact Vitals(string visit, string timepoint, int systolic = 125, int diastolic = 80, int heartRate = 72, int spo2 = 98) =>
        new(Guid.NewGuid(), visit, timepoint, systolic, diastolic, heartRate, spo2);

    /// <summary>A valid, non-serious, unrelated adverse event; tests change what matters with "with".</summary>
    public static AdverseEventFact AdverseEvent(string term = "Headache") =>
        new(Guid.NewGuid(), term, new DateOnly(2026, 3, 3), null, "mild", false, [], "not-related", true, "none", "recovering",
            new DateOnly(2026, 3, 3), null, null, null);

    public static AdverseEventFact SeriousAdverseEvent(DateOnly awareDate, DateTime? sponsorReportedUtc) =>
        AdverseEvent("Suicide attempt") with
        {
            OnsetDate = awareDate,
            AwareDate = awareDate,
            Serious = true,
            SeriousCriteria = ["hospitalisation"],
            Severity = "severe",
            Relatedness = "possible",
            Expected = false,
            SponsorReportedUtc = sponsorReportedUtc,
        };

    /// <summary>The infusion of an infusion visit, started at 09:00 on its day (see <see cref="At"/>).</summary>
    public static InfusionFact Infusion(string visit, DateTime? startUtc = null) => new(Guid.NewGuid(), visit, startUtc ?? At(visit, "pre"));

    /// <summary>A concomitant medication from <paramref name="start"/> to <paramref name="end"/>, ongoing when there is no end.</summary>
    public static ConcomitantMedicationFact Conmed(string name, string? atcCode, DateOnly start, DateOnly? end = null) =>
        new(Guid.NewGuid(), name, atcCode, start, end, end is null);

    /// <summary>The site-local date of a visit's day (with a UTC site).</summary>
    public static DateOnly Day(string visit) => DateOnly.FromDateTime(At(visit, null));

    /// <summary>The participant's data; the site's time zone is UTC unless a test sets it.</summary>
    public static ParticipantSafetyData Data(
        IEnumerable<AssessmentFact>? assessments = null,
        IEnumerable<VitalsFact>? vitals = null,
        IEnumerable<AdverseEventFact>? adverseEvents = null,
        IEnumerable<MissedVisitFact>? missedVisits = null,
        TimeZoneInfo? siteTimeZone = null) =>
        new("WAW-0001", siteTimeZone ?? TimeZoneInfo.Utc, [.. assessments ?? []], [.. vitals ?? []], [.. adverseEvents ?? []], [.. missedVisits ?? []]);

    public static ParticipantSafetyData Data(params AssessmentFact[] assessments) =>
        new("WAW-0001", TimeZoneInfo.Utc, assessments, [], [], []);

    /// <summary>A time well after every visit, so the SAE clock never matters unless a test sets it.</summary>
    public static readonly DateTime Later = new(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static IReadOnlyList<AlertCandidate> Evaluate(ParticipantSafetyData data, DateTime? nowUtc = null, ProtocolDefinition? protocol = null) =>
        SafetyEngine.Evaluate(protocol ?? DefaultProtocol, data, nowUtc ?? Later);

    /// <summary>The alerts of one rule, so a test about that rule is not disturbed by others the same data may fire.</summary>
    public static List<AlertCandidate> Alerts(string rule, ParticipantSafetyData data, DateTime? nowUtc = null, ProtocolDefinition? protocol = null) =>
        Evaluate(data, nowUtc, protocol).Where(a => a.Rule == rule).ToList();

    /// <summary>The default protocol with one rule's settings changed.</summary>
    public static ProtocolDefinition WithRule(string code, Func<SafetyRuleSettings, SafetyRuleSettings> change) =>
        DefaultProtocol with { SafetyRules = [.. DefaultProtocol.SafetyRules.Select(r => r.Code == code ? change(r) : r)] };

    public static SafetyRuleSettings WithParameter(SafetyRuleSettings rule, string name, decimal value) =>
        rule with { Parameters = new Dictionary<string, decimal>(rule.Parameters) { [name] = value } };

    public static string Key(AssessmentFact a) => a.Id.ToString("N");

    /// <summary>Everything an alert says, in one comparable string (records compare dictionaries by reference).</summary>
    public static string Describe(AlertCandidate a) =>
        $"{a.Rule}|{a.Severity}|{a.SourceType}|{a.SourceKey}|{a.VisitCode}|{a.Message}|"
        + string.Join(";", a.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));

    private static decimal?[] Greedy(int count, int max, int sum, int floor)
    {
        var items = new decimal?[count];
        var remaining = sum;
        for (var i = 0; i < count; i++)
        {
            var value = Math.Min(max - floor, remaining);
            items[i] = floor + value;
            remaining -= value;
        }

        if (remaining > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sum), sum, "Sum cannot be reached with these items.");
        }

        return items;
    }
}
