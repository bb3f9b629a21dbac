using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;

namespace Trial.Api.Safety;

public sealed record AlertCommentRequest(string? Comment);
public sealed record AlertEscalateRequest(string? Reason);

public sealed record SafetyAlertResponse(
    Guid Id, string Rule, string Severity, string ParticipantCode, string SiteCode, string? VisitCode, string SourceType, string SourceId,
    string Message, IReadOnlyDictionary<string, string> Values, string Status, bool Escalated, DateTime RaisedUtc,
    bool Superseded, DateTime? SupersededUtc, string ProtocolVersion)
{
    public static SafetyAlertResponse From(SafetyAlertRow a) => new(
        a.Id, a.RuleCode, a.Severity, a.ParticipantCode, a.SiteCode, a.VisitCode, a.SourceType, a.SourceKey, a.Message,
        JsonSerializer.Deserialize<Dictionary<string, string>>(a.ValuesJson) ?? [], a.Status, a.Escalated, a.RaisedUtc,
        a.SupersededUtc is not null, a.SupersededUtc, a.ProtocolVersion);
}

public sealed record SafetyAlertEventResponse(string Action, string? FromStatus, string? ToStatus, string? Comment, Guid? ActorId, string ActorRole, DateTime AtUtc);

public sealed record SafetyAlertDetailResponse(SafetyAlertResponse Alert, IReadOnlyList<SafetyAlertEventResponse> History);

/// <summary>The monitors' review of safety alerts: open → acknowledged → resolved, escalation as a flag, every step recorded.</summary>
public static class SafetyAlertEndpoints
{
    public static IEndpointRouteBuilder MapSafetyAlerts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/safety-alerts").WithTags("Safety alerts");
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListSafetyAlerts")
            .WithSummary("Safety alerts at your sites, newest first; filter by status, severity, site, participant, rule and since (UTC). Superseded alerts are left out unless includeSuperseded=true.")
            .Produces<IReadOnlyList<SafetyAlertResponse>>().ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetSafetyAlert")
            .WithSummary("One alert with its history: raised, acknowledged, escalated, resolved, superseded, each with who, when and why.")
            .Produces<SafetyAlertDetailResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPost("/{id:guid}/acknowledge", AcknowledgeAsync).RequireAuthorization(Policies.AlertReviewer).WithName("AcknowledgeSafetyAlert")
            .WithSummary("Acknowledge an open alert (monitor or admin); an optional comment.")
            .Produces<SafetyAlertResponse>().ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapPost("/{id:guid}/resolve", ResolveAsync).RequireAuthorization(Policies.AlertReviewer).WithName("ResolveSafetyAlert")
            .WithSummary("Resolve an acknowledged alert (monitor or admin); a comment saying what was done is required.")
            .Produces<SafetyAlertResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapPost("/{id:guid}/escalate", EscalateAsync).RequireAuthorization(Policies.AlertReviewer).WithName("EscalateSafetyAlert")
            .WithSummary("Escalate an alert that is not resolved (monitor or admin); a reason is required.")
            .Produces<SafetyAlertResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> ListAsync(
        string? status, string? severity, string? site, string? participant, string? rule, DateTime? since, bool? includeSuperseded,
        Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var actor = http.User.Actor();
        var errors = new FieldErrors();
        if (status is not null && !AlertStatuses.All.Contains(status))
            errors.Add("status", $"status must be one of {string.Join(", ", AlertStatuses.All)}; got '{status}'.");
        if (severity is not null && !ProtocolLoader.Severities.Contains(severity))
            errors.Add("severity", $"severity must be one of {string.Join(", ", ProtocolLoader.Severities)}; got '{severity}'.");
        if (rule is not null && protocol.FindRule(rule) is null)
            errors.Add("rule", $"Unknown rule '{rule}'; the rules are {string.Join(", ", protocol.SafetyRules.Select(r => r.Code))}.");
        if (errors.Any) return errors.ToResult();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError.ToResult();
        var rows = await db.ReadAsync(c => SafetyQueries.ListAsync(c,
            new AlertFilter(sites, status, severity, participant, rule, since?.ToUniversalTime(), includeSuperseded ?? false)));
        return Results.Ok(rows.Select(SafetyAlertResponse.From));
    }

    private static async Task<IResult> GetAsync(Guid id, Database db, HttpContext http)
    {
        var (alert, error) = await FindAsync(db, id, http.User.Actor());
        if (error is not null) return error;
        var events = await db.ReadAsync(c => SafetyQueries.EventsAsync(c, id));
        return Results.Ok(new SafetyAlertDetailResponse(SafetyAlertResponse.From(alert!),
            events.Select(e => new SafetyAlertEventResponse(e.Action, e.FromStatus, e.ToStatus, e.Comment, e.ActorId, e.ActorRole, e.AtUtc)).ToList()));
    }

    private static Task<IResult> AcknowledgeAsync(Guid id, AlertCommentRequest? body, Database db, WritePath writes, TimeProvider clock, HttpContext http) =>
        TransitionAsync(id, AlertStatuses.Open, AlertStatuses.Acknowledged, "acknowledged", body?.Comment?.Trim(), commentRequired: false, db, writes, clock, http);

    private static Task<IResult> ResolveAsync(Guid id, AlertCommentRequest? body, Database db, WritePath writes, TimeProvider clock, HttpContext http) =>
        TransitionAsync(id, AlertStatuses.Acknowledged, AlertStatuses.Resolved, "resolved", body?.Comment?.Trim(), commentRequired: true, db, writes, clock, http);

    private static async Task<IResult> TransitionAsync(
        Guid id, string from, string to, string action, string? comment, bool commentRequired, Database db, WritePath writes, TimeProvider clock, HttpContext http)
    {
        var actor = http.Actor();
        if (commentRequired && string.IsNullOrEmpty(comment))
            return Problems.Validation("comment", $"A comment is required to mark an alert {to}: say what was done.");
        if (comment is { Length: > 2000 }) return Problems.Validation("comment", "The comment must be at most 2000 characters.");
        var (alert, error) = await FindAsync(db, id, actor);
        if (error is not null) return error;
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            if (await SafetyQueries.SetStatusAsync(w.Session, id, from, to) == 0)
            {
                var current = (await SafetyQueries.GetAsync(w.Session, id))!;
                return Problems.Conflict(to == AlertStatuses.Resolved && current.Status == AlertStatuses.Open
                    ? "The alert is open: acknowledge it before resolving it."
                    : $"The alert is {current.Status}; only an {from} alert can be marked {to}.");
            }
            await RecordAsync(w, id, action, from, to, comment);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, id.ToString(), AuditActions.StateChange,
                new { id, status = from }, new { id, status = to }, alert!.SiteCode, alert.ParticipantCode, comment));
            return Results.Ok(SafetyAlertResponse.From((await SafetyQueries.GetAsync(w.Session, id))!));
        });
    }

    private static async Task<IResult> EscalateAsync(Guid id, AlertEscalateRequest? body, Database db, WritePath writes, TimeProvider clock, HttpContext http)
    {
        var actor = http.Actor();
        var reason = body?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason)) return Problems.Validation("reason", "A reason is required to escalate an alert.");
        if (reason.Length > 2000) return Problems.Validation("reason", "The reason must be at most 2000 characters.");
        var (alert, error) = await FindAsync(db, id, actor);
        if (error is not null) return error;
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            if (await SafetyQueries.SetEscalatedAsync(w.Session, id) == 0)
            {
                var current = (await SafetyQueries.GetAsync(w.Session, id))!;
                return Problems.Conflict(current.Status == AlertStatuses.Resolved
                    ? "The alert is resolved; a resolved alert cannot be escalated."
                    : "The alert is already escalated.");
            }
            var updated = (await SafetyQueries.GetAsync(w.Session, id))!;
            await RecordAsync(w, id, "escalated", updated.Status, updated.Status, reason);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.SafetyAlert, id.ToString(), AuditActions.StateChange,
                new { id, escalated = false }, new { id, escalated = true }, alert!.SiteCode, alert.ParticipantCode, reason));
            return Results.Ok(SafetyAlertResponse.From(updated));
        });
    }

    private static async Task<(SafetyAlertRow? Alert, IResult? Error)> FindAsync(Database db, Guid id, Actor actor)
    {
        var alert = await db.ReadAsync(c => SafetyQueries.GetAsync(c, id));
        if (alert is null) return (null, Problems.NotFound($"No safety alert with id {id}."));
        if (!actor.CanAccessSite(alert.SiteCode))
            return (null, Problems.Forbidden($"The alert concerns site {alert.SiteCode}, which is not one of your sites."));
        return (alert, null);
    }

    private static Task RecordAsync(WriteScope w, Guid alertId, string action, string? from, string? to, string? comment) =>
        SafetyQueries.InsertEventAsync(w.Session, new SafetyAlertEventRow
        {
            Id = SequentialGuid.New(w.NowUtc), AlertId = alertId, Action = action, FromStatus = from, ToStatus = to,
            Comment = comment, ActorId = w.Actor.UserId, ActorRole = w.Actor.Role, AtUtc = w.NowUtc,
        });
}
