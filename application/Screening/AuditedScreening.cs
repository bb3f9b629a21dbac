using Trial.Application.Participants;
using Trial.Db.Screening;

namespace Trial.Application.Screening;

/// <summary>
/// A screening as the audit trail records it: the whole of it, the comment included (the trail keeps what was entered; the
/// API gives the comment back to admins only, and the extracts only with free text).
/// </summary>
internal sealed record AuditedScreening(
    string ScreeningNumber, string SiteCode, DateOnly Date, AuditedEligibility Eligibility, string Outcome, IReadOnlyList<string> FailedCriteria,
    string? Reason, string ProtocolVersion)
{
    public static AuditedScreening From(ScreeningRow s) => new(
        s.ScreeningNumber, s.SiteCode, s.ScreeningDate,
        new AuditedEligibility(s.FailedAntidepressantTrials, s.PsychotherapyWithoutResponse, s.BpdDiagnosis, s.PsychoticPersonalityOrganisation, s.HighSuicideRisk),
        s.Outcome, s.FailedCriteriaCodes, s.Reason, s.ProtocolVersion);
}
