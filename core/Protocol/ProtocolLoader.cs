using System.Text.Json;
using Trial.Core.Instruments;
using Trial.Core.Populations;
using Trial.Core.Randomisation;
using Trial.Core.Safety;

namespace Trial.Core.Protocol;

/// <summary>
/// Reads and validates a protocol file. A protocol that does not make sense must stop
/// the system at start with a message naming the problem, never half-work.
/// </summary>
public static class ProtocolLoader
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static readonly IReadOnlyList<string> Severities = ["low", "medium", "high", "critical"];

    /// <summary>The protocols shipped inside the system, by name: a study can choose one without keeping a file.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltIn = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DefaultName] = "Trial.Core.Protocol.default-protocol.json",
        [OpenLabelName] = "Trial.Core.Protocol.open-label-protocol.json",
    };

    /// <summary>The double-blind, midazolam-controlled design (core/Protocol/default-protocol.json).</summary>
    public const string DefaultName = "default";

    /// <summary>The single-arm, open-label design (core/Protocol/open-label-protocol.json).</summary>
    public const string OpenLabelName = "open-label";

    public static ProtocolDefinition LoadDefault() => LoadBuiltIn(DefaultName);

    public static ProtocolDefinition LoadBuiltIn(string name)
    {
        if (!BuiltIn.TryGetValue(name, out var resource))
            throw new ProtocolException($"There is no built-in protocol named '{name}' (built in: {string.Join(", ", BuiltIn.Keys)}).");
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The built-in protocol '{name}' is missing from the Trial.Core assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"the built-in protocol '{name}'");
    }

    public static ProtocolDefinition LoadFile(string path)
    {
        if (!File.Exists(path))
            throw new ProtocolException($"Protocol file '{path}' does not exist.");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// The protocol a setting names: nothing means the default, a built-in name (<see cref="BuiltIn"/>) that protocol,
    /// anything else a file path. A file that happens to bear a built-in name is still read when it exists.
    /// </summary>
    public static ProtocolDefinition Load(string? pathOrName)
    {
        if (string.IsNullOrWhiteSpace(pathOrName)) return LoadDefault();
        var value = pathOrName.Trim();
        return BuiltIn.ContainsKey(value) && !File.Exists(value) ? LoadBuiltIn(value) : LoadFile(value);
    }

    public static ProtocolDefinition Parse(string json, string sourceName)
    {
        ProtocolDefinition? protocol;
        try
        {
            protocol = JsonSerializer.Deserialize<ProtocolDefinition>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new ProtocolException($"Protocol {sourceName} is not valid: {ex.Message}");
        }
        if (protocol is null)
            throw new ProtocolException($"Protocol {sourceName} is empty.");
        var problems = Validate(protocol);
        if (problems.Count > 0)
            throw new ProtocolException($"Protocol {sourceName} is not valid:{Environment.NewLine} - {string.Join(Environment.NewLine + " - ", problems)}");
        return protocol;
    }

    public static IReadOnlyList<string> Validate(ProtocolDefinition p)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(p.Version)) problems.Add("version is empty");
        if (p.Timepoints.Count == 0) problems.Add("timepoints is empty");

        var codes = new HashSet<string>();
        foreach (var v in p.Visits)
        {
            if (string.IsNullOrWhiteSpace(v.Code)) { problems.Add("a visit has no code"); continue; }
            if (!codes.Add(v.Code)) problems.Add($"visit {v.Code} is defined twice");
            if (!VisitKinds.All.Contains(v.Kind)) problems.Add($"visit {v.Code} has unknown kind '{v.Kind}' (expected one of {string.Join(", ", VisitKinds.All)})");
            if (v.WindowBeforeDays < 0 || v.WindowAfterDays < 0) problems.Add($"visit {v.Code} has a negative window");
            foreach (var entry in v.Battery)
            {
                if (entry.Timepoint is not null && !p.Timepoints.Contains(entry.Timepoint))
                    problems.Add($"visit {v.Code} battery names unknown timepoint '{entry.Timepoint}'");
                if (entry.Timepoint is not null && v.Kind != VisitKinds.Infusion)
                    problems.Add($"visit {v.Code} is not an infusion visit but its battery has timepoint '{entry.Timepoint}'");
                foreach (var instrument in entry.Instruments)
                {
                    if (!InstrumentCatalog.TryGet(instrument, out _))
                        problems.Add($"visit {v.Code} battery names unknown instrument '{instrument}'");
                }
            }
        }
        foreach (var v in p.Visits.Where(v => v.Anchor is not null))
        {
            if (v.Anchor == ProtocolDefinition.LastInfusionAnchor) continue;
            var anchor = p.FindVisit(v.Anchor!);
            if (anchor is null) problems.Add($"visit {v.Code} is anchored on unknown visit '{v.Anchor}'");
            else if (anchor.Anchor is not null) problems.Add($"visit {v.Code} is anchored on {anchor.Code}, which is itself anchored; anchors must be unanchored visits");
        }
        var infusions = p.InfusionVisits.ToList();
        if (infusions.Count == 0) problems.Add("the protocol has no infusion visit");
        else if (infusions[0].Anchor is not null) problems.Add($"the first infusion visit {infusions[0].Code} must have no anchor (it is day 0)");

        if (p.Eligibility.ScreeningDateMaxDaysAgo <= 0) problems.Add("eligibility.screeningDateMaxDaysAgo must be positive");
        if (p.Infusion.Routes.Count == 0) problems.Add("infusion.routes is empty");
        if (p.Infusion.MinDoseMgPerKg <= 0 || p.Infusion.MaxDoseMgPerKg < p.Infusion.MinDoseMgPerKg)
            problems.Add("infusion dose limits must satisfy 0 < minDoseMgPerKg <= maxDoseMgPerKg");
        if (p.Infusion.MinWeightKg <= 0 || p.Infusion.MaxWeightKg < p.Infusion.MinWeightKg)
            problems.Add("infusion weight limits must satisfy 0 < minWeightKg <= maxWeightKg");
        if (p.Infusion.MaxDurationMinutes <= 0) problems.Add("infusion.maxDurationMinutes must be positive");
        foreach (var (name, range) in new[] { ("systolic", p.Vitals.Systolic), ("diastolic", p.Vitals.Diastolic), ("heartRate", p.Vitals.HeartRate), ("spo2", p.Vitals.Spo2) })
            if (range.Min > range.Max) problems.Add($"vitals.{name} has min above max");
        if (p.Efficacy.ResponseMinReductionPercent is <= 0 or > 100) problems.Add("efficacy.responseMinReductionPercent must be in (0, 100]");
        // Outside the total's range remission would be never (below 0) or always (above the maximum): a typo, not a rule.
        var madrs = InstrumentCatalog.MadrsDefinition;
        var (madrsMin, madrsMax) = (madrs.MinValue * madrs.ItemCount, madrs.MaxValue * madrs.ItemCount);
        if (p.Efficacy.RemissionMaxTotal < madrsMin || p.Efficacy.RemissionMaxTotal > madrsMax)
        {
            problems.Add(FormattableString.Invariant(
                $"efficacy.remissionMaxTotal must be between {madrsMin} and {madrsMax} (the range of the MADRS total); it is {p.Efficacy.RemissionMaxTotal}"));
        }

        var endpointCodes = new HashSet<string>();
        foreach (var e in p.Efficacy.Endpoints)
        {
            if (!InstrumentCatalog.TryGet(e.Instrument, out var instrument))
                problems.Add($"efficacy.endpoints names unknown instrument '{e.Instrument}'");
            else if (instrument.Scores.All(s => s.Key != e.Score))
                problems.Add($"efficacy.endpoints names unknown score '{e.Score}' of {e.Instrument} (expected one of {string.Join(", ", instrument.Scores.Select(s => s.Key))})");
            if (!endpointCodes.Add(e.Code)) problems.Add($"efficacy.endpoints lists {e.Code} twice");
            // The thresholds are on the MADRS total's scale: on another score they would mean something else.
            if (e.Responder && e != EfficacyEndpoint.MadrsTotal)
                problems.Add($"efficacy.endpoints: only the MADRS total may be a responder endpoint (the thresholds are on its scale), not {e.Instrument} {e.Score}");
        }

        var ruleCodes = new HashSet<string>();
        foreach (var r in p.SafetyRules)
        {
            if (!ruleCodes.Add(r.Code)) problems.Add($"safety rule {r.Code} is defined twice");
            if (!Severities.Contains(r.Severity)) problems.Add($"safety rule {r.Code} has unknown severity '{r.Severity}' (expected one of {string.Join(", ", Severities)})");
        }
        // UNBLINDED is listed with the rules for its severity but raised by the unblinding itself, not by the engine.
        problems.AddRange(SafetyEngine.ValidateRules(p with { SafetyRules = [.. p.SafetyRules.Where(r => r.Code != EmergencyUnblinding.AlertRule)] }));
        problems.AddRange(DesignValidation.Problems(p));
        problems.AddRange(PerProtocolPopulation.Problems(p));
        return problems;
    }
}
