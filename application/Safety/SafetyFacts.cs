using Trial.Core.Safety;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Visits;

namespace Trial.Application.Safety;

/// <summary>
/// Stored rows as Core's safety rules read them: the one mapping the evaluation, and anything else that applies a rule to a
/// stored record (an adverse event's SUSAR status and SAE deadline), go through.
/// </summary>
public static class SafetyFacts
{
    public static AssessmentFact ToFact(StoredAssessment a) => new(
        a.Row.Id, a.Row.Instrument, a.Row.VisitCode, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint, a.Row.AdministeredUtc, a.Items, a.Scores);

    public static VitalsFact ToFact(VitalSignRow v) => new(v.Id, v.VisitCode, v.Timepoint, v.Systolic, v.Diastolic, v.HeartRate, v.Spo2);

    public static AdverseEventFact ToFact(AdverseEventRow e) => new(
        e.Id, e.Term, e.OnsetDate, e.EndDate, e.Severity, e.Serious, e.SeriousCriteriaList, e.Relatedness, e.Expected,
        e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest);

    public static ConcomitantMedicationFact ToFact(ConcomitantMedicationRow m) => new(m.Id, m.Name, m.AtcCode, m.StartDate, m.EndDate, m.Ongoing);

    /// <summary>When the infusion started, never what was given.</summary>
    public static InfusionFact ToFact(InfusionRow i) => new(i.Id, i.VisitCode, i.StartUtc);
}
