using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Application.Participants;
using Trial.Application.Schedules;

namespace Trial.Api.Visits;

public sealed record DiscontinueInfusionsRequest(DateOnly? Date, string? ReasonCode, string? Reason);

public sealed record DueVisitResponse(
    string ParticipantCode, string SiteCode, string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd,
    int DaysLeft, string Urgency);

/// <summary>What happens next: early discontinuation of infusions and the worklist of visits due.</summary>
public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/discontinuation", DiscontinueAsync).Versioned().WithTags("Visits")
            .RequireAuthorization(Policies.Investigator).WithName("DiscontinueInfusions")
            .WithSummary("Record that infusions stopped early (reasonCode: a CDISC NCOMPLT term, and reason in words): remaining infusions leave the plan and follow-up is anchored on the last infusion given. Correcting a recorded discontinuation needs If-Match with the participant's ETag.")
            .Produces<ParticipantResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        app.MapGet("/api/v1/visits/due", DueAsync).WithTags("Visits")
            .RequireAuthorization(Policies.ClinicalReader).WithName("VisitsDue")
            .WithSummary("Worklist: every planned visit at your sites that is overdue (past target, window open), in window now, or whose window opens within `days` days (default 7), most urgent first (fewest days left, then target date, then by participant), a page at a time; the next page is in the Link header. Provisional visits (whose anchor has not happened yet, so whose dates will move) are not listed.")
            .Produces<IReadOnlyList<DueVisitResponse>>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
        return app;
    }

    private static async Task<IResult> DiscontinueAsync(string code, DiscontinueInfusionsRequest body, DiscontinueInfusions discontinuations, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedDiscontinuation = await discontinuations.CheckAsync(http.Actor(), new DiscontinuationInput(code, body.Date, body.ReasonCode, body.Reason), Versions.IfMatch(http), now);
        if (checkedDiscontinuation.IsRefused) return checkedDiscontinuation.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => discontinuations.WriteAsync(w, checkedDiscontinuation.Value!),
            updated => Results.Ok(ParticipantResponse.From(updated, http.Actor())).WithETag(updated.RowVersion));
    }

    private static async Task<IResult> DueAsync(string? site, int? days, int? limit, string? cursor, ListVisitsDue worklist, TimeProvider clock, HttpContext http)
    {
        var due = await worklist.ListAsync(http.User.Actor(), site, days, clock.GetUtcNow().UtcDateTime, limit, cursor);
        return due.IsRefused
            ? due.Refusal!.ToResult()
            : PageLinks.Ok(http, due.Value!, d => new DueVisitResponse(d.ParticipantCode, d.SiteCode, d.VisitCode, d.Name, d.TargetDate, d.WindowStart, d.WindowEnd,
                d.DaysLeft, d.Urgency));
    }
}
