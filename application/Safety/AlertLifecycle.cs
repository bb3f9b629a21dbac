using System.Text.Json;
using Trial.Core.Access;
using Trial.Core.Safety;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;

namespace Trial.Application.Safety;

/// <summary>
/// Every change of a safety alert, whoever makes it (the rule evaluation, an emergency unblinding, a monitor's review),
/// goes through here. Every change to an alert is kept twice over beside the alert row itself: in the alert's own history
/// (what a monitor reads beside it) and in the audit trail (old and new values, so a re-evaluation never overwrites a
/// finding without a trace), all three in the caller's transaction. An alert is never deleted: a finding that no longer
/// holds supersedes it, and it is reinstated when the finding holds again.
/// </summary>
public static class AlertLifecycle
{
    /// <summary>The actions of an alert's history.</summary>
    public const string Raised = "raised", Reinstated = "reinstated", Updated = "updated", Superseded = "superseded",
        Acknowledged = "acknowledged", Resolved = "resolved", Escalated = "escalated";

    private const string ReinstatedWhy = "The condition holds again after a change to the data.";
    private const string SupersededWhy = "The condition no longer holds after a change to the data it was raised on.";

    /// <summary>
    /// Raises an open alert for <paramref name="finding"/>. Alerts are raised by the system, whether the rule evaluation found
    /// the condition or an unblinding raised it in the investigator's write.
    /// </summary>
    public static async Task<SafetyAlertRow> RaiseAsync(WriteScope w, ParticipantRow participant, AlertCandidate finding, string protocolVersion)
    {
        var raised = new SafetyAlertRow
        {
            Id = SequentialGuid.New(w.NowUtc), ParticipantId = participant.Id, ParticipantCode = participant.Code, SiteCode = participant.SiteCode,
            RuleCode = finding.Rule, Severity = finding.Severity, SourceType = finding.SourceType, SourceKey = finding.SourceKey, VisitCode = finding.VisitCode,
            Message = finding.Message, ValuesJson = ValuesJson(finding), Status = AlertStatuses.Open, Escalated = false,
            RaisedUtc = w.NowUtc, ProtocolVersion = protocolVersion,
        };
        await SafetyQueries.InsertAsync(w.Session, raised);
        await RecordAsync(w, raised.Id, Raised, null, AlertStatuses.Open, finding.Message, by: null);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.SafetyAlert, raised.Id.ToString(), AuditedAlert.Of(raised), raised.SiteCode, raised.ParticipantCode));
        return raised;
    }

    /// <summary>A superseded alert whose condition holds again after a change to the data: in force again, with its review status as it was.</summary>
    public static async Task ReinstateAsync(WriteScope w, SafetyAlertRow alert)
    {
        await SafetyQueries.SetSupersededAsync(w.Session, alert.Id, null);
        await RecordAsync(w, alert.Id, Reinstated, alert.Status, alert.Status, ReinstatedWhy, by: null);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.StateChange,
            new AuditedAlertSupersession(alert.Id, true), new AuditedAlertSupersession(alert.Id, false), alert.SiteCode, alert.ParticipantCode, ReinstatedWhy));
    }

    /// <summary>Brings the alert's finding (message, values, severity, visit) in line with <paramref name="finding"/>; nothing when they are the same.</summary>
    public static async Task UpdateFindingAsync(WriteScope w, SafetyAlertRow alert, AlertCandidate finding)
    {
        var values = ValuesJson(finding);
        if (alert.Message == finding.Message && alert.ValuesJson == values && alert.Severity == finding.Severity && alert.VisitCode == finding.VisitCode) return;
        await SafetyQueries.SetFindingAsync(w.Session, alert.Id, finding.Message, values, finding.Severity, finding.VisitCode);
        await RecordAsync(w, alert.Id, Updated, alert.Status, alert.Status, $"Was: {alert.Message}", by: null);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.Update,
            AuditedAlert.Of(alert), AuditedAlert.Of(alert, finding, values), alert.SiteCode, alert.ParticipantCode,
            "Re-evaluated after a change to the data."));
    }

    /// <summary>An alert whose condition no longer holds after a change to the data: kept, marked superseded.</summary>
    public static async Task SupersedeAsync(WriteScope w, SafetyAlertRow alert)
    {
        await SafetyQueries.SetSupersededAsync(w.Session, alert.Id, w.NowUtc);
        await RecordAsync(w, alert.Id, Superseded, alert.Status, alert.Status, SupersededWhy, by: null);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.DeleteBySupersede,
            new AuditedAlertSupersession(alert.Id, false), new AuditedAlertSupersession(alert.Id, true), alert.SiteCode, alert.ParticipantCode, SupersededWhy));
    }

    /// <summary>
    /// A monitor's step of the review, open → acknowledged → resolved (<paramref name="action"/> names it in the history),
    /// with their comment. Refused when the alert is no longer <paramref name="from"/>; else the alert as it now is.
    /// </summary>
    public static async Task<Outcome<SafetyAlertRow>> ChangeStatusAsync(WriteScope w, SafetyAlertRow alert, string from, string to, string action, string? comment)
    {
        if (await SafetyQueries.SetStatusAsync(w.Session, alert.Id, from, to) == 0)
        {
            var current = (await SafetyQueries.GetAsync(w.Session, alert.Id))!;
            return new Conflict(to == AlertStatuses.Resolved && current.Status == AlertStatuses.Open
                ? "The alert is open: acknowledge it before resolving it."
                : $"The alert is {current.Status}; only an {from} alert can be marked {to}.");
        }
        await RecordAsync(w, alert.Id, action, from, to, comment, w.Actor);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.StateChange,
            new AuditedAlertStatus(alert.Id, from), new AuditedAlertStatus(alert.Id, to), alert.SiteCode, alert.ParticipantCode, comment));
        return (await SafetyQueries.GetAsync(w.Session, alert.Id))!;
    }

    /// <summary>A monitor escalates an alert that is not resolved, with a reason; refused when it is resolved or already escalated.</summary>
    public static async Task<Outcome<SafetyAlertRow>> EscalateAsync(WriteScope w, SafetyAlertRow alert, string reason)
    {
        if (await SafetyQueries.SetEscalatedAsync(w.Session, alert.Id) == 0)
        {
            var current = (await SafetyQueries.GetAsync(w.Session, alert.Id))!;
            return new Conflict(current.Status == AlertStatuses.Resolved
                ? "The alert is resolved; a resolved alert cannot be escalated."
                : "The alert is already escalated.");
        }
        var updated = (await SafetyQueries.GetAsync(w.Session, alert.Id))!;
        await RecordAsync(w, alert.Id, Escalated, updated.Status, updated.Status, reason, w.Actor);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, alert.Id.ToString(), AuditActions.StateChange,
            new AuditedAlertEscalation(alert.Id, false), new AuditedAlertEscalation(alert.Id, true), alert.SiteCode, alert.ParticipantCode, reason));
        return updated;
    }

    /// <summary>The finding's values as the alert stores them.</summary>
    private static string ValuesJson(AlertCandidate finding) => JsonSerializer.Serialize(finding.Values);

    // The alert's own history: who (a monitor; null for the system, whose role is recorded), when, what and why.
    private static Task RecordAsync(WriteScope w, Guid alertId, string action, string? from, string? to, string? comment, Actor? by) =>
        SafetyQueries.InsertEventAsync(w.Session, new SafetyAlertEventRow
        {
            Id = SequentialGuid.New(w.NowUtc), AlertId = alertId, Action = action, FromStatus = from, ToStatus = to,
            Comment = comment, ActorId = by?.UserId, ActorRole = (by ?? Actor.System).Role, AtUtc = w.NowUtc,
        });
}
