using System.Runtime.CompilerServices;
using System.Text;
using Trial.Core.Safety;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class SafetyAlertRow
{
    public Guid Id { get; set; }
    public string ParticipantCode { get; set; } = "";
    public string SiteCode { get; set; } = "";
    public string Rule { get; set; } = "";
    public string Severity { get; set; } = "";
    public string? VisitCode { get; set; }
    public string SourceType { get; set; } = "";
    public string SourceId { get; set; } = "";
    public DateTime RaisedUtc { get; set; }
    public string Status { get; set; } = "";
    public bool Escalated { get; set; }
    public DateTime? SupersededUtc { get; set; }
    public string ProtocolVersion { get; set; } = "";
    public DateTime? AcknowledgedUtc { get; set; }
    public DateTime? EscalatedUtc { get; set; }
    public DateTime? ResolvedUtc { get; set; }
    public StringBuilder History { get; } = new();
    public StringBuilder Comments { get; } = new();
}

/// <summary>
/// One row per safety alert: which rule fired, for whom and on what, and its review so far. The
/// history column summarises every recorded step (action, time, role) without the words people wrote;
/// the monitors' comments and reasons appear only when an admin asks for free text.
/// </summary>
public sealed class SafetyAlertsDataset : ExtractDataset<SafetyAlertRow>
{
    public override string Name => "safety-alerts";
    public override string Description => "One row per safety alert with its review history.";

    public override IReadOnlyList<ExtractColumn<SafetyAlertRow>> Columns { get; } =
    [
        Column<SafetyAlertRow>.Text("alert_id", "Alert id", r => r.Id.ToString(), "Stable id of the alert.", "SafetyAlert.Id"),
        Column<SafetyAlertRow>.Text("participant_code", "Participant code", r => r.ParticipantCode, "The participant (see participants).", "Participant.Code"),
        Column<SafetyAlertRow>.Text("site", "Site code", r => r.SiteCode, "The participant's site.", "Participant.SiteCode"),
        Column<SafetyAlertRow>.Text("rule", "Rule", r => r.Rule, "Code of the protocol's safety rule that fired (see the protocol's safety rules).", "SafetyAlert.RuleCode"),
        Column<SafetyAlertRow>.Text("severity", "Severity", r => r.Severity, "The rule's severity.", "SafetyAlert.Severity", allowed: "low, medium, high, critical"),
        Column<SafetyAlertRow>.Text("visit_code", "Visit code", r => r.VisitCode, "The visit of the record that fired it; empty for rules not tied to a visit.", "SafetyAlert.VisitCode"),
        Column<SafetyAlertRow>.Text("source_type", "Source record type", r => r.SourceType, "The kind of record the rule fired on.", "SafetyAlert.SourceType",
            allowed: string.Join(", ", SourceTypes.Assessment, SourceTypes.Vitals, SourceTypes.AdverseEvent, SourceTypes.Visit)),
        Column<SafetyAlertRow>.Text("source_id", "Source record id", r => r.SourceId,
            "Id of that record (an assessment_id, an adverse event's AESPID, or a visit code).", "SafetyAlert.SourceKey"),
        Column<SafetyAlertRow>.Instant("raised_utc", "Raised", r => r.RaisedUtc, "When the alert was raised, UTC.", "SafetyAlert.RaisedUtc"),
        Column<SafetyAlertRow>.Text("status", "Review status", r => r.Status, "Where the monitors' review stands.", "SafetyAlert.Status", allowed: "open, acknowledged, resolved"),
        Column<SafetyAlertRow>.Boolean("escalated", "Escalated", r => r.Escalated, "Whether a monitor escalated the alert.", "SafetyAlert.Escalated"),
        Column<SafetyAlertRow>.Instant("acknowledged_utc", "Acknowledged", r => r.AcknowledgedUtc, "When it was acknowledged; empty if not.", "SafetyAlertEvent (acknowledged)"),
        Column<SafetyAlertRow>.Instant("escalated_utc", "Escalated at", r => r.EscalatedUtc, "When it was escalated; empty if not.", "SafetyAlertEvent (escalated)"),
        Column<SafetyAlertRow>.Instant("resolved_utc", "Resolved", r => r.ResolvedUtc, "When it was resolved; empty if not.", "SafetyAlertEvent (resolved)"),
        Column<SafetyAlertRow>.Text("history", "Status history", r => r.History.ToString(),
            "Every recorded step in order, as 'action time (role)' separated by '; ' (raised, acknowledged, escalated, resolved, updated, superseded, reinstated).",
            "SafetyAlertEvent"),
        Column<SafetyAlertRow>.Boolean("superseded", "Superseded", r => r.SupersededUtc is not null,
            "True when a correction of the data removed the alert's cause; the alert is kept, not deleted.", "SafetyAlert.SupersededUtc"),
        Column<SafetyAlertRow>.Instant("superseded_utc", "Superseded at", r => r.SupersededUtc, "When it was superseded; empty if not.", "SafetyAlert.SupersededUtc"),
        Column<SafetyAlertRow>.Text("protocol_version", "Protocol version", r => r.ProtocolVersion, "Protocol version whose rule raised the alert.", "SafetyAlert.ProtocolVersion"),
        Column<SafetyAlertRow>.Text("review_comments", "Review comments", r => r.Comments.Length == 0 ? null : r.Comments.ToString(),
            "The monitors' comments and reasons, as 'action: text' separated by ' | ', in order.", "SafetyAlertEvent.Comment", freeText: true),
    ];

    protected override Func<SafetyAlertRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>
    /// One row per alert and event of its history (raised, acknowledged, escalated, resolved, superseded, ...), in alert order;
    /// raised first among events of the same instant (an evaluation may raise and supersede within one write).
    /// </summary>
    public const string SafetyAlertEventsSql =
        $"""
        SELECT a.Id, p.Code AS ParticipantCode, p.SiteCode, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode, a.Status,
               a.Escalated, a.RaisedUtc, a.SupersededUtc, a.ProtocolVersion,
               ev.Action AS EventAction, ev.ActorRole AS EventActorRole, ev.AtUtc AS EventAtUtc, ev.Comment AS EventComment
        FROM SafetyAlert a
        JOIN Participant p ON p.Id = a.ParticipantId
        LEFT JOIN SafetyAlertEvent ev ON ev.AlertId = a.Id
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR a.RaisedUtc >= @sinceUtc OR a.SupersededUtc >= @sinceUtc
               OR EXISTS (SELECT 1 FROM SafetyAlertEvent x WHERE x.AlertId = a.Id AND x.AtUtc >= @sinceUtc))
        ORDER BY p.SiteCode, p.Number, a.RaisedUtc, a.Id, ev.AtUtc, CASE WHEN ev.Action = 'raised' THEN 0 ELSE 1 END, ev.Id
        """;

    protected override async IAsyncEnumerable<SafetyAlertRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, SafetyAlertEventsSql, context.Filter, ct);
        int id = reader.GetOrdinal("Id"), code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), rule = reader.GetOrdinal("RuleCode"),
            severity = reader.GetOrdinal("Severity"), sourceType = reader.GetOrdinal("SourceType"), sourceKey = reader.GetOrdinal("SourceKey"),
            visit = reader.GetOrdinal("VisitCode"), status = reader.GetOrdinal("Status"), escalated = reader.GetOrdinal("Escalated"),
            raised = reader.GetOrdinal("RaisedUtc"), superseded = reader.GetOrdinal("SupersededUtc"), protocol = reader.GetOrdinal("ProtocolVersion"),
            action = reader.GetOrdinal("EventAction"), role = reader.GetOrdinal("EventActorRole"), at = reader.GetOrdinal("EventAtUtc"), comment = reader.GetOrdinal("EventComment");

        // An alert's events arrive as consecutive rows: one CSV row per run of the same id.
        var row = new SafetyAlertRow();
        var started = false;
        while (await reader.ReadAsync(ct))
        {
            var alertId = ExportValues.Id(reader, id)!.Value;
            if (!started || alertId != row.Id)
            {
                if (started) yield return row;
                started = true;
                row.Id = alertId;
                row.ParticipantCode = reader.GetString(code);
                row.SiteCode = reader.GetString(site);
                row.Rule = reader.GetString(rule);
                row.Severity = reader.GetString(severity);
                row.SourceType = reader.GetString(sourceType);
                // Written as every id of the extracts is (with hyphens), so it joins on assessment_id and AESPID as they are.
                var key = reader.GetString(sourceKey);
                row.SourceId = Guid.TryParseExact(key, "N", out var sourceId) ? sourceId.ToString("D") : key;
                row.VisitCode = ExportValues.Text(reader, visit);
                row.Status = reader.GetString(status);
                row.Escalated = ExportValues.Flag(reader, escalated)!.Value;
                row.RaisedUtc = ExportValues.Instant(reader, raised)!.Value;
                row.SupersededUtc = ExportValues.Instant(reader, superseded);
                row.ProtocolVersion = reader.GetString(protocol);
                row.AcknowledgedUtc = row.EscalatedUtc = row.ResolvedUtc = null;
                row.History.Clear();
                row.Comments.Clear();
            }
            if (ExportValues.Text(reader, action) is not { } what) continue;
            var when = ExportValues.Instant(reader, at)!.Value;
            var who = reader.GetString(role);
            if (row.History.Length > 0) row.History.Append("; ");
            row.History.Append(what).Append(' ').Append(ExtractText.Instant(when)).Append(" (").Append(who).Append(')');
            switch (what)
            {
                case "acknowledged": row.AcknowledgedUtc ??= when; break;
                case "escalated": row.EscalatedUtc ??= when; break;
                case "resolved": row.ResolvedUtc ??= when; break;
            }
            // The system's own notes (the finding that raised it, why it was superseded) are not people's words.
            if (who != "system" && ExportValues.Text(reader, comment) is { Length: > 0 } text)
            {
                if (row.Comments.Length > 0) row.Comments.Append(" | ");
                row.Comments.Append(what).Append(": ").Append(text);
            }
        }
        if (started) yield return row;
    }
}
