using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;
using Trial.Worker.Schedules;

namespace Trial.Api.Visits;

public sealed record DiscontinueInfusionsRequest(DateOnly? Date, string? Reason);

public sealed record DueVisitResponse(
    string ParticipantCode, string SiteCode, string VisitCode, string Name, DateOnly TargetDate, DateOnly WindowStart, DateOnly WindowEnd,
    int DaysLeft, string Urgency);

/// <summary>What happens next: early discontinuation of infusions and the worklist of visits due.</summary>
public static class ScheduleEndpoints
{
    public const int MaxWorklistDays = 366;

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/discontinuation", DiscontinueAsync).WithTags("Visits")
            .RequireAuthorization(Policies.Investigator).WithName("DiscontinueInfusions")
            .WithSummary("Record that infusions stopped early (with a reason): remaining infusions leave the plan and follow-up is anchored on the last infusion given.")
            .Produces<ParticipantResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(409);
        app.MapGet("/api/v1/visits/due", DueAsync).WithTags("Visits")
            .RequireAuthorization(Policies.ClinicalReader).WithName("VisitsDue")
            .WithSummary("Worklist: every planned visit at your sites that is overdue (past target, window open), in window now, or whose window opens within `days` days (default 7), most urgent first. Provisional visits (whose anchor has not happened yet, so whose dates will move) are not listed.")
            .Produces<IReadOnlyList<DueVisitResponse>>().ProducesValidationProblem(422).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> DiscontinueAsync(string code, DiscontinueInfusionsRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error;
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var errors = new FieldErrors();
        var date = errors.Required(body.Date, "date", "The date infusions were stopped");
        var reason = errors.Required(body.Reason?.Trim(), "reason", "A reason");
        if (reason is { Length: > 2000 }) errors.Add("reason", "The reason must be at most 2000 characters.");
        if (date > today) errors.Add("date", $"The date {date:yyyy-MM-dd} is in the future.");
        if (date < participant!.EnrolledDate) errors.Add("date", $"The date {date:yyyy-MM-dd} is before enrolment ({participant.EnrolledDate:yyyy-MM-dd}).");
        if (errors.Any) return errors.ToResult();

        var infusionCodes = protocol.InfusionVisits.Select(v => v.Code).ToHashSet();
        string? problem = null;
        var updated = await db.WriteAsync(actor, now, async w =>
        {
            var records = await ParticipantQueries.VisitRecordsAsync(w.Connection, participant.Id, w.Transaction);
            var later = records.Where(r => infusionCodes.Contains(r.VisitCode) && r.ActualDate > date).OrderBy(r => r.ActualDate).FirstOrDefault();
            if (later is not null)
            {
                problem = $"{later.VisitCode} was given on {later.ActualDate:yyyy-MM-dd}, after {date:yyyy-MM-dd}; infusions cannot have stopped before an infusion that was given.";
                return null;
            }
            if (await ParticipantQueries.DiscontinueInfusionsAsync(w.Connection, w.Transaction, participant.Id, date!.Value, reason!) == 0) return null;
            await ScheduleQueries.MarkScheduleStaleAsync(w.Connection, w.Transaction, participant.Id);
            return await ParticipantQueries.FindByIdAsync(w.Connection, participant.Id, w.Transaction);
        });
        if (problem is not null) return Problems.Validation("date", problem);
        if (updated is null)
            return Problems.Conflict($"Infusions of {code} were already discontinued on {participant.InfusionsDiscontinuedDate:yyyy-MM-dd}.");
        jobs.Enqueue<ScheduleJobs>(j => j.RebuildScheduleAsync(participant.Id));
        return Results.Ok(ParticipantResponse.From(updated));
    }

    private static async Task<IResult> DueAsync(string? site, int? days, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var actor = http.User.Actor();
        var horizon = days ?? 7;
        if (horizon is < 0 or > MaxWorklistDays) return Problems.Validation("days", $"days must be between 0 and {MaxWorklistDays}; got {horizon}.");
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var rows = await db.ReadAsync(c => ScheduleQueries.OpenWindowsAsync(c, sites, today, today.AddDays(horizon)));
        var due = rows
            .GroupBy(r => (r.ParticipantCode, r.SiteCode))
            .SelectMany(g => Worklist.Select(g.Select(r => ToScheduled(r, protocol)).ToList(), today, horizon)
                .Select(d => new DueVisitResponse(g.Key.ParticipantCode, g.Key.SiteCode, d.Visit.VisitCode, d.Visit.Name, d.Visit.TargetDate,
                    d.Visit.WindowStart, d.Visit.WindowEnd, d.DaysLeft, d.Urgency)))
            .OrderBy(d => d.DaysLeft).ThenBy(d => d.TargetDate).ThenBy(d => d.ParticipantCode, StringComparer.Ordinal).ThenBy(d => d.VisitCode, StringComparer.Ordinal)
            .ToList();
        return Results.Ok(due);
    }

    private static ScheduledVisit ToScheduled(ScheduledVisitRow r, ProtocolDefinition protocol) =>
        new(r.VisitCode, protocol.FindVisit(r.VisitCode)?.Name ?? r.VisitCode, protocol.FindVisit(r.VisitCode)?.Kind ?? "", r.TargetDate, r.WindowStart, r.WindowEnd, r.Provisional, r.Status, r.ActualDate, r.InWindow);
}
