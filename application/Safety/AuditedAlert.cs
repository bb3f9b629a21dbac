using System.Text.Json;
using Trial.Core.Safety;
using Trial.Db.Safety;

namespace Trial.Application.Safety;

/// <summary>The fields of an alert as the audit trail records them.</summary>
internal sealed record AuditedAlert(
    Guid Id, string Rule, string Severity, string SourceType, string SourceKey, string? VisitCode, string Message, Dictionary<string, string>? Values)
{
    public static AuditedAlert Of(SafetyAlertRow a) => Of(a.Id, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode, a.Message, a.ValuesJson);

    public static AuditedAlert Of(SafetyAlertRow a, AlertCandidate now, string valuesJson) =>
        Of(a.Id, a.RuleCode, now.Severity, a.SourceType, a.SourceKey, now.VisitCode, now.Message, valuesJson);

    private static AuditedAlert Of(Guid id, string rule, string severity, string sourceType, string sourceKey, string? visitCode, string message, string valuesJson) =>
        new(id, rule, severity, sourceType, sourceKey, visitCode, message, JsonSerializer.Deserialize<Dictionary<string, string>>(valuesJson));
}

/// <summary>An alert's review status before or after a monitor changed it.</summary>
internal sealed record AuditedAlertStatus(Guid Id, string Status);

/// <summary>Whether an alert was escalated, before or after a monitor escalated it.</summary>
internal sealed record AuditedAlertEscalation(Guid Id, bool Escalated);

/// <summary>Whether an alert was superseded, before or after a re-evaluation superseded or reinstated it.</summary>
internal sealed record AuditedAlertSupersession(Guid Id, bool Superseded);
