using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Reports;
using Trial.Core.Randomisation;

namespace Trial.Api.Reports;

/// <summary>
/// The blinding indices per time of guessing (a visit and the number of infusions given before the guess, never pooled)
/// and guesser: Bang's per arm and James' overall, each with its 95 % interval (see <see cref="BlindingIndexGroup"/>).
/// </summary>
public sealed record BlindingIndexResponse(DateTime GeneratedUtc, IReadOnlyList<string>? Sites, string Formula, IReadOnlyList<BlindingIndexGroup> Groups);

/// <summary>
/// The routes of the outputs for the unblinded statistician (the use case is <see cref="ReadBlindingIndex"/>): the integrity of the blind (the data monitoring committee's reports are
/// <see cref="DmcReportEndpoints"/>). Every pull is recorded in the audit trail (without its contents).
/// </summary>
public static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.UnblindedStatistician);
        group.MapGet("/blinding-index", BlindingIndexAsync).WithName("BlindingIndexReport")
            .WithSummary("The blinding indices from the guesses recorded and the allocation (unblinded statistician; your sites, or one with site), per " +
                         "time of guessing and guesser (rater, participant). A time of guessing is a visit with the number of infusions given before the guess " +
                         "(\"INF1 after infusion 1\", \"FU-D7 after 4 infusions\"): guesses after different numbers of infusions are never pooled. Each group " +
                         "gives Bang's index per arm and James' index overall, with counts and a Wilson-score-based 95 % interval (formula in the response), " +
                         "the number of its guesses about participants later unblinded in an emergency (counted, marked) and of guesses entered after their " +
                         "participant's unblinding (left out).")
            .Produces<BlindingIndexResponse>().ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> BlindingIndexAsync(string? site, ReadBlindingIndex reports, HttpContext http)
    {
        var index = await reports.ReadAsync(http.Actor(), site);
        if (index.IsRefused) return index.Refusal!.ToResult();
        var (generated, sites, formula, groups) = index.Value!;
        return Results.Ok(new BlindingIndexResponse(generated, sites, formula, groups));
    }
}
