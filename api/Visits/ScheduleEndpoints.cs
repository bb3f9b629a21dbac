using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;

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
            .WithSummary("Record that infusions stopped early (with a reason): remaining infusions leave the plan and follow-up is anchored on the last infusion given. Correcting a recorded discontinuation needs If-Match with the participant's ETag.")
            .Produces<ParticipantResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        app.MapGet("/api/v1/visits/due", DueAsync).WithTags("Visits")
            .RequireAuthorization(Policies.ClinicalReader).WithName("VisitsDue")
            .WithSummary("Worklist: every planned visit at your sites that is overdue (past target, window open), in window now, or whose window opens within `days` days (default 7), most urgent first. Provisional visits (whose anchor has not happened yet, so whose dates will move) are not listed.")
            .Produces<IReadOnlyList<DueVisitResponse>>().ProducesValidationProblem(422).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> DiscontinueAsync(string code, DiscontinueInfusionsRequest body, Database db, WritePath writes, ProtocolDefinition protocol,
        TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error.ToResult();
        // Recording a discontinuation for the first time is new data; changing one already recorded is a correction.
        var correcting = participant!.InfusionsDiscontinuedDate is not null;
        if ((correcting || http.Request.Headers.IfMatch.Count > 0) && Versions.CheckIfMatch(http, participant.RowVersion, "participant") is { } precondition)
            return precondition;
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DataEntry.Today(participant, now);
        var errors = new FieldErrors();
        var date = errors.Required(body.Date, "date", "The date infusions were stopped");
        var reason = DataEntry.CheckReason(errors, body.Reason, required: true, "A reason");
        if (date > today) errors.Add("date", $"The date {date:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {participant.SiteCode}).");
        if (date < participant.EnrolledDate) errors.Add("date", $"The date {date:yyyy-MM-dd} is before enrolment ({participant.EnrolledDate:yyyy-MM-dd}).");
        if (errors.Any) return errors.ToResult();

        var infusionCodes = protocol.InfusionVisits.Select(v => v.Code).ToHashSet();
        return await writes.RunAsync(http, now, async w =>
        {
            var records = await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
            var later = records.Where(r => infusionCodes.Contains(r.VisitCode) && r.ActualDate > date).OrderBy(r => r.ActualDate).FirstOrDefault();
            if (later is not null)
                return Problems.Validation("date", $"{later.VisitCode} was given on {later.ActualDate:yyyy-MM-dd}, after {date:yyyy-MM-dd}; infusions cannot have stopped before an infusion that was given.");
            if (await ParticipantQueries.DiscontinueInfusionsAsync(w.Session, participant.Id, date!.Value, reason!, participant.RowVersion, now, w.Actor.UserId) == 0)
                return Versions.Stale(participant.RowVersion + 1, "participant");
            var updated = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.Participant, code, correcting ? AuditActions.Update : AuditActions.StateChange,
                ParticipantResponse.From(participant), ParticipantResponse.From(updated), participant.SiteCode, code, reason, keys: ["code"], flag: DataEntry.Flag(participant)));
            await w.ScheduleDataChangedAsync(participant.Id);
            await w.SafetyDataChangedAsync(participant.Id);
            return Results.Ok(ParticipantResponse.From(updated)).WithETag(updated.RowVersion);
        });
    }

    private static async Task<IResult> DueAsync(string? site, int? days, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var actor = http.User.Actor();
        var horizon = days ?? 7;
        if (horizon is < 0 or > MaxWorklistDays) return Problems.Validation("days", $"days must be between 0 and {MaxWorklistDays}; got {horizon}.");
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        // Each site's own date decides what is due there; the query covers the widest day any site can be on.
        var utcToday = DateOnly.FromDateTime(now);
        var rows = await db.ReadAsync(c => ScheduleQueries.OpenWindowsAsync(c, sites, utcToday.AddDays(-1), utcToday.AddDays(horizon + 1)));
        var due = rows
            .GroupBy(r => (r.ParticipantCode, r.SiteCode, r.SiteTimeZone))
            .SelectMany(g => Worklist.Select(g.Select(r => ToScheduled(r, protocol)).ToList(), SiteCalendar.Today(now, TimeZoneInfo.FindSystemTimeZoneById(g.Key.SiteTimeZone)), horizon)
                .Select(d => new DueVisitResponse(g.Key.ParticipantCode, g.Key.SiteCode, d.Visit.VisitCode, d.Visit.Name, d.Visit.TargetDate,
                    d.Visit.WindowStart, d.Visit.WindowEnd, d.DaysLeft, d.Urgency)))
            .OrderBy(d => d.DaysLeft).ThenBy(d => d.TargetDate).ThenBy(d => d.ParticipantCode, StringComparer.Ordinal).ThenBy(d => d.VisitCode, StringComparer.Ordinal)
            .ToList();
        return Results.Ok(due);
    }

    private static ScheduledVisit ToScheduled(ScheduledVisitRow r, ProtocolDefinition protocol) =>
        new(r.VisitCode, protocol.FindVisit(r.VisitCode)?.Name ?? r.VisitCode, protocol.FindVisit(r.VisitCode)?.Kind ?? "", r.TargetDate, r.WindowStart, r.WindowEnd, r.Provisional, r.Status, r.ActualDate, r.InWindow);
}
