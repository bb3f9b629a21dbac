using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Audit;
using Trial.Application.Paging;
using Trial.Db.Audit;

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

/// <summary>
/// The chain recomputed. <see cref="Keyed"/>: rows from <see cref="KeyedFromId"/> on are chained with the key (HMAC-SHA256);
/// <see cref="PlainRowsBeforeKey"/> rows were chained before it, without a key, and checked with the plain SHA-256.
/// <see cref="AnchorsChecked"/>: anchors from the anchor file the stored chain was compared with (none when anchors go to a
/// URL or a log, which the receiving system checks). <see cref="Problem"/>: what was found wrong, in words.
/// </summary>
public sealed record AuditVerificationResponse(
    long Rows, bool Intact, long? FirstBrokenId, bool Keyed, long? KeyedFromId, long PlainRowsBeforeKey, int AnchorsChecked, string? Problem)
{
    public static AuditVerificationResponse From(AuditVerification v) =>
        new(v.Rows, v.Intact, v.FirstBrokenId, v.KeyedFromId is not null, v.KeyedFromId, v.PlainRows, v.AnchorsChecked, v.Problem);
}

/// <summary>The audit trail, read-only: who changed what, when and why, and proof that nobody edited it behind the application's back.</summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit");
        group.MapGet("", ListAsync).RequireAuthorization(Policies.AuditReader).WithName("ListAudit")
            .WithSummary("The audit trail in order, a page at a time (admin: everything; monitor: rows of their sites). Filters: entity, id (or entityId), participant, user, since (UTC); pass nextCursor as after to read on, or follow the Link header.")
            .Produces<AuditPageResponse>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
        group.MapGet("/verify", VerifyAsync).RequireAuthorization(Policies.Admin).WithName("VerifyAudit")
            .WithSummary("Recomputes the hash chain of the whole trail (admin) with the chain's key, and compares it with the anchors in the anchor file: intact, or the id of the first row that was changed, removed or inserted behind the application's back, and what was found.")
            .Produces<AuditVerificationResponse>();
        app.MapGet("/api/v1/participants/{code}/history", HistoryAsync).WithTags("Audit").RequireAuthorization(Policies.ClinicalReader).WithName("ParticipantHistory")
            .WithSummary("One participant's audit trail in order, a page at a time: every entry and change of their data, with who, when, why, and the values before and after; the next page is in the Link header.")
            .Produces<IReadOnlyList<AuditEventResponse>>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).Paged();
        return app;
    }

    private static async Task<IResult> ListAsync(string? entity, string? id, string? entityId, string? participant, Guid? user, DateTime? since, long? after, int? limit,
        ReadAuditTrail trail, HttpContext http)
    {
        var page = await trail.PageAsync(http.User.Actor(), new AuditQuery(entity, id, entityId, participant, user, since, after, limit));
        if (page.IsRefused) return page.Refusal!.ToResult();
        // The body keeps its cursor for the clients that read it; the Link header reads on as every other list does.
        PageLinks.SetNext(http, page.Value!.NextCursor, "after");
        return Results.Ok(new AuditPageResponse(page.Value!.Items.Select(AuditEventResponse.From).ToList(), page.Value.NextCursor));
    }

    private static async Task<IResult> VerifyAsync(VerifyAuditTrail verification)
    {
        var result = await verification.VerifyAsync();
        return Results.Ok(AuditVerificationResponse.From(result));
    }

    private static async Task<IResult> HistoryAsync(string code, int? limit, string? cursor, ReadParticipantHistory histories, HttpContext http)
    {
        var history = await histories.ReadAsync(http.User.Actor(), code, limit, cursor);
        if (history.IsRefused) return history.Refusal!.ToResult();
        return PageLinks.Ok(http, new Page<AuditEventRow>(history.Value!.Events, history.Value.NextCursor), AuditEventResponse.From);
    }
}
