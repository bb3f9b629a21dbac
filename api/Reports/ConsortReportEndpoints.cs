using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Reports;
using Trial.Core.Protocol;
using Trial.Core.Reports;

namespace Trial.Api.Reports;

/// <summary>
/// The CONSORT flow pooled over the arms, for readers who must not see arms (the statistician, the admin): screening and
/// enrolment, then every randomised participant's flow together. It names no arm and no drug, not even the study's identifier
/// (which names one).
/// </summary>
public sealed record ConsortPooledResponse(
    string ProtocolVersion, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites, ConsortScreeningCounts Screening, int Enrolled,
    int EnrolledNotRandomised, ConsortFlow Flow);

/// <summary>As <see cref="ConsortPooledResponse"/>, for the unblinded statistician: the flow of all randomised participants and each arm's.</summary>
public sealed record ConsortByArmResponse(
    string ProtocolId, string ProtocolVersion, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites, ConsortScreeningCounts Screening,
    int Enrolled, int EnrolledNotRandomised, ConsortFlow Flow, IReadOnlyList<ArmConsortFlow> Arms);

/// <summary>
/// The route of the CONSORT 2010 flow (the use case is <see cref="PullConsortReport"/>): by arm for the unblinded statistician,
/// pooled for the statistician and the admin. Every pull is recorded in the audit trail without its contents.
/// </summary>
public static class ConsortReportEndpoints
{
    public static IEndpointRouteBuilder MapConsortReport(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.ExtractReader)
            .MapGet("/consort", ConsortAsync).WithName("ConsortReport")
            .WithSummary("The numbers of the CONSORT 2010 flow diagram (statistician, unblinded statistician, admin; your sites, or one with site), from one " +
                         "snapshot stamped with its cut-off (cutoffUtc): assessed for eligibility (screenings), excluded (screen failures) in total and by " +
                         "failed criterion (a candidate failing two criteria counts under each), eligible but not enrolled, enrolled, randomised, received " +
                         "the first infusion, received every infusion of the plan, infusions discontinued by coded reason, lost to follow-up, withdrawn by " +
                         "coded reason, completed, still in the study, and analysed (intention-to-treat: randomised; safety: at least one infusion). Ends " +
                         "of treatment and of study are derived as disposition.csv derives them. The unblinded statistician gets this response " +
                         "with each arm's flow (arms); the statistician and the admin get it pooled, without protocolId and arms (no key that " +
                         "could hold an arm).")
            // One 200 schema per route: the by-arm shape, of which the pooled one is the same without protocolId and arms.
            .Produces<ConsortByArmResponse>().ProducesValidationProblem(422).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> ConsortAsync(string? site, PullConsortReport reports, ProtocolDefinition protocol, HttpContext http)
    {
        var pulled = await reports.PullAsync(http.Actor(), site, http.RequestAborted);
        if (pulled.IsRefused) return pulled.Refusal!.ToResult();
        var (report, byArm, cutoff, generated, sites) = pulled.Value!;
        // A copy of clinical data, by arm or not: no cache keeps it.
        http.Response.Headers.CacheControl = "no-store";
        // Two shapes rather than one with a null: a blinded reader's JSON has no key that could hold an arm.
        return byArm
            ? Results.Ok(new ConsortByArmResponse(protocol.ProtocolId, protocol.Version, cutoff, generated, sites, report.Screening, report.Enrolled,
                report.EnrolledNotRandomised, report.Flow, report.Arms))
            : Results.Ok(new ConsortPooledResponse(protocol.Version, cutoff, generated, sites, report.Screening, report.Enrolled, report.EnrolledNotRandomised,
                report.Flow));
    }
}
