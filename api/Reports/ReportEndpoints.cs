using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;

namespace Trial.Api.Reports;

/// <summary>
/// Bang's blinding index of one arm, for one guesser (rater or participant) at one time of guessing: Timepoint is
/// "LAST_INFUSION" for the guesses at the last infusion given, else the visit code (e.g. FU-D7). Index and interval are
/// empty when nobody in the group guessed.
/// </summary>
public sealed record BlindingIndexGroup(
    string Timepoint, string Guesser, string Arm, int Guesses, int Correct, int Wrong, int DontKnow, decimal? Index, decimal? CiLower, decimal? CiUpper);

public sealed record BlindingIndexResponse(DateTime GeneratedUtc, IReadOnlyList<string>? Sites, string Formula, IReadOnlyList<BlindingIndexGroup> Groups);

/// <summary>
/// Outputs for the unblinded statistician: the integrity of the blind (the data monitoring committee's reports are
/// <see cref="DmcReportEndpoints"/>). Every pull is recorded in the audit trail (without its contents).
/// </summary>
public static class ReportEndpoints
{
    public const string BlindingIndexFormula =
        "Bang's blinding index per arm: BI = (c - w) / n, with n guesses by those who received the arm, c naming it, w naming another arm " +
        "(the rest 'unknown'); 95 % CI = BI ± 1.96·sqrt((pc(1-pc) + pw(1-pw) + 2·pc·pw) / n), pc = c/n, pw = w/n, cut to [-1, 1]. " +
        "0: no better than chance; 1: all knew their arm; -1: all guessed the other arm.";

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.UnblindedStatistician);
        group.MapGet("/blinding-index", BlindingIndexAsync).WithName("BlindingIndexReport")
            .WithSummary("Bang's blinding index with its 95 % confidence interval per arm, guesser (rater, participant) and time of guessing (the last " +
                         "infusion, FU-D7), from the guesses recorded and the allocation (unblinded statistician; your sites, or one with site).")
            .Produces<BlindingIndexResponse>().ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> BlindingIndexAsync(string? site, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        if (protocol.Design.Randomisation is null) return NotRandomised(protocol);
        var actor = http.Actor();
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        var guesses = await db.ReadAsync(c => ReportQueries.GuessesAsync(c, sites));
        var infusionVisits = protocol.InfusionVisits.Select(v => v.Code).ToHashSet();
        string TimepointOf(string visit) => infusionVisits.Contains(visit) ? ProtocolDefinition.LastInfusionAnchor : visit;
        var timepoints = protocol.Design.BlindingGuessVisits.ToList();
        var arms = protocol.Design.Arms.Select(a => a.Code).ToList();

        var groups = new List<BlindingIndexGroup>();
        foreach (var timepoint in guesses.Select(g => TimepointOf(g.VisitCode)).Distinct().OrderBy(t => timepoints.IndexOf(t)).ThenBy(t => t, StringComparer.Ordinal))
            foreach (var guesser in BlindingGuesses.Guessers)
                foreach (var arm in arms)
                {
                    var own = guesses.Where(g => TimepointOf(g.VisitCode) == timepoint && g.Guesser == guesser && g.Arm == arm).ToList();
                    var bi = BlindingIndex.Of(own.Count(g => g.Guess == arm), own.Count(g => g.Guess != arm && g.Guess != BlindingGuesses.DontKnow),
                        own.Count(g => g.Guess == BlindingGuesses.DontKnow));
                    groups.Add(new BlindingIndexGroup(timepoint, guesser, arm, bi.Guesses, bi.Correct, bi.Wrong, bi.DontKnow, bi.Index, bi.CiLower, bi.CiUpper));
                }
        var now = clock.GetUtcNow().UtcDateTime;
        await RecordPullAsync(db, actor, now, "blinding-index", sites);
        return Results.Ok(new BlindingIndexResponse(now, sites, BlindingIndexFormula, groups));
    }

    private static IResult NotRandomised(ProtocolDefinition protocol) =>
        Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} does not randomise: there are no arms to compare.");

    // Who pulled which unblinded output and when; the trail is read by blinded staff, so never its contents.
    private static Task RecordPullAsync(Database db, Actor actor, DateTime now, string report, IReadOnlyList<string>? sites) =>
        db.WriteAsync(actor, now, w => w.AuditAsync(new AuditEntry(AuditEntities.Extract, $"reports/{report}", AuditActions.Export,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { report, sites, generatedUtc = now })))));
}
