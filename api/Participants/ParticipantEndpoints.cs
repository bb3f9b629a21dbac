using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Api.Participants;

public sealed record EligibilityDto(
    int? FailedAntidepressantTrials, bool? PsychotherapyWithoutResponse, bool? BpdDiagnosis,
    bool? PsychoticPersonalityOrganisation, bool? HighSuicideRisk);

public sealed record EnrolParticipantRequest(string? SiteCode, string? Sex, int? BirthYear, decimal? WeightKg, EligibilityDto? Eligibility, DateOnly? EnrolledDate);

public sealed record WithdrawParticipantRequest(DateOnly? Date, string? Reason);

public sealed record ParticipantResponse(
    string Code, string SiteCode, string Status, string Sex, int BirthYear, decimal WeightKg,
    EligibilityDto Eligibility, DateOnly EnrolledDate, DateTime EnrolledUtc, string ProtocolVersion,
    DateOnly? InfusionsDiscontinuedDate, string? DiscontinuationReason, DateOnly? WithdrawnDate, string? WithdrawalReason, int Version)
{
    public static ParticipantResponse From(ParticipantRow p) => new(
        p.Code, p.SiteCode, p.Status, p.Sex, p.BirthYear, p.WeightKg,
        new EligibilityDto(p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse, p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk),
        p.EnrolledDate, p.EnrolledUtc, p.ProtocolVersion, p.InfusionsDiscontinuedDate, p.DiscontinuationReason, p.WithdrawnDate, p.WithdrawalReason,
        p.RowVersion);
}

public static class ParticipantEndpoints
{
    public static readonly IReadOnlyList<string> Sexes = ["F", "M", "X"];

    public static IEndpointRouteBuilder MapParticipants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants").WithTags("Participants");
        group.MapPost("", EnrolAsync).RequireAuthorization(Policies.Investigator).WithName("EnrolParticipant")
            .WithSummary("Enrol a participant at one of your sites; the server assigns the code (e.g. WAW-0001). Refused with 422 naming the criterion when not eligible. Send an Idempotency-Key header to make retries safe.")
            .Produces<ParticipantResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListParticipants")
            .WithSummary("List participants of your sites, optionally of one site.")
            .Produces<IReadOnlyList<ParticipantResponse>>().ProducesProblem(403);
        group.MapGet("/{code}", GetAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetParticipant")
            .WithSummary("One participant by code; its ETag is the version a change of discontinuation must name in If-Match.")
            .Produces<ParticipantResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPost("/{code}/withdrawal", WithdrawAsync).RequireAuthorization(Policies.Investigator).WithName("WithdrawParticipant")
            .WithSummary("Withdraw a participant from the study (date and reason). Later data entry for them needs a reason and is flagged in the audit trail; visits after the withdrawal date are no longer planned or reported missed.")
            .Produces<ParticipantResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> EnrolAsync(EnrolParticipantRequest body, WritePath writes, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var actor = http.Actor();
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var siteCode = errors.Required(body.SiteCode?.Trim(), "siteCode", "Site code");
        var sex = errors.Required(body.Sex?.Trim(), "sex", "Sex");
        if (sex is not null && !Sexes.Contains(sex)) errors.Add("sex", $"Sex must be one of {string.Join(", ", Sexes)}; got '{sex}'.");
        var birthYear = errors.Required(body.BirthYear, "birthYear", "Birth year");
        var thisYear = now.Year;
        if (birthYear is not null && (birthYear < 1900 || birthYear > thisYear))
            errors.Add("birthYear", $"Birth year must be between 1900 and {thisYear}; got {birthYear}.");
        var weight = errors.Required(body.WeightKg, "weightKg", "Weight (kg)");
        if (weight is not null && (weight < protocol.Infusion.MinWeightKg || weight > protocol.Infusion.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {protocol.Infusion.MinWeightKg} and {protocol.Infusion.MaxWeightKg} kg; got {weight}.");
        var e = errors.Required(body.Eligibility, "eligibility", "Eligibility");
        if (e is not null)
        {
            errors.Required(e.FailedAntidepressantTrials, "eligibility.failedAntidepressantTrials", "The number of failed antidepressant trials");
            if (e.FailedAntidepressantTrials is < 0 or > 50) errors.Add("eligibility.failedAntidepressantTrials", "The number of failed antidepressant trials must be between 0 and 50.");
            errors.Required(e.PsychotherapyWithoutResponse, "eligibility.psychotherapyWithoutResponse");
            errors.Required(e.BpdDiagnosis, "eligibility.bpdDiagnosis");
            errors.Required(e.PsychoticPersonalityOrganisation, "eligibility.psychoticPersonalityOrganisation");
            errors.Required(e.HighSuicideRisk, "eligibility.highSuicideRisk");
        }
        if (errors.Any) return errors.ToResult();

        if (!actor.CanAccessSite(siteCode!))
            return Problems.Forbidden($"Site {siteCode} is not one of your sites.");

        var answers = new EligibilityAnswers(e!.FailedAntidepressantTrials!.Value, e.PsychotherapyWithoutResponse!.Value, e.BpdDiagnosis!.Value,
            e.PsychoticPersonalityOrganisation!.Value, e.HighSuicideRisk!.Value);
        var failures = Eligibility.Failures(protocol.Eligibility, answers);
        if (failures.Count > 0)
        {
            return Problems.Validation(
                failures.ToDictionary(f => "eligibility." + f.Criterion, f => new[] { f.Message }),
                "The participant does not meet the eligibility criteria: " + string.Join(" ", failures.Select(f => f.Message)));
        }

        return await writes.RunAsync(http, now, async w =>
        {
            var site = await AccessQueries.FindSiteAsync(w.Session, siteCode!);
            if (site is null) return Problems.Validation("siteCode", $"Unknown site '{siteCode}'.");
            // The site's own calendar decides what "today" is: at 00:30 in Warsaw it is already tomorrow there.
            var today = SiteCalendar.Today(now, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone));
            var enrolledDate = body.EnrolledDate ?? today;
            if (enrolledDate > today)
                return Problems.Validation("enrolledDate", $"Enrolment date {enrolledDate:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {site.Code}).");
            var number = await ParticipantQueries.TakeNextNumberAsync(w.Session, site.Code);
            var participant = new ParticipantRow
            {
                Id = SequentialGuid.New(now),
                Code = $"{site.Code}-{number:0000}",
                SiteCode = site.Code,
                SiteTimeZone = site.TimeZone,
                Number = number!.Value,
                Sex = sex!,
                BirthYear = birthYear!.Value,
                WeightKg = weight!.Value,
                FailedAntidepressantTrials = answers.FailedAntidepressantTrials,
                PsychotherapyWithoutResponse = answers.PsychotherapyWithoutResponse,
                BpdDiagnosis = answers.BpdDiagnosis,
                PsychoticPersonalityOrganisation = answers.PsychoticPersonalityOrganisation,
                HighSuicideRisk = answers.HighSuicideRisk,
                Status = ParticipantStatuses.Enrolled,
                EnrolledDate = enrolledDate,
                EnrolledUtc = now,
                ProtocolVersion = protocol.Version,
                CreatedBy = w.Actor.UserId,
            };
            await ParticipantQueries.InsertAsync(w.Session, participant);
            var response = ParticipantResponse.From(participant);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Participant, participant.Code, response, participant.SiteCode, participant.Code));
            await w.ScheduleDataChangedAsync(participant.Id);
            // A new participant starts unevaluated (its row's safety markers differ), and the enrolment date is what the rules'
            // missed visits hang on: evaluate now, rather than leave it waiting for the next run of the sweep.
            await w.SafetyDataChangedAsync(participant.Id);
            return Results.Created($"/api/v1/participants/{participant.Code}", response).WithETag(participant.RowVersion);
        });
    }

    private static async Task<IResult> WithdrawAsync(string code, WithdrawParticipantRequest body, WritePath writes, Database db, TimeProvider clock, HttpContext http)
    {
        var actor = http.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DataEntry.Today(participant!, now);
        var errors = new FieldErrors();
        var date = errors.Required(body.Date, "date", "The date of withdrawal");
        var reason = DataEntry.CheckReason(errors, body.Reason, required: true, "A reason for the withdrawal");
        if (date > today) errors.Add("date", $"The date {date:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} at site {participant!.SiteCode}).");
        if (date < participant!.EnrolledDate) errors.Add("date", $"The date {date:yyyy-MM-dd} is before enrolment ({participant.EnrolledDate:yyyy-MM-dd}).");
        if (errors.Any) return errors.ToResult();

        return await writes.RunAsync(http, now, async w =>
        {
            if (await ParticipantQueries.WithdrawAsync(w.Session, participant.Id, date!.Value, reason!, now, w.Actor.UserId) == 0)
                return Problems.Conflict($"{code} was already withdrawn on {participant.WithdrawnDate:yyyy-MM-dd}.");
            var updated = (await ParticipantQueries.FindByIdAsync(w.Session, participant.Id))!;
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.Participant, code, AuditActions.StateChange,
                ParticipantResponse.From(participant), ParticipantResponse.From(updated), participant.SiteCode, code, reason, keys: ["code"]));
            await w.ScheduleDataChangedAsync(participant.Id);
            await w.SafetyDataChangedAsync(participant.Id);
            return Results.Ok(ParticipantResponse.From(updated)).WithETag(updated.RowVersion);
        });
    }

    private static async Task<IResult> ListAsync(string? site, Database db, HttpContext http)
    {
        var actor = http.User.Actor();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError.ToResult();
        var rows = await db.ReadAsync(c => ParticipantQueries.ListAsync(c, sites));
        return Results.Ok(rows.Select(ParticipantResponse.From));
    }

    private static async Task<IResult> GetAsync(string code, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        return error?.ToResult() ?? Results.Ok(ParticipantResponse.From(participant!)).WithETag(participant!.RowVersion);
    }
}
