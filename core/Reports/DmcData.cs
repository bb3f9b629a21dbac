namespace Trial.Core.Reports;

/// <summary>An enrolled participant (randomised or not), counted by site and by the month of enrolment.</summary>
public sealed record DmcEnrolment(string SiteCode, DateOnly EnrolledDate);

/// <summary>
/// A randomised participant. <paramref name="RandomisedDate"/> is the site's calendar date of the randomisation;
/// <paramref name="WithdrawnDate"/> is set when the participant was withdrawn from the study. The reasons are free text
/// typed at the site.
/// </summary>
public sealed record DmcParticipant(
    Guid Id, string Code, string SiteCode, string Arm, DateOnly RandomisedDate,
    DateOnly? InfusionsDiscontinuedDate, string? DiscontinuationReason, DateOnly? WithdrawnDate, string? WithdrawalReason);

/// <summary>An infusion given: its visit, the site's date of that visit and when it started.</summary>
public sealed record DmcInfusion(Guid ParticipantId, string VisitCode, DateOnly Date, DateTime StartUtc);

public sealed record DmcAdverseEvent(
    Guid Id, Guid ParticipantId, string Term, DateOnly OnsetDate, string Severity, bool Serious, IReadOnlyList<string> SeriousCriteria,
    string Relatedness, bool Expected, string Outcome, string? SpecialInterest);

/// <summary>
/// A safety alert in force. <paramref name="SourceType"/> and <paramref name="SourceKey"/> name the record that raised it
/// (an assessment's, vital signs', adverse event's or unblinding's id in "N" format, or a missed visit's code).
/// </summary>
public sealed record DmcAlert(Guid ParticipantId, string Rule, string SourceType, string SourceKey);

/// <summary>
/// An assessment of any instrument, scheduled or not. <paramref name="Score"/> is the score the report summarises for
/// its instrument when it was scored (MADRS total, CADSS total, BPRS positive subscale); <paramref name="Item10"/> is
/// MADRS item 10 when answered. <paramref name="Timepoint"/> is null outside infusion visits.
/// </summary>
public sealed record DmcAssessment(
    Guid Id, Guid ParticipantId, string Instrument, string VisitCode, string? Timepoint, bool Scheduled, bool Complete, decimal? Score, decimal? Item10);

public sealed record DmcVitals(Guid Id, Guid ParticipantId, string VisitCode, string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2);

/// <summary>An emergency unblinding; the reason is free text typed at the site.</summary>
public sealed record DmcUnblinding(Guid Id, Guid ParticipantId, DateTime UnblindedUtc, string Reason);

/// <summary>
/// What the DMC reports are built from, all read together: every list but <see cref="Enrolments"/> holds the randomised
/// participants' records only.
/// </summary>
public sealed record DmcData(
    IReadOnlyList<DmcEnrolment> Enrolments,
    IReadOnlyList<DmcParticipant> Participants,
    IReadOnlyList<DmcInfusion> Infusions,
    IReadOnlyList<DmcAdverseEvent> AdverseEvents,
    IReadOnlyList<DmcAlert> Alerts,
    IReadOnlyList<DmcAssessment> Assessments,
    IReadOnlyList<DmcVitals> Vitals,
    IReadOnlyList<DmcUnblinding> Unblindings)
{
    public static readonly DmcData Empty = new([], [], [], [], [], [], [], []);
}
