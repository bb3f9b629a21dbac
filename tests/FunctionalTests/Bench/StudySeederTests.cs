using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Bench;
using Trial.Tests.Api;

namespace Trial.Tests.Bench;

/// <summary>
/// The synthetic study of the seed command, served by the API with the seed's randomisation secret: its allocations are
/// those the API's own allocation logic gives (the sequence the API regenerates for audit matches them place for place),
/// its infusions are stored as the blinded protocol stores them, and the same seed gives the same allocations.
/// </summary>
public class StudySeederTests
{
    private const int Participants = 40, Seed = 7;
    private static readonly string[] Sites = ["WAW", "KRK", "BER", "MAD"];

    private readonly TempFolder _folder = new();
    private SeedSummary _summary = null!;
    private TrialHost _host = null!;
    private HttpClient _unblinded = null!;

    [OneTimeSetUp]
    public async Task SeedAndServeAsync()
    {
        var path = _folder.File("study.db");
        _summary = await StudySeeder.SeedAsync(new SeedOptions(Participants, Seed, path, SeedCommand.DefaultCutOff, TrialHost.AdminToken), TextWriter.Null);
        _host = TrialHost.Start(
            settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:Trial"] = $"Data Source={path}", ["Randomisation:Secret"] = _summary.RandomisationSecret,
                ["Protocol:Path"] = TestProtocols.Blinded,
            },
            startTime: new DateTimeOffset(SeedCommand.DefaultCutOff.ToDateTime(new TimeOnly(18, 30)), TimeSpan.Zero));
        _unblinded = await _host.UserAsync("unblinded-statistician", Sites);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<List<JsonNode>> AllocationsAsync() =>
        [.. (await (await _unblinded.GetAsync("/api/v1/randomisation/allocations")).JsonArrayAsync())!.Select(a => a!)];

    [Test]
    public async Task Allocations_AreTheSequenceTheApiRegeneratesFromTheSecret_PlaceForPlace()
    {
        var allocations = await AllocationsAsync();
        Assert.That(allocations, Has.Count.EqualTo(_summary.Randomised).And.Count.GreaterThan(Participants / 2));
        Assert.That(allocations.Select(a => a["arm"]!.GetValue<string>()).Distinct().Order(), Is.EqualTo(new[] { "KET", "MDZ" }));
        Assert.That(allocations.Select(a => a["randomisationNumber"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(1, allocations.Count)));
        Assert.That(allocations.Select(a => a["randomisedUtc"]!.GetValue<DateTime>()), Is.Ordered, "numbered in the order of randomisation");

        foreach (var stratum in allocations.GroupBy(a => a["stratum"]!.GetValue<string>()))
        {
            var taken = stratum.ToDictionary(a => a["sequenceNumber"]!.GetValue<int>());
            Assert.That(taken.Keys.Order(), Is.EqualTo(Enumerable.Range(1, taken.Count)), $"{stratum.Key}: places taken in order");
            var list = await (await _unblinded.GetAsync($"/api/v1/randomisation/list?stratum={Uri.EscapeDataString(stratum.Key)}&count={taken.Count}"))
                .JsonAsync(HttpStatusCode.OK);
            foreach (var entry in list["entries"]!.AsArray())
            {
                var place = taken[entry!["sequenceNumber"]!.GetValue<int>()];
                Assert.That((entry["participantCode"]!.GetValue<string>(), entry["arm"]!.GetValue<string>()),
                    Is.EqualTo((place["participantCode"]!.GetValue<string>(), place["arm"]!.GetValue<string>())), stratum.Key);
            }
            // Permuted blocks of 2 or 4: the arms of a stratum never differ by more than half the largest block.
            var ket = stratum.Count(a => a["arm"]!.GetValue<string>() == "KET");
            Assert.That(Math.Abs(ket - (stratum.Count() - ket)), Is.LessThanOrEqualTo(2), stratum.Key);
        }
    }

    [Test]
    public async Task SeededPharmacists_AreApprovedByASecondAdmin()
    {
        var users = await (await _host.Admin.GetAsync("/api/v1/users")).JsonArrayAsync();
        var pharmacists = users.Where(u => u!["name"]!.GetValue<string>().StartsWith("Pharmacist ", StringComparison.Ordinal)).ToList();
        Assert.That(pharmacists, Has.Count.EqualTo(Sites.Length));
        Assert.That(pharmacists.Select(p => (p!["armAccess"]!.GetValue<string>(), p["pendingAccess"])), Is.All.EqualTo(("approved", (JsonNode?)null)));
        var second = users.Single(u => u!["name"]!.GetValue<string>() == "Second admin")!["id"]!.GetValue<string>();
        var approvals = (await (await _host.Admin.GetAsync("/api/v1/audit?entity=user&limit=1000")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray()
            .Where(r => r!["action"]!.GetValue<string>() == "access-approved" && r["newValue"]!["role"]!.GetValue<string>() == "pharmacist"
                && pharmacists.Any(p => p!["id"]!.GetValue<string>() == r["entityId"]!.GetValue<string>())).ToList();
        Assert.That(approvals.Select(r => r!["userId"]!.GetValue<string>()), Is.EqualTo(Enumerable.Repeat(second, Sites.Length)));
    }

    [Test]
    public async Task Infusions_AsTheBlindedProtocolStoresThem_FromThePharmacysPreparationForTheArm()
    {
        var checkedInfusions = 0;
        foreach (var site in Sites)
        {
            var investigator = await _host.UserAsync("investigator", site);
            var pharmacist = await _host.UserAsync("pharmacist", site);
            foreach (var allocation in (await AllocationsAsync()).Where(a => a["siteCode"]!.GetValue<string>() == site))
            {
                var code = allocation["participantCode"]!.GetValue<string>();
                var response = await investigator.GetAsync($"/api/v1/participants/{code}/visits/INF1/infusion");
                if (response.StatusCode == HttpStatusCode.NotFound) continue;
                var infusion = await response.JsonAsync(HttpStatusCode.OK);
                Assert.That((infusion["doseMgPerKg"], infusion["totalDoseMg"]), Is.EqualTo((null as JsonNode, null as JsonNode)), code);
                Assert.That(infusion["volumeMl"]!.GetValue<decimal>(), Is.EqualTo(_host.Protocol.Design.Preparation!.VolumeMl));
                var preparation = await (await pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).JsonAsync(HttpStatusCode.OK);
                var arm = allocation["arm"]!.GetValue<string>();
                Assert.That((preparation["preparationId"]!.GetValue<string>(), preparation["arm"]!.GetValue<string>(), preparation["doseMgPerKg"]!.GetValue<decimal>()),
                    Is.EqualTo((infusion["preparationId"]!.GetValue<string>(), arm, _host.Protocol.Design.FindArm(arm)!.DoseMgPerKg)), code);
                checkedInfusions++;
            }
        }
        Assert.That(checkedInfusions, Is.GreaterThan(Participants / 2));
    }

    [Test]
    public async Task SameSeed_SameAllocations()
    {
        using var again = new TempFolder();
        var path = again.File("again.db");
        var summary = await StudySeeder.SeedAsync(new SeedOptions(Participants, Seed, path, SeedCommand.DefaultCutOff, null), TextWriter.Null);
        Assert.That(summary.RandomisationSecret, Is.EqualTo(_summary.RandomisationSecret));

        static async Task<List<(string, string, string, long, long)>> ReadAsync(string file)
        {
            await using var connection = new SqliteConnection($"Data Source={file}");
            return [.. await connection.QueryAsync<(string, string, string, long, long)>(
                "SELECT p.Code, a.Arm, a.Stratum, a.SequenceNumber, a.RandomisationNumber FROM Allocation a JOIN Participant p ON p.Id = a.ParticipantId ORDER BY p.Code")];
        }
        var first = await ReadAsync(_folder.File("study.db"));
        Assert.That(await ReadAsync(path), Is.EqualTo(first).And.Count.EqualTo(_summary.Randomised));
    }
}
