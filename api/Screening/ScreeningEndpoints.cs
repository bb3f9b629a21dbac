using System.Text.Json.Serialization;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Application.Participants;
using Trial.Application.Screening;
using Trial.Core.Access;
using Trial.Db.Screening;

namespace Trial.Api.Screening;

public sealed record RecordScreeningRequest(string? SiteCode, DateOnly? Date, EligibilityDto? Eligibility, string? Reason);

/// <summary>
/// A screening as the API gives it. The comment (<c>reason</c>) is free text that may identify a person: it is in admins'
/// responses only, and left out of everyone else's.
/// </summary>
public sealed record ScreeningResponse(
    string ScreeningNumber, string SiteCode, DateOnly Date, string Outcome, IReadOnlyList<string> FailedCriteria, EligibilityDto Eligibility,
    string? ParticipantCode, string ProtocolVersion, DateTime RecordedUtc,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason)
{
    public static ScreeningResponse From(ScreeningRow s, Actor reader) => new(
        s.ScreeningNumber, s.SiteCode, s.ScreeningDate, s.Outcome, s.FailedCriteriaCodes,
        new EligibilityDto(s.FailedAntidepressantTrials, s.PsychotherapyWithoutResponse, s.BpdDiagnosis, s.PsychoticPersonalityOrganisation, s.HighSuicideRisk),
        s.ParticipantCode, s.ProtocolVersion, s.RecordedUtc, reader.IsAdmin ? s.Reason : null);
}

/// <summary>The routes of screenings (the use cases are <see cref="RecordScreening"/> and <see cref="ReadScreenings"/>).</summary>
public static class ScreeningEndpoints
{
    public static IEndpointRouteBuilder MapScreenings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/screenings").WithTags("Screening");
        group.MapPost("", RecordAsync).RequireAuthorization(Policies.Investigator).WithName("RecordScreening")
            .WithSummary("Record a screening at one of your sites: the date and the eligibility answers enrolment takes, and an optional comment (reason) that only admins read back. The server assigns the number (per site, e.g. WAW-S0001) and computes the outcome (eligible or screen-failure) and the criteria failed by the protocol's rule; screen failures are stored too (CONSORT). Enrol an eligible one with its screeningNumber. Send an Idempotency-Key header to make retries safe.")
            .Produces<ScreeningResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListScreenings")
            .WithSummary("List screenings of your sites, optionally of one site, with the participant enrolled from each, by site and number, a page at a time; the next page is in the Link header.")
            .Produces<IReadOnlyList<ScreeningResponse>>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
        group.MapGet("/{screeningNumber}", GetAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetScreening")
            .WithSummary("One screening by number.")
            .Produces<ScreeningResponse>().ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> RecordAsync(RecordScreeningRequest body, RecordScreening screenings, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var actor = http.Actor();
        var e = body.Eligibility;
        var input = new ScreeningInput(body.SiteCode, body.Date,
            e is null ? null : new EligibilityInput(e.FailedAntidepressantTrials, e.PsychotherapyWithoutResponse, e.BpdDiagnosis, e.PsychoticPersonalityOrganisation, e.HighSuicideRisk),
            body.Reason);
        var checkedScreening = screenings.Check(actor, input);
        if (checkedScreening.IsRefused) return checkedScreening.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => screenings.WriteAsync(w, checkedScreening.Value!),
            screening => Results.Created($"/api/v1/screenings/{screening.ScreeningNumber}", ScreeningResponse.From(screening, actor)));
    }

    private static async Task<IResult> ListAsync(string? site, int? limit, string? cursor, ReadScreenings screenings, HttpContext http)
    {
        var actor = http.User.Actor();
        var page = await screenings.ListAsync(actor, site, limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, s => ScreeningResponse.From(s, actor));
    }

    private static async Task<IResult> GetAsync(string screeningNumber, ReadScreenings screenings, HttpContext http)
    {
        var actor = http.User.Actor();
        var screening = await screenings.FindAsync(actor, screeningNumber);
        return screening.IsRefused ? screening.Refusal!.ToResult() : Results.Ok(ScreeningResponse.From(screening.Value!, actor));
    }
}
