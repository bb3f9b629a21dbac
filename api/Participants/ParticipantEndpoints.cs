using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Db.Participants;

namespace Trial.Api.Participants;

public sealed record EligibilityDto(
    int? FailedAntidepressantTrials, bool? PsychotherapyWithoutResponse, bool? BpdDiagnosis,
    bool? PsychoticPersonalityOrganisation, bool? HighSuicideRisk);

public sealed record EnrolParticipantRequest(
    string? SiteCode, string? Sex, int? BirthYear, decimal? WeightKg, EligibilityDto? Eligibility, DateOnly? EnrolledDate, string? ScreeningNumber = null);

public sealed record WithdrawParticipantRequest(DateOnly? Date, string? ReasonCode, string? Reason);

/// <summary>
/// A participant. The coded reasons (CDISC NCOMPLT terms) are for everyone who reads the participant; the reasons in the
/// site's words (<c>discontinuationReason</c>, <c>withdrawalReason</c>) may identify a person and are given to admins only
/// (null for anyone else), as the extracts give free text only when an admin asks for it.
/// </summary>
public sealed record ParticipantResponse(
    string Code, string SiteCode, string Status, string Sex, int BirthYear, decimal WeightKg,
    EligibilityDto Eligibility, DateOnly EnrolledDate, DateTime EnrolledUtc, string ProtocolVersion,
    DateOnly? InfusionsDiscontinuedDate, string? DiscontinuationReasonCode, string? DiscontinuationReason, DateOnly? WithdrawnDate,
    string? WithdrawalReasonCode, string? WithdrawalReason, int Version,
    string? ScreeningNumber)
{
    public static ParticipantResponse From(ParticipantRow p, Actor reader) => new(
        p.Code, p.SiteCode, p.Status, p.Sex, p.BirthYear, p.WeightKg,
        new EligibilityDto(p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse, p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk),
        p.EnrolledDate, p.EnrolledUtc, p.ProtocolVersion, p.InfusionsDiscontinuedDate, p.DiscontinuationReasonCode,
        reader.IsAdmin ? p.DiscontinuationReason : null, p.WithdrawnDate, p.WithdrawalReasonCode, reader.IsAdmin ? p.WithdrawalReason : null,
        p.RowVersion, p.ScreeningNumber);
}

public static class ParticipantEndpoints
{
    public static IEndpointRouteBuilder MapParticipants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants").WithTags("Participants");
        group.MapPost("", EnrolAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("EnrolParticipant")
            .WithSummary("Enrol a participant at one of your sites; the server assigns the code (e.g. WAW-0001). Name an eligible screening of the site not used yet (screeningNumber, from POST /api/v1/screenings; its answers are the participant's, so leave eligibility out): 422 naming screeningNumber when it is unknown, of another site or a screen failure, 409 when already used. Without screeningNumber, give the eligibility answers: the enrolment records its eligible screening with them (every participant has one); refused with 422 naming the criterion when not eligible, and then nothing is stored (record a screen failure with POST /api/v1/screenings). Send an Idempotency-Key header to make retries safe.")
            .Produces<ParticipantResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListParticipants")
            .WithSummary("List participants of your sites, optionally of one site, by site and number, a page at a time; the next page is in the Link header.")
            .Produces<IReadOnlyList<ParticipantResponse>>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
        group.MapGet("/{code}", GetAsync).Versioned().RequireAuthorization(Policies.ClinicalReader).WithName("GetParticipant")
            .WithSummary("One participant by code; its ETag is the version a change of discontinuation must name in If-Match.")
            .Produces<ParticipantResponse>().ProducesProblem(404).ProducesProblem(403);
        group.MapPost("/{code}/withdrawal", WithdrawAsync).Versioned().RequireAuthorization(Policies.Investigator).WithName("WithdrawParticipant")
            .WithSummary("Withdraw a participant from the study (date, reasonCode: a CDISC NCOMPLT term, and reason in words; a participant lost to follow-up is withdrawn with reasonCode LOST TO FOLLOW-UP). Refused with 409 when already withdrawn or completed. Later data entry for them needs a reason and is flagged in the audit trail; visits after the withdrawal date are no longer planned or reported missed.")
            .Produces<ParticipantResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> EnrolAsync(EnrolParticipantRequest body, EnrolParticipant enrolments, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var e = body.Eligibility;
        var input = new EnrolmentInput(body.SiteCode, body.Sex, body.BirthYear, body.WeightKg,
            e is null ? null : new EligibilityInput(e.FailedAntidepressantTrials, e.PsychotherapyWithoutResponse, e.BpdDiagnosis, e.PsychoticPersonalityOrganisation, e.HighSuicideRisk),
            body.EnrolledDate, body.ScreeningNumber);
        var checkedEnrolment = enrolments.Check(http.Actor(), input, now);
        if (checkedEnrolment.IsRefused) return checkedEnrolment.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => enrolments.WriteAsync(w, checkedEnrolment.Value!),
            participant => Results.Created($"/api/v1/participants/{participant.Code}", ParticipantResponse.From(participant, http.Actor())).WithETag(participant.RowVersion));
    }

    private static async Task<IResult> WithdrawAsync(string code, WithdrawParticipantRequest body, WithdrawParticipant withdrawals, IdempotentWrites writes, TimeProvider clock,
        HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedWithdrawal = await withdrawals.CheckAsync(http.Actor(), new WithdrawalInput(code, body.Date, body.ReasonCode, body.Reason), now);
        if (checkedWithdrawal.IsRefused) return checkedWithdrawal.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => withdrawals.WriteAsync(w, checkedWithdrawal.Value!),
            updated => Results.Ok(ParticipantResponse.From(updated, http.Actor())).WithETag(updated.RowVersion));
    }

    private static async Task<IResult> ListAsync(string? site, int? limit, string? cursor, ReadParticipants participants, HttpContext http)
    {
        var reader = http.User.Actor();
        var page = await participants.ListAsync(reader, site, limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, p => ParticipantResponse.From(p, reader));
    }

    private static async Task<IResult> GetAsync(string code, ReadParticipants participants, HttpContext http)
    {
        var reader = http.User.Actor();
        var participant = await participants.FindAsync(reader, code);
        return participant.IsRefused
            ? participant.Refusal!.ToResult()
            : Results.Ok(ParticipantResponse.From(participant.Value!, reader)).WithETag(participant.Value!.RowVersion);
    }
}
