using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Visits;
using Trial.Core.Schedule;
using Trial.Db.Participants;

namespace Trial.Api.Visits;

public sealed record RecordVisitRequest(DateOnly? ActualDate, string? Reason);

public sealed record VisitResponse(
    string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd, bool Provisional,
    string Status, DateOnly? ActualDate, bool? InWindow, int? Version)
{
    public static VisitResponse From(ScheduledVisit v, VisitRecordRow? record) =>
        new(v.VisitCode, v.Name, v.TargetDate, v.WindowStart, v.WindowEnd, v.Provisional, v.Status, v.ActualDate, v.InWindow, record?.RowVersion);
}

/// <summary>
/// The routes of a participant's visits: the plan (<see cref="ReadVisitPlan"/>) and the recording of a visit's date
/// (<see cref="RecordVisit"/>); its infusion (<see cref="InfusionEndpoints"/>) and vital signs
/// (<see cref="VitalSignsEndpoints"/>) hang under the same group.
/// </summary>
public static class VisitEndpoints
{
    public static IEndpointRouteBuilder MapVisits(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants/{code}/visits").WithTags("Visits");
        group.MapGet("", GetScheduleAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetVisitSchedule")
            .WithSummary("The participant's visit plan: every protocol visit with its target date, window, status and whether it was in window.")
            .Produces<IReadOnlyList<VisitResponse>>().ProducesProblem(404).ProducesProblem(403);
        group.MapGet("/{visitCode}", GetVisitAsync).Versioned().RequireAuthorization(Policies.ClinicalReader).WithName("GetVisit")
            .WithSummary("One visit of the plan; when it has been recorded, its ETag is the version a correction of its date must name in If-Match.")
            .Produces<VisitResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPut("/{visitCode}", RecordVisitAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("RecordVisit")
            .WithSummary("Record that a visit happened on a date. Correcting the date of a recorded visit needs a reason and If-Match with its ETag. Later visits' targets follow. A visit outside its window is kept and flagged.")
            .Produces<VisitResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapInfusions();
        group.MapVitalSigns();
        return app;
    }

    private static async Task<IResult> GetScheduleAsync(string code, ReadVisitPlan plans, TimeProvider clock, HttpContext http)
    {
        var plan = await plans.AllAsync(http.User.Actor(), code, clock.GetUtcNow().UtcDateTime);
        return plan.IsRefused ? plan.Refusal!.ToResult() : Results.Ok(plan.Value!.Select(v => VisitResponse.From(v.Visit, v.Record)));
    }

    private static async Task<IResult> GetVisitAsync(string code, string visitCode, ReadVisitPlan plans, TimeProvider clock, HttpContext http)
    {
        var visit = await plans.VisitAsync(http.User.Actor(), code, visitCode, clock.GetUtcNow().UtcDateTime);
        if (visit.IsRefused) return visit.Refusal!.ToResult();
        var (planned, record) = (visit.Value!.Visit, visit.Value.Record);
        var response = Results.Ok(VisitResponse.From(planned, record));
        return record is null ? response : response.WithETag(record.RowVersion);
    }

    private static async Task<IResult> RecordVisitAsync(string code, string visitCode, RecordVisitRequest body, RecordVisit visits, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedVisit = await visits.CheckAsync(http.Actor(), new RecordVisitInput(code, visitCode, body.ActualDate, body.Reason), Versions.IfMatch(http), now);
        if (checkedVisit.IsRefused) return checkedVisit.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => visits.WriteAsync(w, checkedVisit.Value!),
            visit => Results.Ok(VisitResponse.From(visit.Visit, visit.Record)).WithETag(visit.Record!.RowVersion));
    }
}
