using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// Blinding guesses and the unblinded statistician's reports, on a study whose arms the test knows from the list it
/// imports: five participants on KET, then four on MDZ. Each had INF1, then stopped infusions, so INF1 is their last
/// infusion and the time to guess.
/// </summary>
public class UnblindedReportTests : ImportedListStudy
{
    private readonly List<string> _ket = [], _mdz = [];

    private static string GuessUrl(string code, string visit = "INF1") => $"/api/v1/participants/{code}/visits/{visit}/blinding-guess";

    [OneTimeSetUp]
    public async Task BuildStudyAsync()
    {
        await ImportAsync(Csv("WAW/MADRS<35", "KET", "KET", "KET", "KET", "KET", "MDZ", "MDZ", "MDZ", "MDZ"));
        for (var i = 0; i < 9; i++)
        {
            var code = await RandomisedAsync();
            (i < 5 ? _ket : _mdz).Add(code);
            await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reason = "Stopped after one infusion." }))
                .JsonAsync(HttpStatusCode.OK);
        }

        // Rater: KET arm 3 correct, 1 wrong, 1 don't know; MDZ arm 1 correct, 2 wrong, 1 don't know. Participants: two on KET don't know.
        string[] raterOnKet = ["KET", "KET", "KET", "MDZ", "unknown"], raterOnMdz = ["MDZ", "KET", "KET", "unknown"];
        for (var i = 0; i < 5; i++) await GuessAsync(_ket[i], "rater", raterOnKet[i]);
        for (var i = 0; i < 4; i++) await GuessAsync(_mdz[i], "rater", raterOnMdz[i]);
        await GuessAsync(_ket[0], "participant", "unknown");
        await GuessAsync(_ket[1], "participant", "unknown");

        foreach (var code in _ket.Concat(_mdz)) await WaitEvaluatedAsync(_host, code);
    }

    private async Task GuessAsync(string code, string guesser, string guess) =>
        await (await PostAsync(_investigator, GuessUrl(code), new { guesser, guess })).JsonAsync(HttpStatusCode.Created);

    [Test]
    public async Task BlindingIndex_IsBangsIndexPerArmAndGuesserAsWorkedByHand()
    {
        var report = await (await _unblinded.GetAsync("/api/v1/reports/blinding-index")).JsonAsync(HttpStatusCode.OK);
        var groups = report["groups"]!.AsArray().ToDictionary(g => $"{g!["timepoint"]}/{g["guesser"]}/{g["arm"]}");

        // KET, rater: n = 5, c = 3, w = 1: BI = 0.4; Var = (0.24 + 0.16 + 0.24) / 5 = 0.128; 0.4 ± 1.96 × 0.357771 = (-0.3012, 1.1012 → 1).
        AssertGroup(groups["LAST_INFUSION/rater/KET"], 5, 3, 1, 1, 0.4m, -0.3012m, 1m);
        // MDZ, rater: n = 4, c = 1, w = 2: BI = -0.25; Var = (0.1875 + 0.25 + 0.25) / 4 = 0.171875; -0.25 ± 1.96 × 0.414578 = (-1.0626 → -1, 0.5626).
        AssertGroup(groups["LAST_INFUSION/rater/MDZ"], 4, 1, 2, 1, -0.25m, -1m, 0.5626m);
        // KET, participant: two "don't know": BI = 0 with no spread. MDZ, participant: nobody guessed.
        AssertGroup(groups["LAST_INFUSION/participant/KET"], 2, 0, 0, 2, 0m, 0m, 0m);
        Assert.That(groups["LAST_INFUSION/participant/MDZ"]!["index"], Is.Null);
        Assert.That(report["formula"]!.GetValue<string>(), Does.Contain("(c - w) / n"));
    }

    private static void AssertGroup(JsonNode? g, int n, int correct, int wrong, int dontKnow, decimal index, decimal lower, decimal upper)
    {
        var text = g!.ToJsonString();
        Assert.That((g["guesses"]!.GetValue<int>(), g["correct"]!.GetValue<int>(), g["wrong"]!.GetValue<int>(), g["dontKnow"]!.GetValue<int>()),
            Is.EqualTo((n, correct, wrong, dontKnow)), text);
        Assert.That((g["index"]!.GetValue<decimal>(), g["ciLower"]!.GetValue<decimal>(), g["ciUpper"]!.GetValue<decimal>()), Is.EqualTo((index, lower, upper)), text);
    }

    [Test]
    public async Task Guess_RefusedAtTheWrongVisitTwiceOrWithAnUnknownAnswer_AndAuditedWithoutTheGuess()
    {
        var code = _mdz[3];
        (await (await PostAsync(_investigator, GuessUrl(code, "INF2"), new { guesser = "participant", guess = "KET" })).ProblemAsync(HttpStatusCode.UnprocessableEntity))
            .AssertField("visitCode");
        var unrecorded = await (await PostAsync(_investigator, GuessUrl(code, "FU-D7"), new { guesser = "participant", guess = "KET" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(unrecorded["missingVisit"]!.GetValue<string>(), Is.EqualTo("FU-D7"));
        await (await PostAsync(_investigator, GuessUrl(code), new { guesser = "rater", guess = "MDZ" })).ProblemAsync(HttpStatusCode.Conflict);
        (await (await PostAsync(_investigator, GuessUrl(code), new { guesser = "nurse", guess = "placebo" })).ProblemAsync(HttpStatusCode.UnprocessableEntity))
            .AssertField("guesser");
        await (await PostAsync(_monitor, GuessUrl(code), new { guesser = "participant", guess = "KET" })).ProblemAsync(HttpStatusCode.Forbidden);

        var rows = (await HistoryAsync(_ket[0])).Where(r => r!["entityType"]!.GetValue<string>() == "blinding-guess").ToList();
        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows.Select(r => r!["newValue"]!["guesser"]!.GetValue<string>()), Is.EquivalentTo(new[] { "rater", "participant" }));
        Assert.That(rows.Select(r => r!.ToJsonString()), Has.None.Contain("KET").And.None.Contain("MDZ").And.None.Contain("unknown"));
    }

    [Test]
    public async Task RandomisationList_OfAnImportedList_IsTheListAsAllocated_WithTheArmsTheDmcReportCounts()
    {
        var list = await Exports.ExportTestKit.CsvAsync(_unblinded, "randomisation-list");
        Assert.That(list.Rows.Select(r => (r["STRATUM"], r["sequence_number"], r["ARMCD"], r["participant_code"])),
            Is.EqualTo(_ket.Concat(_mdz).Select((code, i) => ("WAW/MADRS<35", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), i < 5 ? "KET" : "MDZ", code))));
        Assert.That(list.Rows.Select(r => (r["method"], r["block_index"], r["block_size"], r["position_in_block"])).Distinct(),
            Is.EqualTo(new[] { ("imported-list", "", "", "") }), "an imported list has no blocks");

        var participants = await Exports.ExportTestKit.CsvAsync(_unblinded, "participants");
        Assert.That(participants.Rows.GroupBy(r => r["ARMCD"]).Select(g => (g.Key, g.Count())).Order(), Is.EqualTo(new[] { ("KET", 5), ("MDZ", 4) }));
    }

    [Test]
    public async Task Reports_ForBlindedRolesAndThePharmacist_Are403()
    {
        foreach (var client in Blinded().Select(b => b.Client).Append(_pharmacist))
        {
            await (await client.GetAsync("/api/v1/reports/dmc")).ProblemAsync(HttpStatusCode.Forbidden);
            await (await client.GetAsync("/api/v1/reports/blinding-index")).ProblemAsync(HttpStatusCode.Forbidden);
        }
    }
}
