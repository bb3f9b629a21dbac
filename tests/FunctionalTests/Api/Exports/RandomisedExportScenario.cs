using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using Trial.Tests.Api.Randomisation;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// A randomised, double-blind study entered through the API, whose extracts the tests read as every role: in WAW four
/// participants in stratum WAW/MADRS&lt;35 (both arms among them, whatever the blocks drawn) and one in WAW/MADRS&gt;=35, in
/// KRK two; each with INF1 given from the pharmacy's preparation, MADRS at BL, INF1 pre and POST24, a CADSS at t40, vital
/// signs before the infusion and the rater's guess of the arm after it (that they do not know, so no file names an arm);
/// the first also with an unscheduled MADRS at INF1 t240.
/// One WAW participant is enrolled with a baseline but not randomised. An hour after all that, the second participant
/// is unblinded in an emergency.
/// </summary>
public abstract class RandomisedExportScenario : BlindedStudyFixture
{
    protected readonly List<string> Randomised = [];
    protected string NotRandomised = "";
    protected string EmergencyUnblinded = "";
    protected DateTime BeforeUnblindingUtc, UnblindedUtc;

    /// <summary>A statistician of both sites (the fixture's own is of WAW only).</summary>
    protected HttpClient Statistician = null!;

    protected IEnumerable<string> Everyone => Randomised.Append(NotRandomised);

    [OneTimeSetUp]
    public async Task BuildStudyAsync()
    {
        Statistician = await _host.UserAsync("statistician", "WAW", "KRK");
        var krkInfusions = new InfusionKit(_host, _krkInvestigator, "KRK");
        (int Madrs, HttpClient Investigator, string Site, InfusionKit Kit)[] plan =
        [
            (30, _investigator, "WAW", _infusions), (28, _investigator, "WAW", _infusions), (32, _investigator, "WAW", _infusions),
            (26, _investigator, "WAW", _infusions), (40, _investigator, "WAW", _infusions),
            (30, _krkInvestigator, "KRK", krkInfusions), (24, _krkInvestigator, "KRK", krkInfusions),
        ];
        foreach (var (madrs, investigator, site, kit) in plan)
        {
            var code = await RandomisedAsync(madrs, investigator, site);
            await TrialHost.RecordVisitAsync(investigator, code, "INF1", Inf1Day);
            await kit.InfuseAsync(code, "INF1", Inf1Start);
            await AssessAtAsync(investigator, code, "INF1", "pre", "MADRS", Madrs(madrs - 4, item10: 2), Inf1Start.AddMinutes(-10));
            await AssessAtAsync(investigator, code, "INF1", "t40", "CADSS", Cadss(12), Inf1Start.AddMinutes(45));
            await VitalsAsync(investigator, code, "INF1", "pre", 122, 78, 71, 98);
            (await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/blinding-guess",
                new { guesser = "rater", guess = "unknown", guessedUtc = Inf1Start.AddMinutes(90) })).EnsureSuccessStatusCode();
            await AssessAtAsync(investigator, code, "POST24", null, "MADRS", Madrs(madrs / 2 + Randomised.Count % 3, item10: 1), At("POST24", null));
            Randomised.Add(code);
        }
        // An unscheduled MADRS after the first dose, low enough to be a response and a remission were it an analysis value: it is not.
        (await _investigator.PostAsJsonAsync(AssessmentsUrl(Randomised[0], "INF1"),
            new { instrument = "MADRS", timepoint = "t240", administeredUtc = Inf1Start.AddMinutes(240), items = Madrs(4, item10: 0), unscheduled = true }))
            .EnsureSuccessStatusCode();
        await RecordAdverseEventAsync(_investigator, Randomised[0], AdverseEvent("Dizziness"));
        (await _investigator.PostAsJsonAsync($"/api/v1/participants/{Randomised[0]}/concomitant-medications",
            new { name = "Sertraline", atcCode = "N06AB06", dose = "50 mg daily", route = "oral", startDate = "2026-01-10", ongoing = true })).EnsureSuccessStatusCode();
        NotRandomised = await EnrolAsync();
        await ReadyAsync(NotRandomised);
        foreach (var code in Everyone) await WaitEvaluatedAsync(_host, code);

        _host.Clock.Advance(TimeSpan.FromHours(1));
        BeforeUnblindingUtc = _host.Clock.GetUtcNow().UtcDateTime;
        _host.Clock.Advance(TimeSpan.FromMinutes(30));
        EmergencyUnblinded = Randomised[1];
        await (await PostAsync(_investigator, $"/api/v1/participants/{EmergencyUnblinded}/unblinding", new { reason = "Severe hypotension in the ward." }))
            .JsonAsync(HttpStatusCode.Created);
        UnblindedUtc = _host.Clock.GetUtcNow().UtcDateTime;
    }

    protected static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
