using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Safety;
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
        a.Id, a.RuleCode, a.Severity, a.ParticipantCode, a.SiteCode, a.VisitCode, a.SourceType, SourceIdOf(a.SourceKey), a.Message,
        JsonSerializer.Deserialize<Dictionary<string, string>>(a.ValuesJson) ?? [], a.Status, a.Escalated, a.RaisedUtc,
        a.SupersededUtc is not null, a.SupersededUtc, a.ProtocolVersion);

    /// <summary>
    /// The source record's id as the API writes every id (with hyphens), so a client matches it with the assessment's,
    /// adverse event's or vital signs' own id; a key that is not an id (a visit code) as stored.
    /// </summary>
    internal static string SourceIdOf(string sourceKey) =>
        Guid.TryParseExact(sourceKey, "N", out var id) ? id.ToString("D") : sourceKey;
}

public sealed record SafetyAlertEventResponse(string Action, string? FromStatus, string? ToStatus, string? Comment, Guid? ActorId, string ActorRole, DateTime AtUtc);

public sealed record SafetyAlertDetailResponse(SafetyAlertResponse Alert, IReadOnlyList<SafetyAlertEventResponse> History);

/// <summary>
/// The routes of the monitors' review of safety alerts: open → acknowledged → resolved, escalation as a flag, every step recorded.
/// The use cases are <see cref="ReadSafetyAlerts"/> and <see cref="ReviewSafetyAlert"/>; every change of an alert goes through
/// <see cref="AlertLifecycle"/>.
/// </summary>
public static class SafetyAlertEndpoints
{
    public static IEndpointRouteBuilder MapSafetyAlerts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/safety-alerts").WithTags("Safety alerts");
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListSafetyAlerts")
            .WithSummary("Safety alerts at your sites, newest first (then by id), a page at a time; filter by status, severity, site, participant, rule and since (UTC). Superseded alerts are left out unless includeSuperseded=true. The next page is in the Link header.")
            .Produces<IReadOnlyList<SafetyAlertResponse>>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
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
        string? status, string? severity, string? site, string? participant, string? rule, DateTime? since, bool? includeSuperseded, int? limit, string? cursor,
        ReadSafetyAlerts alerts, HttpContext http)
    {
        var page = await alerts.ListAsync(http.User.Actor(), new SafetyAlertQuery(status, severity, site, participant, rule, since, includeSuperseded, limit, cursor));
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, SafetyAlertResponse.From);
    }

    private static async Task<IResult> GetAsync(Guid id, ReadSafetyAlerts alerts, HttpContext http)
    {
        var found = await alerts.GetAsync(http.User.Actor(), id);
        if (found.IsRefused) return found.Refusal!.ToResult();
        var (alert, history) = found.Value!;
        return Results.Ok(new SafetyAlertDetailResponse(SafetyAlertResponse.From(alert),
            history.Select(e => new SafetyAlertEventResponse(e.Action, e.FromStatus, e.ToStatus, e.Comment, e.ActorId, e.ActorRole, e.AtUtc)).ToList()));
    }

    private static Task<IResult> AcknowledgeAsync(Guid id, AlertCommentRequest? body, ReviewSafetyAlert review, IdempotentWrites writes, TimeProvider clock, HttpContext http) =>
        ReviewAsync(id, AlertReview.Acknowledge, body?.Comment, review, writes, clock, http);

    private static Task<IResult> ResolveAsync(Guid id, AlertCommentRequest? body, ReviewSafetyAlert review, IdempotentWrites writes, TimeProvider clock, HttpContext http) =>
        ReviewAsync(id, AlertReview.Resolve, body?.Comment, review, writes, clock, http);

    private static Task<IResult> EscalateAsync(Guid id, AlertEscalateRequest? body, ReviewSafetyAlert review, IdempotentWrites writes, TimeProvider clock, HttpContext http) =>
        ReviewAsync(id, AlertReview.Escalate, body?.Reason, review, writes, clock, http);

    private static async Task<IResult> ReviewAsync(
        Guid id, AlertReview step, string? comment, ReviewSafetyAlert review, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var checkedStep = await review.CheckAsync(http.Actor(), id, step, comment);
        if (checkedStep.IsRefused) return checkedStep.Refusal!.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, w => review.WriteAsync(w, checkedStep.Value!), alert => Results.Ok(SafetyAlertResponse.From(alert)));
    }
}
