using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Db.AdverseEvents;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;
using Trial.Worker.Safety;

namespace Trial.Api.AdverseEvents;

public sealed record AdverseEventRequest(
    string? Term, string? CodedTerm, DateOnly? OnsetDate, DateOnly? EndDate, string? Severity, bool? Serious,
    IReadOnlyList<string>? SeriousCriteria, string? Relatedness, bool? Expected, string? ActionTaken, string? Outcome,
    DateOnly? AwareDate, DateTime? SponsorReportedUtc, string? SpecialInterest, string? Reason);

public sealed record SusarResponse(bool IsSusar, int? ReportingClockDays, DateOnly? DueDate);

public sealed record AdverseEventResponse(
    Guid Id, string ParticipantCode, string SiteCode, string Term, string? CodedTerm, DateOnly OnsetDate, DateOnly? EndDate, bool Ongoing,
    string Severity, bool Serious, IReadOnlyList<string> SeriousCriteria, string Relatedness, bool Expected, string ActionTaken,
    string Outcome, DateOnly AwareDate, DateTime? SponsorReportedUtc, string? SpecialInterest,
    DateTime? SaeReportDueUtc, SusarResponse Susar, int Version, DateTime RecordedUtc, DateTime UpdatedUtc);

public static class AdverseEventEndpoints
{
    public static IEndpointRouteBuilder MapAdverseEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/adverse-events", CreateAsync).WithTags("Adverse events")
            .RequireAuthorization(Policies.Investigator).WithName("RecordAdverseEvent")
            .WithSummary("Record an adverse event (ICH E2A seriousness; any criterion makes it serious). Serious events raise SAE_REPORTED and start the 24-hour sponsor reporting clock; special-interest events raise AESI.")
            .Produces<AdverseEventResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403);
        app.MapPut("/api/v1/adverse-events/{id:guid}", UpdateAsync).WithTags("Adverse events")
            .RequireAuthorization(Policies.Investigator).WithName("UpdateAdverseEvent")
            .WithSummary("Update an adverse event (e.g. its outcome or the date it was reported to the sponsor): the whole event plus a reason. If-Match with the ETag guards against overwriting someone else's change.")
            .Produces<AdverseEventResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        app.MapGet("/api/v1/adverse-events/{id:guid}", GetAsync).WithTags("Adverse events")
            .RequireAuthorization(Policies.ClinicalReader).WithName("GetAdverseEvent")
            .WithSummary("One adverse event with its SUSAR status and reporting due dates.")
            .Produces<AdverseEventResponse>().ProducesProblem(404).ProducesProblem(403);
        app.MapGet("/api/v1/adverse-events", ListAsync).WithTags("Adverse events")
            .RequireAuthorization(Policies.ClinicalReader).WithName("ListAdverseEvents")
            .WithSummary("Adverse events at your sites, optionally of one site or one participant.")
            .Produces<IReadOnlyList<AdverseEventResponse>>().ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> CreateAsync(string code, AdverseEventRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error;
        var now = clock.GetUtcNow().UtcDateTime;
        var (fact, problems) = Validate(body, Guid.Empty, now, requireReason: false);
        if (problems is not null) return problems;

        var row = ToRow(fact!, SequentialGuid.New(now), participant!.Id, body.CodedTerm, version: 1, now, actor.UserId, recordedUtc: now, recordedBy: actor.UserId);
        await db.WriteAsync(actor, now, async w =>
        {
            await AdverseEventQueries.InsertAsync(w.Connection, w.Transaction, row);
            await SafetyQueries.MarkUnevaluatedAsync(w.Connection, w.Transaction, participant.Id);
            return true;
        });
        jobs.Enqueue<SafetyJobs>(j => j.EvaluateAdverseEventAsync(row.Id));
        var stored = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, row.Id));
        http.Response.Headers.ETag = ETag(1);
        return Results.Created($"/api/v1/adverse-events/{row.Id}", ToResponse(stored!, protocol));
    }

    private static async Task<IResult> UpdateAsync(Guid id, AdverseEventRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var current = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (current is null) return Problems.NotFound($"No adverse event with id {id}.");
        var (_, error) = await ParticipantAccess.FindAsync(db, current.ParticipantCode, actor);
        if (error is not null) return error;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != ETag(current.RowVersion)) return Stale(current.RowVersion);

        var now = clock.GetUtcNow().UtcDateTime;
        var (fact, problems) = Validate(body, id, now, requireReason: true);
        if (problems is not null) return problems;
        var row = ToRow(fact!, id, current.ParticipantId, body.CodedTerm, current.RowVersion + 1, now, actor.UserId, current.RecordedUtc, current.RecordedBy);
        var saved = await db.WriteAsync(actor, now, async w =>
        {
            if (await AdverseEventQueries.UpdateAsync(w.Connection, w.Transaction, row) == 0) return false;
            await SafetyQueries.MarkUnevaluatedAsync(w.Connection, w.Transaction, current.ParticipantId);
            return true;
        });
        if (!saved) return Stale(current.RowVersion + 1);
        jobs.Enqueue<SafetyJobs>(j => j.EvaluateAdverseEventAsync(id));
        var stored = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        http.Response.Headers.ETag = ETag(row.RowVersion);
        return Results.Ok(ToResponse(stored!, protocol));
    }

    private static async Task<IResult> GetAsync(Guid id, Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var row = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (row is null) return Problems.NotFound($"No adverse event with id {id}.");
        var (_, error) = await ParticipantAccess.FindAsync(db, row.ParticipantCode, http.User.Actor());
        if (error is not null) return error;
        http.Response.Headers.ETag = ETag(row.RowVersion);
        return Results.Ok(ToResponse(row, protocol));
    }

    private static async Task<IResult> ListAsync(string? site, string? participant, Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var actor = http.User.Actor();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        var rows = await db.ReadAsync(c => AdverseEventQueries.ListAsync(c, sites));
        if (!string.IsNullOrWhiteSpace(participant)) rows = rows.Where(r => r.ParticipantCode == participant).ToList();
        return Results.Ok(rows.Select(r => ToResponse(r, protocol)));
    }

    private static (AdverseEventFact? Fact, IResult? Problem) Validate(AdverseEventRequest body, Guid id, DateTime now, bool requireReason)
    {
        var errors = new FieldErrors();
        var term = errors.Required(body.Term?.Trim(), "term", "The adverse event term");
        if (term is { Length: > 500 }) errors.Add("term", "The term must be at most 500 characters.");
        if (body.CodedTerm is { Length: > 200 }) errors.Add("codedTerm", "The coded term must be at most 200 characters.");
        var onset = errors.Required(body.OnsetDate, "onsetDate", "The onset date");
        var severity = errors.Required(body.Severity?.Trim(), "severity", "Severity (mild, moderate or severe)");
        var serious = errors.Required(body.Serious, "serious", "Whether the event is serious");
        var relatedness = errors.Required(body.Relatedness?.Trim(), "relatedness", "Relatedness to the study drug");
        var expected = errors.Required(body.Expected, "expected", "Whether the event is expected");
        var action = errors.Required(body.ActionTaken?.Trim(), "actionTaken", "The action taken with the study drug");
        var outcome = errors.Required(body.Outcome?.Trim(), "outcome", "The outcome");
        var aware = errors.Required(body.AwareDate, "awareDate", "The date the site became aware");
        if (requireReason)
        {
            var reason = errors.Required(body.Reason?.Trim(), "reason", "A reason for the change");
            if (reason is { Length: > 2000 }) errors.Add("reason", "The reason must be at most 2000 characters.");
        }
        var sponsorReported = errors.Instant(body.SponsorReportedUtc, "sponsorReportedUtc", "The time of the sponsor report (sponsorReportedUtc)", required: false);
        if (errors.Any) return (null, errors.ToResult());

        var criteria = (body.SeriousCriteria ?? []).Select(c => c?.Trim() ?? "").Distinct()
            .OrderBy(c => AdverseEventRules.SeriousCriteria.ToList().IndexOf(c) is var i && i < 0 ? int.MaxValue : i).ToList();
        var fact = new AdverseEventFact(id, term!, onset!.Value, body.EndDate, severity!, serious!.Value, criteria, relatedness!, expected!.Value,
            action!, outcome!, aware!.Value, AwareUtc: null, sponsorReported, string.IsNullOrWhiteSpace(body.SpecialInterest) ? null : body.SpecialInterest.Trim());
        // Sites have no time zone stored yet: their dates are read as UTC dates until they do.
        foreach (var problem in AdverseEventRules.Validate(fact, now, TimeZoneInfo.Utc))
            errors.Add(problem.Field, problem.Message);
        if (sponsorReported > now) errors.Add("sponsorReportedUtc", "The time of the sponsor report is in the future.");
        return errors.Any ? (null, errors.ToResult()) : (fact, null);
    }

    private static AdverseEventRow ToRow(AdverseEventFact f, Guid id, Guid participantId, string? codedTerm, int version, DateTime now, Guid by, DateTime recordedUtc, Guid recordedBy) => new()
    {
        Id = id, ParticipantId = participantId, Term = f.Term, CodedTerm = string.IsNullOrWhiteSpace(codedTerm) ? null : codedTerm.Trim(),
        OnsetDate = f.OnsetDate, EndDate = f.EndDate, Severity = f.Severity, Serious = f.Serious, SeriousCriteria = string.Join(',', f.SeriousCriteria),
        Relatedness = f.Relatedness, Expected = f.Expected, ActionTaken = f.ActionTaken, Outcome = f.Outcome, AwareDate = f.AwareDate,
        SponsorReportedUtc = f.SponsorReportedUtc, SpecialInterest = f.SpecialInterest, RowVersion = version,
        RecordedUtc = recordedUtc, RecordedBy = recordedBy, UpdatedUtc = now, UpdatedBy = by,
    };

    private static AdverseEventResponse ToResponse(AdverseEventRow r, ProtocolDefinition protocol)
    {
        var fact = SafetyJobs.ToFact(r);
        var susar = AdverseEventRules.Susar(fact);
        var clockHours = protocol.FindRule(SafetyEngine.SaeClock)?.Parameter("reportWithinHours");
        // The same deadline the SAE_CLOCK rule applies; sites have no time zone stored yet, so their dates are UTC dates.
        DateTime? due = r.Serious && clockHours is { } hours
            ? SaeDeadline.Compute(fact.AwareDate, fact.AwareUtc, TimeZoneInfo.Utc, hours).DeadlineUtc
            : null;
        return new AdverseEventResponse(r.Id, r.ParticipantCode, r.SiteCode, r.Term, r.CodedTerm, r.OnsetDate, r.EndDate, r.EndDate is null,
            r.Severity, r.Serious, r.SeriousCriteriaList, r.Relatedness, r.Expected, r.ActionTaken, r.Outcome, r.AwareDate, r.SponsorReportedUtc,
            r.SpecialInterest, due, new SusarResponse(susar.IsSusar, susar.ReportingClockDays, susar.DueDate), r.RowVersion, r.RecordedUtc, r.UpdatedUtc);
    }

    private static string ETag(int version) => $"\"{version}\"";

    private static IResult Stale(int currentVersion) =>
        Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The adverse event has changed.",
            detail: $"The adverse event was changed since you read it (current ETag \"{currentVersion}\"); read it again and re-apply your change.");
}
