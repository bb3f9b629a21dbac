namespace Trial.Core.Safety;

/// <summary>
/// One scored assessment as the safety rules see it. <paramref name="Items"/> holds item N at index N-1 (null when
/// unanswered); <paramref name="Scores"/> holds the scores <see cref="Instruments.Scorer"/> produced (e.g. MADRS "total",
/// BSL23 "mean" and "sum", CADSS "total", BPRS "total" and "positive"). <paramref name="Timepoint"/> is null outside infusion visits.
/// </summary>
public sealed record AssessmentFact(
    Guid Id,
    string Instrument,
    string VisitCode,
    string? Timepoint,
    DateTime AdministeredUtc,
    IReadOnlyList<decimal?> Items,
    IReadOnlyDictionary<string, decimal> Scores);

/// <summary>Vital signs taken at one infusion timepoint.</summary>
public sealed record VitalsFact(Guid Id, string VisitCode, string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2);

/// <summary>
/// An adverse event with its coded fields as the API spells them (see <see cref="AdverseEventRules"/> for the allowed values).
/// <paramref name="AwareDate"/> is the date (site-local) the site learned of the event; <paramref name="AwareUtc"/> the instant
/// it did, when recorded (its site-local date is <paramref name="AwareDate"/>); <paramref name="SponsorReportedUtc"/> is when it
/// was reported to the sponsor. The SAE reporting clock runs from <paramref name="AwareUtc"/>, or when only the date is known,
/// from the start of that date at the site (see <see cref="SaeDeadline"/>).
/// </summary>
public sealed record AdverseEventFact(
    Guid Id,
    string Term,
    DateOnly OnsetDate,
    DateOnly? EndDate,
    string Severity,
    bool Serious,
    IReadOnlyList<string> SeriousCriteria,
    string Relatedness,
    bool Expected,
    string ActionTaken,
    string Outcome,
    DateOnly AwareDate,
    DateTime? AwareUtc,
    DateTime? SponsorReportedUtc,
    string? SpecialInterest);

/// <summary>A visit whose window closed on <paramref name="WindowEnd"/> with no visit recorded.</summary>
public sealed record MissedVisitFact(string VisitCode, DateOnly WindowEnd);

/// <summary>
/// Everything the safety rules need about one participant, in any order. <paramref name="SiteTimeZone"/> is the time zone
/// of the participant's site: a date the site entered (e.g. the date it became aware of an event) starts at midnight there.
/// </summary>
public sealed record ParticipantSafetyData(
    string ParticipantCode,
    TimeZoneInfo SiteTimeZone,
    IReadOnlyList<AssessmentFact> Assessments,
    IReadOnlyList<VitalsFact> Vitals,
    IReadOnlyList<AdverseEventFact> AdverseEvents,
    IReadOnlyList<MissedVisitFact> MissedVisits)
{
    /// <summary>The participant's allocation, when randomised; STRATUM_CHANGED compares its stratum with the baseline MADRS.</summary>
    public AllocationFact? Allocation { get; init; }

    /// <summary>The participant's concomitant medications; CONMED_PROHIBITED compares them with <see cref="Infusions"/>.</summary>
    public IReadOnlyList<ConcomitantMedicationFact> ConcomitantMedications { get; init; } = [];

    /// <summary>The infusions given (when each started, never what was given: nothing the rules say may tell the arm).</summary>
    public IReadOnlyList<InfusionFact> Infusions { get; init; } = [];
}

/// <summary>
/// A concomitant medication as the site entered it: the name as written, the ATC code (any level) when known, the site-local
/// start date, and the end date, null while <paramref name="Ongoing"/>.
/// </summary>
public sealed record ConcomitantMedicationFact(Guid Id, string Name, string? AtcCode, DateOnly StartDate, DateOnly? EndDate, bool Ongoing);

/// <summary>An infusion given at <paramref name="VisitCode"/>, started at <paramref name="StartUtc"/>.</summary>
public sealed record InfusionFact(Guid Id, string VisitCode, DateTime StartUtc);

/// <summary>
/// What the participant was randomised on: the stratum and the baseline MADRS total it was computed from (null when the
/// design does not stratify by it), at the participant's site. Never the arm: nothing the safety rules say may tell it.
/// </summary>
public sealed record AllocationFact(string SiteCode, string Stratum, decimal? BaselineMadrsTotal);

/// <summary>
/// An alert the data justifies. (<paramref name="Rule"/>, <paramref name="SourceKey"/>) is unique within one evaluation, so
/// the caller can key stored alerts on it. <paramref name="SourceKey"/> is the source record's id in "N" format, or the
/// visit code for a missed visit. <paramref name="Values"/> holds the raw numbers that fired the rule, as invariant strings.
/// </summary>
public sealed record AlertCandidate(
    string Rule,
    string Severity,
    string SourceType,
    string SourceKey,
    string? VisitCode,
    string Message,
    IReadOnlyDictionary<string, string> Values);
