using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Application.Safety;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Db.AdverseEvents;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Api.AdverseEvents;

public sealed record AdverseEventRequest(
    string? Term, string? CodedTerm, DateOnly? OnsetDate, DateOnly? EndDate, string? Severity, bool? Serious,
    IReadOnlyList<string>? SeriousCriteria, string? Relatedness, bool? Expected, string? ActionTaken, string? Outcome,
    DateOnly? AwareDate, DateTime? SponsorReportedUtc, string? SpecialInterest, string? Reason, DateTime? AwareUtc = null);

public sealed record SusarResponse(bool IsSusar, int? ReportingClockDays, DateOnly? DueDate);

public sealed record AdverseEventResponse(
    Guid Id, string ParticipantCode, string SiteCode, string Term, string? CodedTerm, DateOnly OnsetDate, DateOnly? EndDate, bool Ongoing,
    string Severity, bool Serious, IReadOnlyList<string> SeriousCriteria, string Relatedness, bool Expected, string ActionTaken,
    string Outcome, DateOnly AwareDate, DateTime? AwareUtc, DateTime? SponsorReportedUtc, string? SpecialInterest,
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

    private static async Task<IResult> CreateAsync(string code, AdverseEventRequest body, Database db, WritePath writes, ProtocolDefinition protocol,
        TimeProvider clock, HttpContext http)
    {
        var actor = http.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        var (input, problems) = Validate(body, Guid.Empty, now, participant!, requireReason: false);
        if (problems is not null) return problems;
        if (DataEntry.CheckWithdrawal(participant!, input!.Reason) is { } withdrawn) return withdrawn.ToResult();

        var row = ToRow(input, SequentialGuid.New(now), participant!, version: 1, now, actor.UserId, recordedUtc: now, recordedBy: actor.UserId);
        return await writes.RunAsync(http, now, async w =>
        {
            await AdverseEventQueries.InsertAsync(w.Session, row);
            var response = ToResponse(row, protocol);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.AdverseEvent, row.Id.ToString(), response, participant!.SiteCode, code, input!.Reason, DataEntry.Flag(participant)));
            await w.SafetyDataChangedAsync(participant.Id, SafetyChange.Added);
            return Results.Created($"/api/v1/adverse-events/{row.Id}", response).WithETag(row.RowVersion);
        });
    }

    private static async Task<IResult> UpdateAsync(Guid id, AdverseEventRequest body, Database db, WritePath writes, ProtocolDefinition protocol,
        TimeProvider clock, HttpContext http)
    {
        var actor = http.Actor();
        var current = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (current is null) return Problems.NotFound($"No adverse event with id {id}.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, current.ParticipantCode, actor);
        if (error is not null) return error.ToResult();
        if (Versions.CheckIfMatch(http, current.RowVersion, "adverse event") is { } precondition) return precondition;

        var now = clock.GetUtcNow().UtcDateTime;
        var (input, problems) = Validate(body, id, now, participant!, requireReason: true);
        if (problems is not null) return problems;
        var row = ToRow(input!, id, participant!, current.RowVersion + 1, now, actor.UserId, current.RecordedUtc, current.RecordedBy);
        return await writes.RunAsync(http, now, async w =>
        {
            if (await AdverseEventQueries.UpdateAsync(w.Session, row) == 0) return Versions.Stale(current.RowVersion + 1, "adverse event");
            var response = ToResponse(row, protocol);
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.AdverseEvent, id.ToString(), AuditActions.Update, ToResponse(current, protocol), response,
                participant!.SiteCode, participant!.Code, input!.Reason, flag: DataEntry.Flag(participant)));
            await w.SafetyDataChangedAsync(current.ParticipantId);
            return Results.Ok(response).WithETag(row.RowVersion);
        });
    }

    private static async Task<IResult> GetAsync(Guid id, Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var row = await db.ReadAsync(c => AdverseEventQueries.GetAsync(c, id));
        if (row is null) return Problems.NotFound($"No adverse event with id {id}.");
        var (_, error) = await ParticipantAccess.FindAsync(db, row.ParticipantCode, http.User.Actor());
        if (error is not null) return error.ToResult();
        return Results.Ok(ToResponse(row, protocol)).WithETag(row.RowVersion);
    }

    private static async Task<IResult> ListAsync(string? site, string? participant, Database db, ProtocolDefinition protocol, HttpContext http)
    {
        var actor = http.User.Actor();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError.ToResult();
        var rows = await db.ReadAsync(c => AdverseEventQueries.ListAsync(c, sites));
        if (!string.IsNullOrWhiteSpace(participant)) rows = rows.Where(r => r.ParticipantCode == participant).ToList();
        return Results.Ok(rows.Select(r => ToResponse(r, protocol)));
    }

    private static (AdverseEventInput? Input, IResult? Problem) Validate(AdverseEventRequest body, Guid id, DateTime now, ParticipantRow participant, bool requireReason)
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
        var reason = DataEntry.CheckReason(errors, body.Reason, requireReason);
        var awareUtc = errors.Instant(body.AwareUtc, "awareUtc", "The time the site became aware (awareUtc)", required: false);
        var sponsorReported = errors.Instant(body.SponsorReportedUtc, "sponsorReportedUtc", "The time of the sponsor report (sponsorReportedUtc)", required: false);
        if (errors.Any) return (null, errors.ToResult());

        var criteria = (body.SeriousCriteria ?? []).Select(c => c?.Trim() ?? "").Distinct()
            .OrderBy(c => AdverseEventRules.SeriousCriteria.ToList().IndexOf(c) is var i && i < 0 ? int.MaxValue : i).ToList();
        var fact = new AdverseEventFact(id, term!, onset!.Value, body.EndDate, severity!, serious!.Value, criteria, relatedness!, expected!.Value,
            action!, outcome!, aware!.Value, awareUtc, sponsorReported, string.IsNullOrWhiteSpace(body.SpecialInterest) ? null : body.SpecialInterest.Trim());
        foreach (var problem in AdverseEventRules.Validate(fact, now, participant.TimeZone))
            errors.Add(problem.Field, problem.Message);
        if (sponsorReported > now) errors.Add("sponsorReportedUtc", "The time of the sponsor report is in the future.");
        return errors.Any ? (null, errors.ToResult()) : (new AdverseEventInput(fact, body.CodedTerm, awareUtc, reason), null);
    }

    private sealed record AdverseEventInput(AdverseEventFact Fact, string? CodedTerm, DateTime? AwareUtc, string? Reason);

    private static AdverseEventRow ToRow(AdverseEventInput input, Guid id, ParticipantRow participant, int version, DateTime now, Guid by, DateTime recordedUtc, Guid recordedBy)
    {
        var f = input.Fact;
        return new()
        {
            Id = id, ParticipantId = participant.Id, ParticipantCode = participant.Code, SiteCode = participant.SiteCode, SiteTimeZone = participant.SiteTimeZone, Term = f.Term,
            CodedTerm = string.IsNullOrWhiteSpace(input.CodedTerm) ? null : input.CodedTerm.Trim(), AwareUtc = input.AwareUtc,
            OnsetDate = f.OnsetDate, EndDate = f.EndDate, Severity = f.Severity, Serious = f.Serious, SeriousCriteria = string.Join(',', f.SeriousCriteria),
            Relatedness = f.Relatedness, Expected = f.Expected, ActionTaken = f.ActionTaken, Outcome = f.Outcome, AwareDate = f.AwareDate,
            SponsorReportedUtc = f.SponsorReportedUtc, SpecialInterest = f.SpecialInterest, RowVersion = version,
            RecordedUtc = recordedUtc, RecordedBy = recordedBy, UpdatedUtc = now, UpdatedBy = by,
        };
    }

    private static AdverseEventResponse ToResponse(AdverseEventRow r, ProtocolDefinition protocol)
    {
        var fact = SafetyFacts.ToFact(r);
        var susar = AdverseEventRules.Susar(fact);
        var clockHours = protocol.FindRule(SafetyEngine.SaeClock)?.Parameter("reportWithinHours");
        // The same deadline the SAE_CLOCK rule applies.
        DateTime? due = r.Serious && clockHours is { } hours
            ? SaeDeadline.Compute(fact.AwareDate, fact.AwareUtc, TimeZoneInfo.FindSystemTimeZoneById(r.SiteTimeZone), hours).DeadlineUtc
            : null;
        return new AdverseEventResponse(r.Id, r.ParticipantCode, r.SiteCode, r.Term, r.CodedTerm, r.OnsetDate, r.EndDate, r.EndDate is null,
            r.Severity, r.Serious, r.SeriousCriteriaList, r.Relatedness, r.Expected, r.ActionTaken, r.Outcome, r.AwareDate, r.AwareUtc, r.SponsorReportedUtc,
            r.SpecialInterest, due, new SusarResponse(susar.IsSusar, susar.ReportingClockDays, susar.DueDate), r.RowVersion, r.RecordedUtc, r.UpdatedUtc);
    }
}
