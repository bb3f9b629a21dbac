using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.ConcomitantMedications;
using Trial.Db.ConcomitantMedications;

namespace Trial.Api.ConcomitantMedications;

public sealed record ConcomitantMedicationRequest(
    string? Name, string? AtcCode, string? Dose, string? Route, DateOnly? StartDate, DateOnly? EndDate, bool? Ongoing, string? Indication, string? Reason);

public sealed record ConcomitantMedicationResponse(
    Guid Id, string ParticipantCode, string Name, string? AtcCode, string? Dose, string? Route, DateOnly StartDate, DateOnly? EndDate, bool Ongoing,
    string? Indication, int Version, DateTime RecordedUtc, DateTime UpdatedUtc)
{
    public static ConcomitantMedicationResponse From(ConcomitantMedicationRow m, string code) => new(
        m.Id, code, m.Name, m.AtcCode, m.Dose, m.Route, m.StartDate, m.EndDate, m.Ongoing, m.Indication, m.RowVersion, m.RecordedUtc, m.UpdatedUtc);
}

/// <summary>
/// The routes of concomitant medications (the use cases are <see cref="RecordConcomitantMedication"/>,
/// <see cref="CorrectConcomitantMedication"/> and <see cref="ReadConcomitantMedications"/>).
/// </summary>
public static class ConcomitantMedicationEndpoints
{
    private const string Route = "/api/v1/participants/{code}/concomitant-medications";

    public static IEndpointRouteBuilder MapConcomitantMedications(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, CreateAsync).Versioned().WithTags("Concomitant medications")
            .RequireAuthorization(Policies.Investigator).WithName("RecordConcomitantMedication")
            .WithSummary("Record a medication the participant takes besides the study drug: name as written, ATC code of any level (optional, e.g. N05BA06 or N05BA), dose, route, start date, and the end date or \"ongoing\": true. A restricted medication near an infusion raises CONMED_PROHIBITED.")
            .Produces<ConcomitantMedicationResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403);
        app.MapPut(Route + "/{id:guid}", CorrectAsync).Versioned().WithTags("Concomitant medications")
            .RequireAuthorization(Policies.Investigator).WithName("CorrectConcomitantMedication")
            .WithSummary("Correct a concomitant medication: the whole record plus a reason. If-Match with the ETag guards against overwriting someone else's change.")
            .Produces<ConcomitantMedicationResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        app.MapGet(Route, ListAsync).WithTags("Concomitant medications")
            .RequireAuthorization(Policies.ClinicalReader).WithName("ListConcomitantMedications")
            .WithSummary("The participant's concomitant medications, by start date, a page at a time; the next page is in the Link header.")
            .Produces<IReadOnlyList<ConcomitantMedicationResponse>>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).Paged();
        app.MapGet(Route + "/{id:guid}", GetAsync).Versioned().WithTags("Concomitant medications")
            .RequireAuthorization(Policies.ClinicalReader).WithName("GetConcomitantMedication")
            .WithSummary("One concomitant medication, with its ETag for a correction.")
            .Produces<ConcomitantMedicationResponse>().ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> CreateAsync(string code, ConcomitantMedicationRequest body, RecordConcomitantMedication medications, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedMedication = await medications.CheckAsync(http.Actor(), code, Input(body), now);
        if (checkedMedication.IsRefused) return checkedMedication.Refusal!.ToResult();
        var participantCode = checkedMedication.Value!.Participant.Code;
        return await writes.RunAsync(http, now, w => medications.WriteAsync(w, checkedMedication.Value!),
            recorded => Results.Created($"/api/v1/participants/{participantCode}/concomitant-medications/{recorded.Id}",
                ConcomitantMedicationResponse.From(recorded, participantCode)).WithETag(recorded.RowVersion));
    }

    private static async Task<IResult> CorrectAsync(string code, Guid id, ConcomitantMedicationRequest body, CorrectConcomitantMedication medications,
        IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedCorrection = await medications.CheckAsync(http.Actor(), code, id, http.Request.Headers.IfMatch.ToString(), Input(body), now);
        if (checkedCorrection.IsRefused) return checkedCorrection.Refusal!.ToResult();
        var participantCode = checkedCorrection.Value!.Participant.Code;
        return await writes.RunAsync(http, now, w => medications.WriteAsync(w, checkedCorrection.Value!),
            corrected => Results.Ok(ConcomitantMedicationResponse.From(corrected, participantCode)).WithETag(corrected.RowVersion));
    }

    private static async Task<IResult> ListAsync(string code, int? limit, string? cursor, ReadConcomitantMedications medications, HttpContext http)
    {
        var page = await medications.ListAsync(http.User.Actor(), code, limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, m => ConcomitantMedicationResponse.From(m, code));
    }

    private static async Task<IResult> GetAsync(string code, Guid id, ReadConcomitantMedications medications, HttpContext http)
    {
        var found = await medications.GetAsync(http.User.Actor(), code, id);
        return found.IsRefused ? found.Refusal!.ToResult() : Results.Ok(ConcomitantMedicationResponse.From(found.Value!, code)).WithETag(found.Value!.RowVersion);
    }

    private static ConcomitantMedicationInput Input(ConcomitantMedicationRequest b) =>
        new(b.Name, b.AtcCode, b.Dose, b.Route, b.StartDate, b.EndDate, b.Ongoing, b.Indication, b.Reason);
}
