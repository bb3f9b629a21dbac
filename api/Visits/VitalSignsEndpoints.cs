using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Visits;
using Trial.Db.Visits;

namespace Trial.Api.Visits;

public sealed record RecordVitalsRequest(string? Timepoint, int? Systolic, int? Diastolic, int? HeartRate, int? Spo2, string? Reason);

public sealed record VitalsResponse(
    Guid Id, string ParticipantCode, string VisitCode, string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2, DateTime RecordedUtc, int Version)
{
    public static VitalsResponse From(VitalSignRow r, string code) =>
        new(r.Id, code, r.VisitCode, r.Timepoint, r.Systolic, r.Diastolic, r.HeartRate, r.Spo2, r.RecordedUtc, r.RowVersion);
}

/// <summary>The routes of the vital signs taken at a visit: <see cref="RecordVitals"/>, <see cref="ReadVitals"/>, <see cref="CorrectVitals"/>.</summary>
public static class VitalSignsEndpoints
{
    /// <summary>Maps the vital signs' routes under a participant's visits (<see cref="VisitEndpoints.MapVisits"/>).</summary>
    internal static RouteGroupBuilder MapVitalSigns(this RouteGroupBuilder group)
    {
        group.MapPost("/{visitCode}/vitals", RecordVitalsAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("RecordVitals")
            .WithSummary("Record vital signs at an infusion timepoint (pre, t40, t120, t240) of a recorded visit.")
            .Produces<VitalsResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/{visitCode}/vitals/{timepoint}", GetVitalsAsync).Versioned().RequireAuthorization(Policies.ClinicalReader).WithName("GetVitals")
            .WithSummary("The vital signs taken at one timepoint of a visit; the ETag is the version a correction must name in If-Match.")
            .Produces<VitalsResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}/vitals/{timepoint}", CorrectVitalsAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("CorrectVitals")
            .WithSummary("Correct recorded vital signs: all four values plus a reason, with If-Match set to their ETag. Safety rules are re-evaluated.")
            .Produces<VitalsResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return group;
    }

    private static VitalsValues Values(RecordVitalsRequest body) => new(body.Timepoint, body.Systolic, body.Diastolic, body.HeartRate, body.Spo2, body.Reason);

    private static async Task<IResult> RecordVitalsAsync(string code, string visitCode, RecordVitalsRequest body, RecordVitals vitals, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var checkedVitals = await vitals.CheckAsync(http.Actor(), code, visitCode, Values(body));
        if (checkedVitals.IsRefused) return checkedVitals.Refusal!.ToResult();
        return await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => vitals.WriteAsync(w, checkedVitals.Value!),
            row => Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/vitals/{row.Timepoint}", VitalsResponse.From(row, code)).WithETag(row.RowVersion));
    }

    private static async Task<IResult> GetVitalsAsync(string code, string visitCode, string timepoint, ReadVitals vitals, HttpContext http)
    {
        var row = await vitals.FindAsync(http.User.Actor(), code, visitCode, timepoint);
        return row.IsRefused ? row.Refusal!.ToResult() : Results.Ok(VitalsResponse.From(row.Value!, code)).WithETag(row.Value!.RowVersion);
    }

    private static async Task<IResult> CorrectVitalsAsync(string code, string visitCode, string timepoint, RecordVitalsRequest body, CorrectVitals corrections,
        IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var checkedCorrection = await corrections.CheckAsync(http.Actor(), code, visitCode, timepoint, Values(body), Versions.IfMatch(http));
        if (checkedCorrection.IsRefused) return checkedCorrection.Refusal!.ToResult();
        return await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => corrections.WriteAsync(w, checkedCorrection.Value!),
            row => Results.Ok(VitalsResponse.From(row, code)).WithETag(row.RowVersion));
    }
}
