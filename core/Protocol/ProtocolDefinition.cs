namespace Trial.Core.Protocol;

/// <summary>
/// The study protocol as loaded from its versioned JSON file. Everything a site or a
/// sponsor may change (windows, battery, thresholds, number of infusions) lives here,
/// so a protocol amendment is a new file, not a code change.
/// </summary>
public sealed record ProtocolDefinition
{
    public required string ProtocolId { get; init; }
    public required string Version { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyList<string> Timepoints { get; init; }

    /// <summary>
    /// Before INF1 has happened its date is unknown; the provisional schedule assumes it
    /// this many days after enrolment. A planning convenience, not a clinical rule.
    /// </summary>
    public int Inf1PlannedDaysAfterEnrolment { get; init; }

    public required IReadOnlyList<VisitDefinition> Visits { get; init; }
    public required EligibilityRules Eligibility { get; init; }
    public required InfusionLimits Infusion { get; init; }
    public required VitalsLimits Vitals { get; init; }
    public required EfficacyRules Efficacy { get; init; }
    public required IReadOnlyList<SafetyRuleSettings> SafetyRules { get; init; }

    /// <summary>Who is in the per-protocol population (PPROTFL); null when the protocol defines none, and PPROTFL is then empty.</summary>
    public PerProtocolRules? PerProtocol { get; init; }

    /// <summary>Arms, randomisation and blinding (see <see cref="StudyDesign"/>).</summary>
    public StudyDesign Design { get; init; } = StudyDesign.SingleArmOpenLabel;

    /// <summary>Visit anchor meaning "the actual date of the last infusion given".</summary>
    public const string LastInfusionAnchor = "LAST_INFUSION";

    public VisitDefinition? FindVisit(string code) => Visits.FirstOrDefault(v => v.Code == code);

    public IEnumerable<VisitDefinition> InfusionVisits => Visits.Where(v => v.Kind == VisitKinds.Infusion);

    /// <summary>
    /// The last follow-up visit of the visit plan (in the file's order, which is the plan's: FU-M6 in the shipped
    /// protocols): a participant whose visit it is recorded has completed the study. Null for a plan without follow-up.
    /// </summary>
    public VisitDefinition? LastFollowUpVisit => Visits.LastOrDefault(v => v.Kind == VisitKinds.FollowUp);

    public SafetyRuleSettings? FindRule(string code) => SafetyRules.FirstOrDefault(r => r.Code == code);
}

public static class VisitKinds
{
    public const string Screening = "screening";
    public const string Baseline = "baseline";
    public const string Infusion = "infusion";
    public const string PostInfusion = "post-infusion";
    public const string FollowUp = "follow-up";

    public static readonly IReadOnlyList<string> All = [Screening, Baseline, Infusion, PostInfusion, FollowUp];
}

public sealed record VisitDefinition
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }

    /// <summary>The visit whose actual date sets this one's target, <see cref="ProtocolDefinition.LastInfusionAnchor"/>, or null for none.</summary>
    public string? Anchor { get; init; }
    public int OffsetDays { get; init; }
    public int WindowBeforeDays { get; init; }
    public int WindowAfterDays { get; init; }
    public IReadOnlyList<BatteryEntry> Battery { get; init; } = [];

    /// <summary>Whether the protocol schedules this instrument at this visit and timepoint (null timepoint for non-infusion visits).</summary>
    public bool Schedules(string instrument, string? timepoint) =>
        Battery.Any(b => b.Timepoint == timepoint && b.Instruments.Contains(instrument));
}

public sealed record BatteryEntry
{
    public string? Timepoint { get; init; }
    public required IReadOnlyList<string> Instruments { get; init; }
}

public sealed record EligibilityRules
{
    public int MinFailedAntidepressantTrials { get; init; }
    public bool RequirePsychotherapyWithoutResponse { get; init; }
    public bool RequireBpdDiagnosis { get; init; }
    public bool ExcludePsychoticPersonalityOrganisation { get; init; }

    /// <summary>
    /// A plausibility limit for data entry, not a clinical rule: a screening dated more than this many days before the site's
    /// today is refused as a typing error (the protocol does not say how long ago a screening may be entered).
    /// </summary>
    public int ScreeningDateMaxDaysAgo { get; init; } = 365;
}

public sealed record InfusionLimits
{
    public required IReadOnlyList<string> Routes { get; init; }
    public decimal MinDoseMgPerKg { get; init; }
    public decimal MaxDoseMgPerKg { get; init; }
    public decimal MinWeightKg { get; init; }
    public decimal MaxWeightKg { get; init; }
    public int MaxDurationMinutes { get; init; }
}

public sealed record Range(decimal Min, decimal Max)
{
    public bool Contains(decimal value) => value >= Min && value <= Max;
}

/// <summary>Plausibility limits for data entry: values outside are typing errors, not clinical findings.</summary>
public sealed record VitalsLimits
{
    public required Range Systolic { get; init; }
    public required Range Diastolic { get; init; }
    public required Range HeartRate { get; init; }
    public required Range Spo2 { get; init; }
}

/// <summary>
/// The protocol's efficacy: the MADRS response and remission thresholds, and the endpoints the trial reports (each an
/// instrument's score, with response and remission only where the protocol defines them).
/// </summary>
public sealed record EfficacyRules
{
    public decimal ResponseMinReductionPercent { get; init; }
    public decimal RemissionMaxTotal { get; init; }

    /// <summary>The endpoints, in reporting order; a protocol file that lists none reports the MADRS total with response and remission.</summary>
    public IReadOnlyList<EfficacyEndpoint> Endpoints { get; init; } = [EfficacyEndpoint.MadrsTotal];
}

/// <summary>
/// One efficacy endpoint: the <paramref name="Score"/> of <paramref name="Instrument"/>, judged against its baseline.
/// <paramref name="Responder"/>: response and remission are judged on it with the protocol's thresholds (which are on the
/// MADRS total's scale, so only the MADRS total may have them); otherwise only the change is reported.
/// </summary>
public sealed record EfficacyEndpoint(string Instrument, string Score, bool Responder = false)
{
    public static readonly EfficacyEndpoint MadrsTotal = new("MADRS", "total", Responder: true);

    /// <summary>The endpoint's code in the extracts (PARAMCD): the instrument and the score, e.g. MADRSTOT, BSL23MEA.</summary>
    public string Code => (Instrument + Score[..Math.Min(3, Score.Length)]).ToUpperInvariant();
}

public sealed record SafetyRuleSettings
{
    public required string Code { get; init; }
    public bool Enabled { get; init; } = true;
    public required string Severity { get; init; }

    /// <summary>Item numbers (1-based) a rule looks at, e.g. the BSL-23 self-harm items or the BPRS+ items.</summary>
    public IReadOnlyList<int> Items { get; init; } = [];

    /// <summary>Infusion timepoints a rule applies at, e.g. the post-infusion timepoints where dissociation should have passed.</summary>
    public IReadOnlyList<string> Timepoints { get; init; } = [];

    public IReadOnlyDictionary<string, decimal> Parameters { get; init; } = new Dictionary<string, decimal>();

    /// <summary>The classes of concomitant medication a rule restricts (CONMED_PROHIBITED), each with what it forbids.</summary>
    public IReadOnlyList<MedicationClassSettings> MedicationClasses { get; init; } = [];

    public decimal Parameter(string name) =>
        Parameters.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"Safety rule {Code} has no parameter '{name}' in the protocol file.");
}

/// <summary>
/// A class of concomitant medication the protocol restricts: the medications whose ATC code starts with one of
/// <see cref="AtcPrefixes"/>, or whose name contains one of <see cref="Names"/> as whole words (ignoring case; for what has
/// no ATC code, such as ECT), and what is restricted (<see cref="MedicationRestrictions"/>).
/// </summary>
public sealed record MedicationClassSettings
{
    public required string Name { get; init; }
    public IReadOnlyList<string> AtcPrefixes { get; init; } = [];
    public IReadOnlyList<string> Names { get; init; } = [];
    public required string Restriction { get; init; }
}

public static class MedicationRestrictions
{
    /// <summary>Not within the rule's hours before any infusion.</summary>
    public const string BeforeInfusion = "before-infusion";

    /// <summary>Not started during the infusion phase (from the first infusion given to the last).</summary>
    public const string NewDuringInfusionPhase = "new-during-infusion-phase";

    public static readonly IReadOnlyList<string> All = [BeforeInfusion, NewDuringInfusionPhase];
}
