using Trial.Application.Safety;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Db.AdverseEvents;

namespace Trial.Application.AdverseEvents;

/// <summary>An adverse event as stored, with what the rules say of it: its SUSAR status and, when serious, the SAE reporting deadline.</summary>
public sealed record AdverseEventDetails(
    Guid Id, string ParticipantCode, string SiteCode, string Term, string? CodedTerm, DateOnly OnsetDate, DateOnly? EndDate, bool Ongoing,
    string Severity, bool Serious, IReadOnlyList<string> SeriousCriteria, string Relatedness, bool Expected, string ActionTaken,
    string Outcome, DateOnly AwareDate, DateTime? AwareUtc, DateTime? SponsorReportedUtc, string? SpecialInterest,
    DateTime? SaeReportDueUtc, SusarStatus Susar, int Version, DateTime RecordedUtc, DateTime UpdatedUtc)
{
    public static AdverseEventDetails Of(AdverseEventRow r, ProtocolDefinition protocol)
    {
        var fact = SafetyFacts.ToFact(r);
        var susar = AdverseEventRules.Susar(fact);
        var clockHours = protocol.FindRule(SafetyEngine.SaeClock)?.Parameter("reportWithinHours");
        // The same deadline the SAE_CLOCK rule applies.
        DateTime? due = r.Serious && clockHours is { } hours
            ? SaeDeadline.Compute(fact.AwareDate, fact.AwareUtc, TimeZoneInfo.FindSystemTimeZoneById(r.SiteTimeZone), hours).DeadlineUtc
            : null;
        return new AdverseEventDetails(r.Id, r.ParticipantCode, r.SiteCode, r.Term, r.CodedTerm, r.OnsetDate, r.EndDate, r.EndDate is null,
            r.Severity, r.Serious, r.SeriousCriteriaList, r.Relatedness, r.Expected, r.ActionTaken, r.Outcome, r.AwareDate, r.AwareUtc, r.SponsorReportedUtc,
            r.SpecialInterest, due, susar, r.RowVersion, r.RecordedUtc, r.UpdatedUtc);
    }
}

/// <summary>The SUSAR status as the audit trail records it, within <see cref="AuditedAdverseEvent"/>.</summary>
internal sealed record AuditedSusar(bool IsSusar, int? ReportingClockDays, DateOnly? DueDate);

/// <summary>An adverse event as the audit trail records it: every field, with what the rules said of it at the time.</summary>
internal sealed record AuditedAdverseEvent(
    Guid Id, string ParticipantCode, string SiteCode, string Term, string? CodedTerm, DateOnly OnsetDate, DateOnly? EndDate, bool Ongoing,
    string Severity, bool Serious, IReadOnlyList<string> SeriousCriteria, string Relatedness, bool Expected, string ActionTaken,
    string Outcome, DateOnly AwareDate, DateTime? AwareUtc, DateTime? SponsorReportedUtc, string? SpecialInterest,
    DateTime? SaeReportDueUtc, AuditedSusar Susar, int Version, DateTime RecordedUtc, DateTime UpdatedUtc)
{
    public static AuditedAdverseEvent Of(AdverseEventDetails e) => new(
        e.Id, e.ParticipantCode, e.SiteCode, e.Term, e.CodedTerm, e.OnsetDate, e.EndDate, e.Ongoing, e.Severity, e.Serious, e.SeriousCriteria, e.Relatedness,
        e.Expected, e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest, e.SaeReportDueUtc,
        new AuditedSusar(e.Susar.IsSusar, e.Susar.ReportingClockDays, e.Susar.DueDate), e.Version, e.RecordedUtc, e.UpdatedUtc);
}
