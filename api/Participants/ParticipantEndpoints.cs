using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Worker.Schedules;

namespace Trial.Api.Participants;

public sealed record EligibilityDto(
    int? FailedAntidepressantTrials, bool? PsychotherapyWithoutResponse, bool? BpdDiagnosis,
    bool? PsychoticPersonalityOrganisation, bool? HighSuicideRisk);

public sealed record EnrolParticipantRequest(string? SiteCode, string? Sex, int? BirthYear, decimal? WeightKg, EligibilityDto? Eligibility, DateOnly? EnrolledDate);

public sealed record ParticipantResponse(
    string Code, string SiteCode, string Status, string Sex, int BirthYear, decimal WeightKg,
    EligibilityDto Eligibility, DateOnly EnrolledDate, DateTime EnrolledUtc, string ProtocolVersion,
    DateOnly? InfusionsDiscontinuedDate, string? DiscontinuationReason)
{
    public static ParticipantResponse From(ParticipantRow p) => new(
        p.Code, p.SiteCode, p.Status, p.Sex, p.BirthYear, p.WeightKg,
        new EligibilityDto(p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse, p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk),
        p.EnrolledDate, p.EnrolledUtc, p.ProtocolVersion, p.InfusionsDiscontinuedDate, p.DiscontinuationReason);
}

public static class ParticipantEndpoints
{
    public static readonly IReadOnlyList<string> Sexes = ["F", "M", "X"];

    public static IEndpointRouteBuilder MapParticipants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants").WithTags("Participants");
        group.MapPost("", EnrolAsync).RequireAuthorization(Policies.Investigator).WithName("EnrolParticipant")
            .WithSummary("Enrol a participant at one of your sites; the server assigns the code (e.g. WAW-0001). Refused with 422 naming the criterion when not eligible.")
            .Produces<ParticipantResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListParticipants")
            .WithSummary("List participants of your sites, optionally of one site.")
            .Produces<IReadOnlyList<ParticipantResponse>>().ProducesProblem(403);
        group.MapGet("/{code}", GetAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetParticipant")
            .WithSummary("One participant by code.")
            .Produces<ParticipantResponse>().ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> EnrolAsync(EnrolParticipantRequest body, Database db, ProtocolDefinition protocol, TimeProvider clock, JobQueue jobs, HttpContext http)
    {
        var actor = http.User.Actor();
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = new FieldErrors();
        var siteCode = errors.Required(body.SiteCode?.Trim(), "siteCode", "Site code");
        var sex = errors.Required(body.Sex?.Trim(), "sex", "Sex");
        if (sex is not null && !Sexes.Contains(sex)) errors.Add("sex", $"Sex must be one of {string.Join(", ", Sexes)}; got '{sex}'.");
        var birthYear = errors.Required(body.BirthYear, "birthYear", "Birth year");
        if (birthYear is not null && (birthYear < 1900 || birthYear > today.Year))
            errors.Add("birthYear", $"Birth year must be between 1900 and {today.Year}; got {birthYear}.");
        var weight = errors.Required(body.WeightKg, "weightKg", "Weight (kg)");
        if (weight is not null && (weight < protocol.Infusion.MinWeightKg || weight > protocol.Infusion.MaxWeightKg))
            errors.Add("weightKg", $"Weight must be between {protocol.Infusion.MinWeightKg} and {protocol.Infusion.MaxWeightKg} kg; got {weight}.");
        var enrolledDate = body.EnrolledDate ?? today;
        if (enrolledDate > today) errors.Add("enrolledDate", $"Enrolment date {enrolledDate:yyyy-MM-dd} is in the future.");
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

        var nowUtc = now.UtcDateTime;
        var row = await db.WriteAsync(actor, nowUtc, async w =>
        {
            var number = await ParticipantQueries.TakeNextNumberAsync(w.Connection, w.Transaction, siteCode!);
            if (number is null) return null;
            var participant = new ParticipantRow
            {
                Id = SequentialGuid.New(now),
                Code = $"{siteCode}-{number:0000}",
                SiteCode = siteCode!,
                Number = number.Value,
                Sex = sex!,
                BirthYear = birthYear!.Value,
                WeightKg = weight!.Value,
                FailedAntidepressantTrials = answers.FailedAntidepressantTrials,
                PsychotherapyWithoutResponse = answers.PsychotherapyWithoutResponse,
                BpdDiagnosis = answers.BpdDiagnosis,
                PsychoticPersonalityOrganisation = answers.PsychoticPersonalityOrganisation,
                HighSuicideRisk = answers.HighSuicideRisk,
                Status = "enrolled",
                EnrolledDate = enrolledDate,
                EnrolledUtc = nowUtc,
                ProtocolVersion = protocol.Version,
                CreatedBy = w.Actor.UserId,
            };
            await ParticipantQueries.InsertAsync(w.Connection, w.Transaction, participant);
            return participant;
        });
        if (row is null) return Problems.Validation("siteCode", $"Unknown site '{siteCode}'.");
        jobs.Enqueue<ScheduleJobs>(j => j.RebuildScheduleAsync(row.Id));
        return Results.Created($"/api/v1/participants/{row.Code}", ParticipantResponse.From(row));
    }

    private static async Task<IResult> ListAsync(string? site, Database db, HttpContext http)
    {
        var actor = http.User.Actor();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        var rows = await db.ReadAsync(c => ParticipantQueries.ListAsync(c, sites));
        return Results.Ok(rows.Select(ParticipantResponse.From));
    }

    private static async Task<IResult> GetAsync(string code, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        return error ?? Results.Ok(ParticipantResponse.From(participant!));
    }
}
