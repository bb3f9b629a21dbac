using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;

namespace Trial.Api.Reports;

/// <summary>
/// The blinding indices per time of guessing (a visit and the number of infusions given before the guess, never pooled)
/// and guesser: Bang's per arm and James' overall, each with its 95 % interval (see <see cref="BlindingIndexGroup"/>).
/// </summary>
public sealed record BlindingIndexResponse(DateTime GeneratedUtc, IReadOnlyList<string>? Sites, string Formula, IReadOnlyList<BlindingIndexGroup> Groups);

/// <summary>
/// Outputs for the unblinded statistician: the integrity of the blind (the data monitoring committee's reports are
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

    private static async Task<IResult> BlindingIndexAsync(string? site, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        if (protocol.Design.Randomisation is null) return NotRandomised(protocol);
        var actor = http.Actor();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError.ToResult();
        var guesses = await db.ReadAsync(c => ReportQueries.GuessesAsync(c, sites));
        var groups = BlindingIndexReport.Build(protocol,
            guesses.Select(g => new RecordedGuess(g.VisitCode, g.InfusionNumber, g.Guesser, g.Arm, g.Guess, g.RecordedUtc, g.UnblindedUtc)));
        var now = clock.GetUtcNow().UtcDateTime;
        await RecordPullAsync(db, actor, now, "blinding-index", sites);
        return Results.Ok(new BlindingIndexResponse(now, sites, BlindingIndex.Formula, groups));
    }

    private static IResult NotRandomised(ProtocolDefinition protocol) =>
        Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise: there are no arms to compare.");

    // Who pulled which unblinded output and when; the trail is read by blinded staff, so never its contents.
    private static Task RecordPullAsync(Database db, Actor actor, DateTime now, string report, IReadOnlyList<string>? sites) =>
        db.WriteAsync(actor, now, w => w.AuditAsync(new AuditEntry(AuditEntities.Extract, $"reports/{report}", AuditActions.Export,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { report, sites, generatedUtc = now })))));
}
