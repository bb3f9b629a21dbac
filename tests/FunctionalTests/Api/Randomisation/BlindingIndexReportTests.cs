using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The unblinded statistician's blinding-index report on a study whose arms the test knows from the list it imports:
/// K0-K5 on KET, M0-M3 on MDZ. All had INF1 (2026-03-02); K5 also INF2 (2026-03-05), then everyone stopped infusions.
/// Guesses, each made after the infusion it follows:
/// <list type="bullet">
/// <item>INF1, rater: K0-K2 KET, K3 MDZ, K4-K5 unknown; M0 MDZ, M1-M2 KET, M3 unknown. M1 is unblinded in an emergency afterwards.</item>
/// <item>INF1, participant: K0 and K1 unknown.</item>
/// <item>INF2 (K5's last infusion), rater: K5 KET.</item>
/// <item>FU-D7, rater: K0 (after 1 infusion) KET; K5 (after 2 infusions) MDZ.</item>
/// </list>
/// </summary>
public class BlindingIndexReportTests : ImportedListStudy
{
    private readonly List<string> _ket = [], _mdz = [];

    private static string GuessUrl(string code, string visit) => $"/api/v1/participants/{code}/visits/{visit}/blinding-guess";

    [OneTimeSetUp]
    public async Task BuildStudyAsync()
    {
        await ImportAsync(Csv("WAW/MADRS<35", "KET", "KET", "KET", "KET", "KET", "KET", "MDZ", "MDZ", "MDZ", "MDZ"));
        for (var i = 0; i < 10; i++)
        {
            var code = await RandomisedAsync();
            (i < 6 ? _ket : _mdz).Add(code);
            await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
            await _infusions.InfuseAsync(code, "INF1", Inf1Start);
        }
        var k5 = _ket[5];
        await TrialHost.RecordVisitAsync(_investigator, k5, "INF2", Inf1Day.AddDays(3));
        await _infusions.InfuseAsync(k5, "INF2", Inf1Start.AddDays(3));
        foreach (var code in _ket.Concat(_mdz))
        {
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/discontinuation", new { date = code == k5 ? "2026-03-06" : "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Stopped." }))
                .JsonAsync(HttpStatusCode.OK);
        }

        string[] raterOnKet = ["KET", "KET", "KET", "MDZ", "unknown", "unknown"], raterOnMdz = ["MDZ", "KET", "KET", "unknown"];
        for (var i = 0; i < 6; i++) await GuessAsync(_ket[i], "INF1", "rater", raterOnKet[i], "2026-03-02T10:00:00Z");
        for (var i = 0; i < 4; i++) await GuessAsync(_mdz[i], "INF1", "rater", raterOnMdz[i], "2026-03-02T10:00:00Z");
        await GuessAsync(_ket[0], "INF1", "participant", "unknown", "2026-03-02T10:30:00Z");
        await GuessAsync(_ket[1], "INF1", "participant", "unknown", "2026-03-02T10:30:00Z");
        await GuessAsync(k5, "INF2", "rater", "KET", "2026-03-05T10:00:00Z");
        await TrialHost.RecordVisitAsync(_investigator, _ket[0], "FU-D7", Inf1Day.AddDays(7));
        await GuessAsync(_ket[0], "FU-D7", "rater", "KET", "2026-03-09T10:00:00Z");
        // K5's FU-D7 falls on 2026-03-12, after the host's start.
        _host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 13, 12, 0, 0, TimeSpan.Zero));
        await TrialHost.RecordVisitAsync(_investigator, k5, "FU-D7", Inf1Day.AddDays(10));
        await GuessAsync(k5, "FU-D7", "rater", "MDZ", "2026-03-12T10:00:00Z");

        await (await PostAsync(_investigator, $"/api/v1/participants/{_mdz[1]}/unblinding", new { reason = "Emergency surgery." })).JsonAsync(HttpStatusCode.Created);
    }

    private async Task GuessAsync(string code, string visit, string guesser, string guess, string guessedUtc) =>
        await (await PostAsync(_investigator, GuessUrl(code, visit), new { guesser, guess, guessedUtc })).JsonAsync(HttpStatusCode.Created);

    private async Task<Dictionary<string, JsonNode>> GroupsAsync() =>
        (await (await _unblinded.GetAsync("/api/v1/reports/blinding-index")).JsonAsync(HttpStatusCode.OK))["groups"]!.AsArray()
        .ToDictionary(g => $"{g!["timepoint"]}/{g["guesser"]}", g => g!);

    [Test]
    public async Task BlindingIndex_GroupsByVisitAndInfusionNumber_NeverPoolingAfterOneAndAfterMore()
    {
        var report = await (await _unblinded.GetAsync("/api/v1/reports/blinding-index")).JsonAsync(HttpStatusCode.OK);

        Assert.That(report["groups"]!.AsArray().Select(g => $"{g!["timepoint"]}/{g["guesser"]}"), Is.EqualTo(new[]
        {
            "INF1 after infusion 1/rater", "INF1 after infusion 1/participant", "INF2 after infusion 2/rater", "INF2 after infusion 2/participant",
            "FU-D7 after 1 infusion/rater", "FU-D7 after 1 infusion/participant", "FU-D7 after 2 infusions/rater", "FU-D7 after 2 infusions/participant",
        }));
        var groups = await GroupsAsync();
        // K5's guesses after infusion 1 and after infusion 2 are in different groups, and so are the two FU-D7 guesses.
        Assert.That(Bang(groups["INF2 after infusion 2/rater"], "KET"), Is.EqualTo((1, 1, 0, 0, 1m, -0.1221m, 1m)));
        Assert.That(Bang(groups["FU-D7 after 1 infusion/rater"], "KET"), Is.EqualTo((1, 1, 0, 0, 1m, -0.1221m, 1m)));
        Assert.That(Bang(groups["FU-D7 after 2 infusions/rater"], "KET"), Is.EqualTo((1, 0, 1, 0, -1m, -1m, 0.1221m)));
        Assert.That((groups["FU-D7 after 2 infusions/rater"]["visitCode"]!.GetValue<string>(), groups["FU-D7 after 2 infusions/rater"]["infusionNumber"]!.GetValue<int>()),
            Is.EqualTo(("FU-D7", 2)));
        // One correct guess alone: every arm-naming guess right and about one arm, so James' index is undefined, with the reason.
        Assert.That(groups["INF2 after infusion 2/rater"]["james"]!["index"], Is.Null);
        Assert.That(groups["INF2 after infusion 2/rater"]["james"]!["undefined"]!.GetValue<string>(), Does.Contain("undefined"));
        Assert.That(report["formula"]!.GetValue<string>(), Does.Contain("BI = (c - w) / n").And.Contain("BI = pDK + pW / (2E)").And.Contain("never pooled"));
    }

    [Test]
    public async Task BlindingIndex_AfterInfusionOneByRaters_IsAsWorkedByHand()
    {
        var g = (await GroupsAsync())["INF1 after infusion 1/rater"];

        // KET: n = 6, c = 3, w = 1: BI = 0.3333. Wilson pc = 0.5 (0.187616, 0.812384), pw = 0.166667 (0.030053, 0.563503);
        // phi = -sqrt(0.5 × 0.166667/(0.5 × 0.833333)) = -0.447214;
        // L = 0.333333 - sqrt(0.312384² + 2 × 0.447214 × 0.312384 × 0.396836 + 0.396836²) = 0.333333 - sqrt(0.365940) = -0.2716;
        // U = 0.333333 + sqrt(0.312384² + 2 × 0.447214 × 0.312384 × 0.136613 + 0.136613²) = 0.333333 + sqrt(0.154417) = 0.7263.
        Assert.That(Bang(g, "KET"), Is.EqualTo((6, 3, 1, 2, 0.3333m, -0.2716m, 0.7263m)));
        // MDZ: n = 4, c = 1, w = 2: BI = -0.25. Wilson pc = 0.25 (0.045587, 0.699358), pw = 0.5 (0.150039, 0.849961); phi = -0.577350;
        // L = -0.25 - sqrt(0.204413² + 2 × 0.577350 × 0.204413 × 0.349961 + 0.349961²) = -0.25 - sqrt(0.246860) = -0.7469;
        // U = -0.25 + sqrt(0.449358² + 2 × 0.577350 × 0.449358 × 0.349961 + 0.349961²) = -0.25 + sqrt(0.505981) = 0.4613.
        Assert.That(Bang(g, "MDZ"), Is.EqualTo((4, 1, 2, 1, -0.25m, -0.7469m, 0.4613m)));
        // James: n = 10, 3 "don't know", m = 7 named an arm, 4 correct, 3 wrong. Naming KET 5, MDZ 2; of the 7, 4 received KET, 3 MDZ:
        // E = 1 - (5 × 4 + 2 × 3)/49 = 23/49 = 0.469388; k = 1/(2E) = 1.065217; BI = 0.3 + 0.3 × 1.065217 = 0.619565.
        // First form pDK + k pW: Wilson pDK = pW = 0.3 (0.107791, 0.603222), rho = -sqrt(0.09/0.49) = -0.428571;
        // down = sqrt(0.192209² + 0.204744² - 2 × 0.428571 × 0.192209 × 0.204744) = 0.212445; up = sqrt(0.303222² + 0.322997² - 2 × 0.428571 ×
        // 0.303222 × 0.322997) = 0.335145: (0.407121, 0.954710).
        // Second form 1 - pC + (k - 1) pW: Wilson pC = 0.4 (0.168180, 0.687326), rho(pC, pW) = -0.534522, taken with the sign of -1 × (k - 1): +0.534522;
        // down = sqrt(0.287326² + 0.012535² + 2 × 0.534522 × 0.287326 × 0.012535) = 0.294217; up = sqrt(0.231820² + 0.019775² + 2 × 0.534522 ×
        // 0.231820 × 0.019775) = 0.242966: (0.325348, 0.862531). Union: (0.3253, 0.9547).
        var james = g["james"]!;
        Assert.That((james["guesses"]!.GetValue<int>(), james["correct"]!.GetValue<int>(), james["wrong"]!.GetValue<int>(), james["dontKnow"]!.GetValue<int>(),
            james["chanceDisagreement"]!.GetValue<decimal>()), Is.EqualTo((10, 4, 3, 3, 0.4694m)));
        Assert.That((james["index"]!.GetValue<decimal>(), james["ciLower"]!.GetValue<decimal>(), james["ciUpper"]!.GetValue<decimal>()), Is.EqualTo((0.6196m, 0.3253m, 0.9547m)));
    }

    [Test]
    public async Task BlindingIndex_GuessesOfTheLaterUnblinded_StayInTheIndexAndAreCounted()
    {
        var groups = await GroupsAsync();

        var rater = groups["INF1 after infusion 1/rater"];
        Assert.That((rater["guesses"]!.GetValue<int>(), rater["laterUnblinded"]!.GetValue<int>(), rater["leftOutAfterUnblinding"]!.GetValue<int>()), Is.EqualTo((10, 1, 0)));
        var participant = groups["INF1 after infusion 1/participant"];
        Assert.That((participant["guesses"]!.GetValue<int>(), participant["laterUnblinded"]!.GetValue<int>()), Is.EqualTo((2, 0)));
        // Two "don't know" about KET: Bang 0 with (-z²/(2 + z²), z²/(2 + z²)) = (-0.6576, 0.6576); James 1 with (2/(2 + z²), 1) = (0.3424, 1).
        Assert.That(Bang(participant, "KET"), Is.EqualTo((2, 0, 0, 2, 0m, -0.6576m, 0.6576m)));
        Assert.That(participant["bang"]!.AsArray().Single(b => b!["arm"]!.GetValue<string>() == "MDZ")!["index"], Is.Null);
        Assert.That((participant["james"]!["index"]!.GetValue<decimal>(), participant["james"]!["ciLower"]!.GetValue<decimal>()), Is.EqualTo((1m, 0.3424m)));

        // The unblinded participant guesses no more.
        await (await PostAsync(_investigator, GuessUrl(_mdz[1], "INF1"), new { guesser = "participant", guess = "unknown", guessedUtc = "2026-03-02T10:30:00Z" }))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.That((await GroupsAsync())["INF1 after infusion 1/participant"]["guesses"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task BlindingIndex_ForBlindedRolesAndThePharmacist_Is403()
    {
        foreach (var client in Blinded().Select(b => b.Client).Append(_pharmacist))
            await (await client.GetAsync("/api/v1/reports/blinding-index")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    private static (int, int, int, int, decimal, decimal, decimal) Bang(JsonNode group, string arm)
    {
        var b = group["bang"]!.AsArray().Single(x => x!["arm"]!.GetValue<string>() == arm)!;
        return (b["guesses"]!.GetValue<int>(), b["correct"]!.GetValue<int>(), b["wrong"]!.GetValue<int>(), b["dontKnow"]!.GetValue<int>(),
            b["index"]!.GetValue<decimal>(), b["ciLower"]!.GetValue<decimal>(), b["ciUpper"]!.GetValue<decimal>());
    }
}
