using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.AdverseEvents;

namespace Trial.Api.AdverseEvents;

public sealed record AdverseEventRequest(
    string? Term, string? CodedTerm, DateOnly? OnsetDate, DateOnly? EndDate, string? Severity, bool? Serious,
    IReadOnlyList<string>? SeriousCriteria, string? Relatedness, bool? Expected, string? ActionTaken, string? Outcome,
    DateOnly? AwareDate, DateTime? SponsorReportedUtc, string? SpecialInterest, string? Reason, DateTime? AwareUtc = null);

public sealed record SusarResponse(bool IsSusar, int? ReportingClockDays, DateOnly? DueDate);

public sealed record AdverseEventResponse(
    Guid Id, string ParticipantCode, string SiteCode, string Term, string? CodedTerm, DateOnly OnsetDate, DateOnly? EndDate, bool Ongoing,
    string Severity, bool Serious, IReadOnlyList<string> SeriousCriteria, string Relatedness, bool Expected, string ActionTaken,
    string Outcome, DateOnly AwareDate, DateTime? AwareUtc, DateTime? SponsorReportedUtc, string? SpecialInterest,
    DateTime? SaeReportDueUtc, SusarResponse Susar, int Version, DateTime RecordedUtc, DateTime UpdatedUtc)
{
    public static AdverseEventResponse From(AdverseEventDetails e) => new(
        e.Id, e.ParticipantCode, e.SiteCode, e.Term, e.CodedTerm, e.OnsetDate, e.EndDate, e.Ongoing, e.Severity, e.Serious, e.SeriousCriteria, e.Relatedness,
        e.Expected, e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest, e.SaeReportDueUtc,
        new SusarResponse(e.Susar.IsSusar, e.Susar.ReportingClockDays, e.Susar.DueDate), e.Version, e.RecordedUtc, e.UpdatedUtc);
}

/// <summary>
/// The routes of adverse events (the use cases are <see cref="RecordAdverseEvent"/>, <see cref="UpdateAdverseEvent"/> and
/// <see cref="ReadAdverseEvents"/>).
/// </summary>
public static class AdverseEventEndpoints
{
    public static IEndpointRouteBuilder MapAdverseEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/adverse-events", CreateAsync).Versioned().WithTags("Adverse events")
            .RequireAuthorization(Policies.Investigator).WithName("RecordAdverseEvent")
            .WithSummary("Record an adverse event (ICH E2A seriousness; any criterion makes it serious). Serious events raise SAE_REPORTED and start the 24-hour sponsor reporting clock; special-interest events raise AESI.")
            .Produces<AdverseEventResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403);
        app.MapPut("/api/v1/adverse-events/{id:guid}", UpdateAsync).Versioned().WithTags("Adverse events")
            .RequireAuthorization(Policies.Investigator).WithName("UpdateAdverseEvent")
            .WithSummary("Update an adverse event (e.g. its outcome or the date it was reported to the sponsor): the whole event plus a reason. If-Match with the ETag guards against overwriting someone else's change.")
            .Produces<AdverseEventResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        app.MapGet("/api/v1/adverse-events/{id:guid}", GetAsync).Versioned().WithTags("Adverse events")
            .RequireAuthorization(Policies.ClinicalReader).WithName("GetAdverseEvent")
            .WithSummary("One adverse event with its SUSAR status and reporting due dates.")
            .Produces<AdverseEventResponse>().ProducesProblem(404).ProducesProblem(403);
        app.MapGet("/api/v1/adverse-events", ListAsync).WithTags("Adverse events")
            .RequireAuthorization(Policies.ClinicalReader).WithName("ListAdverseEvents")
            .WithSummary("Adverse events at your sites, optionally of one site or one participant, by site, participant, onset and id, a page at a time; the next page is in the Link header.")
            .Produces<IReadOnlyList<AdverseEventResponse>>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
        return app;
    }

    private static async Task<IResult> CreateAsync(string code, AdverseEventRequest body, RecordAdverseEvent adverseEvents, IdempotentWrites writes, TimeProvider clock,
        HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedEvent = await adverseEvents.CheckAsync(http.Actor(), code, Input(body), now);
        if (checkedEvent.IsRefused) return checkedEvent.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => adverseEvents.WriteAsync(w, checkedEvent.Value!),
            recorded => Results.Created($"/api/v1/adverse-events/{recorded.Id}", AdverseEventResponse.From(recorded)).WithETag(recorded.Version));
    }

    private static async Task<IResult> UpdateAsync(Guid id, AdverseEventRequest body, UpdateAdverseEvent adverseEvents, IdempotentWrites writes, TimeProvider clock,
        HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedChange = await adverseEvents.CheckAsync(http.Actor(), id, Versions.IfMatch(http), Input(body), now);
        if (checkedChange.IsRefused) return checkedChange.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => adverseEvents.WriteAsync(w, checkedChange.Value!),
            updated => Results.Ok(AdverseEventResponse.From(updated)).WithETag(updated.Version));
    }

    private static async Task<IResult> GetAsync(Guid id, ReadAdverseEvents adverseEvents, HttpContext http)
    {
        var found = await adverseEvents.GetAsync(http.User.Actor(), id);
        return found.IsRefused ? found.Refusal!.ToResult() : Results.Ok(AdverseEventResponse.From(found.Value!)).WithETag(found.Value!.Version);
    }

    private static async Task<IResult> ListAsync(string? site, string? participant, int? limit, string? cursor, ReadAdverseEvents adverseEvents, HttpContext http)
    {
        var page = await adverseEvents.ListAsync(http.User.Actor(), site, participant, limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, AdverseEventResponse.From);
    }

    private static AdverseEventInput Input(AdverseEventRequest b) => new(
        b.Term, b.CodedTerm, b.OnsetDate, b.EndDate, b.Severity, b.Serious, b.SeriousCriteria, b.Relatedness, b.Expected, b.ActionTaken, b.Outcome,
        b.AwareDate, b.SponsorReportedUtc, b.SpecialInterest, b.Reason, b.AwareUtc);
}
