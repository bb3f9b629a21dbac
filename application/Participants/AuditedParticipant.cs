using Trial.Db.Participants;

namespace Trial.Application.Participants;

/// <summary>The answers to the eligibility criteria as the audit trail records them.</summary>
internal sealed record AuditedEligibility(
    int FailedAntidepressantTrials, bool PsychotherapyWithoutResponse, bool BpdDiagnosis, bool PsychoticPersonalityOrganisation, bool HighSuicideRisk);

/// <summary>
/// A participant as the audit trail records it: enrolment records the whole of it, a withdrawal, a discontinuation or the
/// completion the fields that changed (with the code). The same fields, under the same names, as the API's participant.
/// </summary>
internal sealed record AuditedParticipant(
    string Code, string SiteCode, string Status, string Sex, int BirthYear, decimal WeightKg,
    AuditedEligibility Eligibility, DateOnly EnrolledDate, DateTime EnrolledUtc, string ProtocolVersion,
    DateOnly? InfusionsDiscontinuedDate, string? DiscontinuationReasonCode, string? DiscontinuationReason, DateOnly? WithdrawnDate,
    string? WithdrawalReasonCode, string? WithdrawalReason, int Version,
    string? ScreeningNumber)
{
    public static AuditedParticipant From(ParticipantRow p) => new(
        p.Code, p.SiteCode, p.Status, p.Sex, p.BirthYear, p.WeightKg,
        new AuditedEligibility(p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse, p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk),
        p.EnrolledDate, p.EnrolledUtc, p.ProtocolVersion, p.InfusionsDiscontinuedDate, p.DiscontinuationReasonCode, p.DiscontinuationReason,
        p.WithdrawnDate, p.WithdrawalReasonCode, p.WithdrawalReason, p.RowVersion, p.ScreeningNumber);
}
