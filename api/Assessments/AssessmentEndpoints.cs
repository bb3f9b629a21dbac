using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Assessments;
using Trial.Core.Instruments;
using Trial.Db.Assessments;
using Trial.Hosting;

namespace Trial.Api.Assessments;

public sealed record CreateAssessmentRequest(string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items, bool? Unscheduled, string? Reason);

public sealed record CorrectAssessmentRequest(string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items, bool? Unscheduled, string? Reason);

public sealed record AssessmentRevisionResponse(int Version, DateTime AdministeredUtc, JsonElement Items, JsonElement Scores, bool Complete, string? SeverityBand,
    string DefinitionVersion, DateTime ReplacedUtc, Guid ReplacedBy, string Reason);

public sealed record AssessmentResponse(
    Guid Id, string ParticipantCode, string VisitCode, string Instrument, string? Timepoint, bool Unscheduled,
    DateTime AdministeredUtc, DateTime ReceivedUtc, bool Complete, string? SeverityBand,
    IReadOnlyDictionary<string, decimal> Scores, IReadOnlyList<decimal?> Items,
    string DefinitionVersion, string ProtocolVersion, int Version, bool? OutOfWindow = null)
{
    /// <param name="a">The stored assessment.</param>
    /// <param name="outOfWindow">Whether it was administered outside its visit's window (a deviation, kept and flagged);
    /// null where the schedule was not consulted (the audit trail's snapshots, which record what was entered).</param>
    public static AssessmentResponse From(StoredAssessment a, bool? outOfWindow = null) => new(
        a.Row.Id, a.Row.ParticipantCode, a.Row.VisitCode, a.Row.Instrument, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint,
        a.Row.Unscheduled, a.Row.AdministeredUtc, a.Row.ReceivedUtc, a.Row.Complete, a.Row.SeverityBand,
        ScoreFormat.InScoreOrder(a.Row.Instrument, a.Scores), ScoreFormat.Items(a.Items),
        a.Row.DefinitionVersion, a.Row.ProtocolVersion, a.Row.RowVersion, outOfWindow);
}

/// <summary>
/// The routes of rating-scale assessments: <see cref="EnterAssessment"/>, <see cref="CorrectAssessment"/>,
/// <see cref="ReadAssessments"/>, and the instruments as scored here.
/// </summary>
public static class AssessmentEndpoints
{
    public static IEndpointRouteBuilder MapAssessments(this IEndpointRouteBuilder app)
    {
        var byVisit = app.MapGroup("/api/v1/participants/{code}").WithTags("Assessments");
        byVisit.MapPost("/visits/{visitCode}/assessments", CreateAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("CreateAssessment")
            .WithSummary("Enter a rating-scale assessment (items in item order, null for a missing item); the server scores it. One per instrument, visit and timepoint. Send an Idempotency-Key header to make retries safe.")
            .Produces<AssessmentResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422)
            .ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        byVisit.MapGet("/assessments", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListAssessments")
            .WithSummary("The assessments of a participant with their items and scores, in order of administration, a page at a time; the next page is in the Link header.")
            .Produces<IReadOnlyList<AssessmentResponse>>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).Paged();

        var byId = app.MapGroup("/api/v1/assessments").WithTags("Assessments");
        byId.MapPut("/{id:guid}", CorrectAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("CorrectAssessment")
            .WithSummary("Correct an assessment: the same body plus a reason, with If-Match set to the current ETag. The earlier version is kept; the server re-scores and re-evaluates safety rules.")
            .Produces<AssessmentResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        byId.MapGet("/{id:guid}/revisions", RevisionsAsync).RequireAuthorization(Policies.ClinicalReader).WithName("AssessmentRevisions")
            .WithSummary("The earlier versions of a corrected assessment, each with who replaced it, when and why.")
            .Produces<IReadOnlyList<AssessmentRevisionResponse>>().ProducesProblem(404).ProducesProblem(403);
        byId.MapGet("/{id:guid}", GetAsync).Versioned().RequireAuthorization(Policies.ClinicalReader).WithName("GetAssessment")
            .WithSummary("One assessment; its ETag is the version a correction must name in If-Match.")
            .Produces<AssessmentResponse>().ProducesProblem(404).ProducesProblem(403);

        app.MapGet("/api/v1/instruments", () => Results.Ok(InstrumentCatalog.All.Select(InstrumentResponse.From)))
            .RequireAuthorization().WithTags("Assessments").WithName("ListInstruments")
            .WithSummary("The five instruments as scored here: items, ranges, version, source, and the provisional rules marked as such.")
            .Produces<IReadOnlyList<InstrumentResponse>>();
        return app;
    }

    private static AssessmentValues Values(CreateAssessmentRequest b) => new(b.Instrument, b.Timepoint, b.AdministeredUtc, b.Items, b.Unscheduled, b.Reason);

    private static AssessmentValues Values(CorrectAssessmentRequest b) => new(b.Instrument, b.Timepoint, b.AdministeredUtc, b.Items, b.Unscheduled, b.Reason);

    private static async Task<IResult> CreateAsync(
        string code, string visitCode, CreateAssessmentRequest body, HttpContext http, EnterAssessment assessments, IdempotentWrites writes, TimeProvider clock,
        TrialMetrics metrics)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedAssessment = await assessments.CheckAsync(http.Actor(), code, visitCode, Values(body), now);
        if (checkedAssessment.IsRefused) return checkedAssessment.Refusal!.ToResult();
        // A concurrent request for the same slot may win the race to the unique constraint: then its answer is this one's.
        var result = await writes.RunAsync(http, now, w => assessments.WriteAsync(w, checkedAssessment.Value!),
            entered => Results.Created($"/api/v1/assessments/{entered.Stored.Row.Id}", AssessmentResponse.From(entered.Stored, entered.OutOfWindow))
                .WithETag(entered.Stored.Row.RowVersion),
            () => assessments.LostRaceAsync(checkedAssessment.Value!));
        // Counted once the write has committed (a 201 here), not when it was attempted, nor when a retry is given the first answer.
        if (IdempotentWrites.StatusOf(result) == StatusCodes.Status201Created && result is not CapturedResponse { Replayed: true }) metrics.AssessmentWritten(checkedAssessment.Value!.Assessment.Row.Instrument);
        return result;
    }

    private static async Task<IResult> CorrectAsync(Guid id, CorrectAssessmentRequest body, HttpContext http, CorrectAssessment corrections, IdempotentWrites writes,
        TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedCorrection = await corrections.CheckAsync(http.Actor(), id, Values(body), Versions.IfMatch(http), now);
        if (checkedCorrection.IsRefused) return checkedCorrection.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => corrections.WriteAsync(w, checkedCorrection.Value!),
            corrected => Results.Ok(AssessmentResponse.From(corrected.Stored, corrected.OutOfWindow)).WithETag(corrected.Stored.Row.RowVersion));
    }

    private static async Task<IResult> RevisionsAsync(Guid id, ReadAssessments assessments, HttpContext http)
    {
        var revisions = await assessments.RevisionsAsync(http.User.Actor(), id);
        if (revisions.IsRefused) return revisions.Refusal!.ToResult();
        return Results.Ok(revisions.Value!.Select(r => new AssessmentRevisionResponse(r.RowVersion, r.AdministeredUtc,
            JsonSerializer.Deserialize<JsonElement>(r.ItemsJson), JsonSerializer.Deserialize<JsonElement>(r.ScoresJson),
            r.Complete, r.SeverityBand, r.DefinitionVersion, r.ReplacedUtc, r.ReplacedBy, r.Reason)));
    }

    private static async Task<IResult> ListAsync(string code, int? limit, string? cursor, ReadAssessments assessments, TimeProvider clock, HttpContext http)
    {
        var page = await assessments.ListAsync(http.User.Actor(), code, clock.GetUtcNow().UtcDateTime, limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, a => AssessmentResponse.From(a.Stored, a.OutOfWindow));
    }

    private static async Task<IResult> GetAsync(Guid id, ReadAssessments assessments, TimeProvider clock, HttpContext http)
    {
        var found = await assessments.FindAsync(http.User.Actor(), id, clock.GetUtcNow().UtcDateTime);
        if (found.IsRefused) return found.Refusal!.ToResult();
        return Results.Ok(AssessmentResponse.From(found.Value!.Stored, found.Value.OutOfWindow)).WithETag(found.Value.Stored.Row.RowVersion);
    }
}

public sealed record InstrumentResponse(
    string Code, string Name, string Version, string Source, int ItemCount, decimal MinValue, decimal MaxValue, int MaxDecimals,
    IReadOnlyList<string> ItemLabels, IReadOnlyList<string> ProvisionalNotes)
{
    public static InstrumentResponse From(InstrumentDefinition d) =>
        new(d.Code, d.Name, d.Version, d.Source, d.ItemCount, d.MinValue, d.MaxValue, d.MaxDecimals, d.ItemLabels, d.ProvisionalNotes);
}
