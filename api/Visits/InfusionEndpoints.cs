using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Visits;
using Trial.Db.Visits;

namespace Trial.Api.Visits;

/// <summary>
/// An infusion as the investigator records it. Open-label protocols: <c>doseMgPerKg</c> (the total dose is computed).
/// Blinded protocols: <c>preparationId</c> (the pharmacy's label on the syringe given) and <c>volumeMl</c> infused, never
/// the dose, which the blinded investigator does not know.
/// </summary>
public sealed record RecordInfusionRequest(
    decimal? WeightKg, decimal? DoseMgPerKg, string? Route, DateTime? StartUtc, DateTime? EndUtc, string? Reason, string? PreparationId = null, decimal? VolumeMl = null);

/// <summary>
/// A recorded infusion. In a blinded protocol the dose fields are empty whatever the arm (so the response reads the same
/// for every arm), and the preparation's label and the volume infused are given instead.
/// </summary>
public sealed record InfusionResponse(
    Guid Id, string ParticipantCode, string VisitCode, decimal WeightKg, decimal? DoseMgPerKg, decimal? TotalDoseMg, string? PreparationId, decimal? VolumeMl,
    string Route, DateTime StartUtc, DateTime EndUtc, DateTime RecordedUtc, int Version)
{
    public static InfusionResponse From(InfusionRow r, string code) =>
        new(r.Id, code, r.VisitCode, r.WeightKg, r.DoseMgPerKg, r.TotalDoseMg, r.PreparationId, r.VolumeMl, r.Route, r.StartUtc, r.EndUtc, r.RecordedUtc, r.RowVersion);
}

/// <summary>The routes of the infusion given at a visit: <see cref="RecordInfusion"/>, <see cref="ReadInfusion"/>, <see cref="CorrectInfusion"/>.</summary>
public static class InfusionEndpoints
{
    /// <summary>Maps the infusion's routes under a participant's visits (<see cref="VisitEndpoints.MapVisits"/>).</summary>
    internal static RouteGroupBuilder MapInfusions(this RouteGroupBuilder group)
    {
        group.MapPost("/{visitCode}/infusion", RecordInfusionAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("RecordInfusion")
            .WithSummary("Record the infusion given at an infusion visit (record the visit first). Open-label protocols: weightKg, doseMgPerKg, route, " +
                         "startUtc, endUtc; the total dose (mg) is computed by the server. Blinded protocols: weightKg, preparationId (the pharmacy's label on " +
                         "the syringe, which must be the preparation recorded for this visit), volumeMl, route, startUtc, endUtc; never the dose.")
            .Produces<InfusionResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/{visitCode}/infusion", GetInfusionAsync).Versioned().RequireAuthorization(Policies.ClinicalReader).WithName("GetInfusion")
            .WithSummary("The infusion given at a visit; its ETag is the version a correction must name in If-Match.")
            .Produces<InfusionResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}/infusion", CorrectInfusionAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("CorrectInfusion")
            .WithSummary("Correct a recorded infusion: the whole infusion plus a reason, with If-Match set to its ETag. The audit trail keeps the earlier values.")
            .Produces<InfusionResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return group;
    }

    private static InfusionValues Values(RecordInfusionRequest body) =>
        new(body.WeightKg, body.DoseMgPerKg, body.Route, body.StartUtc, body.EndUtc, body.Reason, body.PreparationId, body.VolumeMl);

    private static async Task<IResult> RecordInfusionAsync(string code, string visitCode, RecordInfusionRequest body, RecordInfusion infusions, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedInfusion = await infusions.CheckAsync(http.Actor(), code, visitCode, Values(body), now);
        if (checkedInfusion.IsRefused) return checkedInfusion.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => infusions.WriteAsync(w, checkedInfusion.Value!),
            row => Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/infusion", InfusionResponse.From(row, code)).WithETag(row.RowVersion));
    }

    private static async Task<IResult> GetInfusionAsync(string code, string visitCode, ReadInfusion infusions, HttpContext http)
    {
        var row = await infusions.FindAsync(http.User.Actor(), code, visitCode);
        return row.IsRefused ? row.Refusal!.ToResult() : Results.Ok(InfusionResponse.From(row.Value!, code)).WithETag(row.Value!.RowVersion);
    }

    private static async Task<IResult> CorrectInfusionAsync(string code, string visitCode, RecordInfusionRequest body, CorrectInfusion corrections, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedCorrection = await corrections.CheckAsync(http.Actor(), code, visitCode, Values(body), Versions.IfMatch(http), now);
        if (checkedCorrection.IsRefused) return checkedCorrection.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => corrections.WriteAsync(w, checkedCorrection.Value!),
            row => Results.Ok(InfusionResponse.From(row, code)).WithETag(row.RowVersion));
    }
}
