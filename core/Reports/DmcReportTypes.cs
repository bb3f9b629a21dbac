namespace Trial.Core.Reports;

// The two DMC reports hold the same sections: the closed report's rows carry the arm, the open report's (Pooled…) are
// the same rows over all arms together, with no field that could hold an arm and without the free text sites typed.

/// <summary>Participants enrolled at a site in a month (yyyy-MM of the site's enrolment date), randomised or not.</summary>
public sealed record EnrolmentCount(string SiteCode, string Month, int Enrolled);

/// <summary>Participants randomised at a site in a month (yyyy-MM of the site's date of randomisation).</summary>
public sealed record ArmRandomisationCount(string SiteCode, string Month, string Arm, int Randomised);

public sealed record PooledRandomisationCount(string SiteCode, string Month, int Randomised);

/// <summary>
/// Randomised participants: how many received at least one infusion (<paramref name="Dosed"/>), had their infusions
/// discontinued, were withdrawn from the study, and were unblinded in an emergency.
/// </summary>
public sealed record ArmParticipantCounts(string Arm, string Name, int Randomised, int Dosed, int InfusionsDiscontinued, int Withdrawn, int EmergencyUnblinded);

public sealed record PooledParticipantCounts(int Randomised, int Dosed, int InfusionsDiscontinued, int Withdrawn, int EmergencyUnblinded);

/// <summary>How many randomised participants received this many infusions.</summary>
public sealed record InfusionsReceived(int Infusions, int Participants);

/// <summary>
/// Exposure: infusions given in all, their mean per randomised participant (the participants of
/// <paramref name="Distribution"/>, from 0 to the protocol's number of infusions) and per participant dosed.
/// </summary>
public sealed record ArmExposure(
    string Arm, int Randomised, int Dosed, int Infusions, decimal? MeanPerRandomised, decimal? MeanPerDosed, IReadOnlyList<InfusionsReceived> Distribution);

public sealed record PooledExposure(
    int Randomised, int Dosed, int Infusions, decimal? MeanPerRandomised, decimal? MeanPerDosed, IReadOnlyList<InfusionsReceived> Distribution);

/// <summary>A discontinuation of infusions or a withdrawal from the study (<see cref="DispositionEvents"/>), with the site's reason.</summary>
public sealed record ArmDispositionEvent(string ParticipantCode, string Arm, string Event, DateOnly Date, string? Reason);

/// <summary>As <see cref="ArmDispositionEvent"/>, without the arm and without the reason a site typed.</summary>
public sealed record PooledDispositionEvent(string ParticipantCode, string Event, DateOnly Date);

/// <summary>
/// Treatment-emergent adverse events (onset on or after the participant's first infusion's date) among the
/// <paramref name="ParticipantsDosed"/>; deaths are events with the criterion death or the outcome fatal.
/// </summary>
public sealed record ArmAdverseEventCounts(
    string Arm, int ParticipantsDosed, int Events, int ParticipantsWithEvent, int SevereEvents, int SeriousEvents, int ParticipantsWithSeriousEvent,
    int Deaths, int SpecialInterestEvents);

public sealed record PooledAdverseEventCounts(
    int ParticipantsDosed, int Events, int ParticipantsWithEvent, int SevereEvents, int SeriousEvents, int ParticipantsWithSeriousEvent,
    int Deaths, int SpecialInterestEvents);

/// <summary>Adverse events with onset before the participant's first infusion (or of participants never dosed): counted, never credited to an arm.</summary>
public sealed record PreTreatmentAdverseEvents(int Events, int Participants, int SeriousEvents, int Deaths);

/// <summary>Treatment-emergent adverse events of one special-interest category.</summary>
public sealed record ArmSpecialInterestCounts(string Category, string Arm, int Events, int Participants);

public sealed record PooledSpecialInterestCounts(string Category, int Events, int Participants);

/// <summary>A treatment-emergent serious adverse event as the DMC lists it; <paramref name="Term"/> is the site's verbatim term.</summary>
public sealed record ArmSeriousEvent(
    string ParticipantCode, string Arm, string Term, DateOnly OnsetDate, IReadOnlyList<string> SeriousCriteria, string Severity, string Outcome,
    string Relatedness, bool Expected, string? SpecialInterest);

/// <summary>As <see cref="ArmSeriousEvent"/>, without the arm and without the verbatim term.</summary>
public sealed record PooledSeriousEvent(
    string ParticipantCode, DateOnly OnsetDate, IReadOnlyList<string> SeriousCriteria, string Severity, string Outcome, string Relatedness, bool Expected,
    string? SpecialInterest);

/// <summary>Safety alerts in force of one rule: how many, and of how many participants.</summary>
public sealed record AlertCounts(string Rule, string Arm, int Alerts, int Participants);

public sealed record PooledAlertCounts(string Rule, int Alerts, int Participants);

/// <summary>
/// Per participant the highest value in the window of one infusion visit, summarised: how many participants had a value,
/// the mean of their highest values and the highest of all.
/// </summary>
public sealed record ArmPeak(string VisitCode, string Arm, int Participants, decimal? Mean, decimal? Max);

public sealed record PooledPeak(string VisitCode, int Participants, decimal? Mean, decimal? Max);

/// <summary>One vital sign's extreme after dosing: the mean of the participants' extremes, and the most extreme of them.</summary>
public sealed record VitalExtreme(decimal? Mean, int? Extreme);

/// <summary>Vital signs after dosing at one infusion visit (the timepoints after pre): highest blood pressure and heart rate, lowest heart rate and SpO2.</summary>
public sealed record ArmVitalSignExtremes(
    string VisitCode, string Arm, int Participants, VitalExtreme HighestSystolic, VitalExtreme HighestDiastolic, VitalExtreme HighestHeartRate,
    VitalExtreme LowestHeartRate, VitalExtreme LowestSpo2);

public sealed record PooledVitalSignExtremes(
    string VisitCode, int Participants, VitalExtreme HighestSystolic, VitalExtreme HighestDiastolic, VitalExtreme HighestHeartRate,
    VitalExtreme LowestHeartRate, VitalExtreme LowestSpo2);

/// <summary>An emergency unblinding with the arm revealed and the site's reason.</summary>
public sealed record ArmUnblinding(string ParticipantCode, DateTime UnblindedUtc, string Arm, string Reason);

public sealed record PooledUnblinding(string ParticipantCode, DateTime UnblindedUtc);

/// <summary>
/// MADRS at one visit in one arm against each participant's baseline: how many had both, the mean total and mean
/// change, and how many responded and remitted by the protocol's efficacy rules.
/// </summary>
public sealed record EfficacyCounts(string VisitCode, string Arm, int Participants, decimal? MeanTotal, decimal? MeanChange, int Responders, int Remitters);

public sealed record PooledEfficacyCounts(string VisitCode, int Participants, decimal? MeanTotal, decimal? MeanChange, int Responders, int Remitters);

/// <summary>The closed-session report: every section by arm, listings with the arm and the free text sites typed.</summary>
public sealed record DmcClosedReport(
    IReadOnlyList<EnrolmentCount> Enrolment,
    IReadOnlyList<ArmRandomisationCount> Randomisation,
    IReadOnlyList<ArmParticipantCounts> Participants,
    IReadOnlyList<ArmExposure> Exposure,
    IReadOnlyList<ArmDispositionEvent> Disposition,
    IReadOnlyList<ArmAdverseEventCounts> AdverseEvents,
    PreTreatmentAdverseEvents PreTreatmentAdverseEvents,
    IReadOnlyList<ArmSpecialInterestCounts> SpecialInterest,
    IReadOnlyList<ArmSeriousEvent> SeriousAdverseEvents,
    IReadOnlyList<ArmSeriousEvent> Deaths,
    IReadOnlyList<AlertCounts> SafetyAlerts,
    IReadOnlyList<PooledAlertCounts> PreTreatmentAlerts,
    IReadOnlyList<ArmPeak> CadssTotalPeaks,
    IReadOnlyList<ArmPeak> BprsPositivePeaks,
    IReadOnlyList<ArmPeak> MadrsItem10Peaks,
    IReadOnlyList<ArmVitalSignExtremes> VitalSigns,
    IReadOnlyList<ArmUnblinding> EmergencyUnblindings,
    IReadOnlyList<EfficacyCounts> Efficacy);

/// <summary>The open-session report: the same sections pooled over the arms, listings without the arm or any free text.</summary>
public sealed record DmcOpenReport(
    IReadOnlyList<EnrolmentCount> Enrolment,
    IReadOnlyList<PooledRandomisationCount> Randomisation,
    PooledParticipantCounts Participants,
    PooledExposure Exposure,
    IReadOnlyList<PooledDispositionEvent> Disposition,
    PooledAdverseEventCounts AdverseEvents,
    PreTreatmentAdverseEvents PreTreatmentAdverseEvents,
    IReadOnlyList<PooledSpecialInterestCounts> SpecialInterest,
    IReadOnlyList<PooledSeriousEvent> SeriousAdverseEvents,
    IReadOnlyList<PooledSeriousEvent> Deaths,
    IReadOnlyList<PooledAlertCounts> SafetyAlerts,
    IReadOnlyList<PooledAlertCounts> PreTreatmentAlerts,
    IReadOnlyList<PooledPeak> CadssTotalPeaks,
    IReadOnlyList<PooledPeak> BprsPositivePeaks,
    IReadOnlyList<PooledPeak> MadrsItem10Peaks,
    IReadOnlyList<PooledVitalSignExtremes> VitalSigns,
    IReadOnlyList<PooledUnblinding> EmergencyUnblindings,
    IReadOnlyList<PooledEfficacyCounts> Efficacy);
