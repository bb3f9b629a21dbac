using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Api.Audit;

public sealed record AuditEventResponse(
    long Id, DateTime AtUtc, Guid UserId, string UserName, string Role, Guid? TokenId, string? SiteCode, string EntityType, string EntityId,
    string? ParticipantCode, string Action, JsonElement? OldValue, JsonElement? NewValue, string? Reason, string? Flag, string? RequestId, string Hash)
{
    public static AuditEventResponse From(AuditEventRow r) => new(
        r.Id, r.AtUtc, r.UserId, r.UserName, r.Role, r.TokenId, r.SiteCode, r.EntityType, r.EntityId, r.ParticipantCode, r.Action,
        Parse(r.OldValue), Parse(r.NewValue), r.Reason, r.Flag, r.RequestId, r.Hash);

    private static JsonElement? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);
}

/// <summary>One page of the trail; pass <see cref="NextCursor"/> as <c>after</c> to read on (null on the last page).</summary>
public sealed record AuditPageResponse(IReadOnlyList<AuditEventResponse> Items, string? NextCursor);

public sealed record AuditVerificationResponse(long Rows, bool Intact, long? FirstBrokenId);

/// <summary>The audit trail, read-only: who changed what, when and why, and proof that nobody edited it behind the application's back.</summary>
public static class AuditEndpoints
{
    public const int DefaultPageSize = 100, MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit");
        group.MapGet("", ListAsync).RequireAuthorization(Policies.AuditReader).WithName("ListAudit")
            .WithSummary("The audit trail in order, a page at a time (admin: everything; monitor: rows of their sites). Filters: entity, id (or entityId), participant, user, since (UTC); pass nextCursor as after to read on.")
            .Produces<AuditPageResponse>().ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/verify", VerifyAsync).RequireAuthorization(Policies.Admin).WithName("VerifyAudit")
            .WithSummary("Recomputes the hash chain of the whole trail (admin): intact, or the id of the first row that was changed, removed or inserted behind the application's back.")
            .Produces<AuditVerificationResponse>();
        app.MapGet("/api/v1/participants/{code}/history", HistoryAsync).WithTags("Audit").RequireAuthorization(Policies.ClinicalReader).WithName("ParticipantHistory")
            .WithSummary("One participant's audit trail in order: every entry and change of their data, with who, when, why, and the values before and after.")
            .Produces<IReadOnlyList<AuditEventResponse>>().ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> ListAsync(string? entity, string? id, string? entityId, string? participant, Guid? user, DateTime? since, long? after, int? limit,
        Database db, HttpContext http)
    {
        var actor = http.User.Actor();
        var errors = new FieldErrors();
        if (entity is not null && !AuditEntities.All.Contains(entity))
            errors.Add("entity", $"Unknown entity '{entity}'; the audit trail records {string.Join(", ", AuditEntities.All)}.");
        if (id is not null && entityId is not null && id != entityId) errors.Add("id", "Give the entity's id once, as id or as entityId.");
        var sinceUtc = errors.Instant(since, "since", "since", required: false);
        if (after is < 0) errors.Add("after", "after must be a cursor returned by an earlier page (a number of 0 or more).");
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize) errors.Add("limit", $"limit must be between 1 and {MaxPageSize}; got {size}.");
        if (errors.Any) return errors.ToResult();

        // Monitors see the rows of their sites; rows of no site (users, tokens) are for admins.
        var page = await db.ReadAsync(c => AuditQueries.PageAsync(c,
            new AuditFilter(actor.SiteFilter, entity, id ?? entityId, participant, user, sinceUtc, after ?? 0, size)));
        var next = page.Count == size ? page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Results.Ok(new AuditPageResponse(page.Select(AuditEventResponse.From).ToList(), next));
    }

    private static async Task<IResult> VerifyAsync(Database db)
    {
        var result = await AuditVerifier.VerifyAsync(db);
        return Results.Ok(new AuditVerificationResponse(result.Rows, result.Intact, result.FirstBrokenId));
    }

    private static async Task<IResult> HistoryAsync(string code, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var rows = await db.ReadAsync(c => AuditQueries.ParticipantTrailAsync(c, participant!.Code));
        return Results.Ok(rows.Select(AuditEventResponse.From));
    }
}
