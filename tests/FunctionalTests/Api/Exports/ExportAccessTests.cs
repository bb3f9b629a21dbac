using System.Net;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>Who may pull extracts, of which sites, with free text or not; and every bad parameter named in a 4xx problem.</summary>
public class ExportAccessTests : ExportScenario
{
    [TestCase("investigator")]
    [TestCase("monitor")]
    public async Task Extracts_ClinicalRoles_Get403Problem(string role)
    {
        var client = await Host.UserAsync(role, "WAW", "KRK");
        await (await client.GetAsync("/api/v1/exports/participants.csv")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync("/api/v1/exports/bundle.zip")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Extracts_WithoutToken_Get401Problem() =>
        await (await Host.Client().GetAsync("/api/v1/exports/items.csv")).ProblemAsync(HttpStatusCode.Unauthorized);

    [Test]
    public async Task Statistician_OfOneSite_SeesOnlyThatSite()
    {
        var krkOnly = await Host.UserAsync("statistician", "KRK");
        var participants = await CsvAsync(krkOnly, "participants");
        Assert.That(participants.Rows.Select(r => r["participant_code"]), Is.EqualTo(new[] { "KRK-0001" }));
        var (zip, _) = await BundleAsync(krkOnly);
        foreach (var dataset in new[] { "visits", "assessments", "efficacy", "safety-alerts" })
            Assert.That(Entry(zip, dataset + ".csv").Rows.Select(r => r["participant_code"]).Distinct(), Is.EqualTo(new[] { "KRK-0001" }).Or.Empty, dataset);
        Assert.That(Entry(zip, "items.csv").Rows.Select(r => r["USUBJID"]).Distinct(), Is.EqualTo(new[] { "KRK-0001" }));
        Assert.That(Entry(zip, "adverse-events.csv").Rows, Is.Empty);

        var problem = await (await krkOnly.GetAsync("/api/v1/exports/participants.csv?site=WAW")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("WAW"));
    }

    [Test]
    public async Task IncludeFreeText_Statistician_Gets403Problem_AdminGetsIt()
    {
        var problem = await (await Statistician.GetAsync("/api/v1/exports/adverse-events.csv?includeFreeText=true")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("admin"));
        await (await Statistician.GetAsync("/api/v1/exports/bundle.zip?includeFreeText=true")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That((await CsvAsync(Host.Admin, "adverse-events", "?includeFreeText=true")).Header, Does.Contain("AETERM"));
        Assert.That((await CsvAsync(Statistician, "adverse-events", "?includeFreeText=false")).Header, Does.Not.Contain("AETERM"));
    }

    [TestCase("/api/v1/exports/participants.csv?site=XXX", "site", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/bundle.zip?site=XXX", "site", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?instrument=HAMD", "instrument", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?instrument=madrs", "instrument", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?since=2026-03-01T09:30:00", "since", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?since=2026-03-01", "since", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?since=yesterday", "since", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/bundle.zip?since=2026-03-01T09:30:00", "since", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?includeFreeText=yes", "includeFreeText", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?instrumnet=MADRS", "instrumnet", HttpStatusCode.UnprocessableEntity)]
    [TestCase("/api/v1/exports/items.csv?site=WAW&site=KRK", "site", HttpStatusCode.UnprocessableEntity)]
    public async Task BadParameter_Gets4xxProblemNamingIt(string url, string parameter, HttpStatusCode status)
    {
        var problem = await (await Statistician.GetAsync(url)).ProblemAsync(status);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(parameter), problem.ToJsonString());
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(parameter == "instrumnet" ? "instrumnet" : parameter).Or.Contain("Unknown"), problem.ToJsonString());
    }

    [Test]
    public async Task UnknownDataset_Gets404ProblemListingTheDatasets()
    {
        var problem = await (await Statistician.GetAsync("/api/v1/exports/patients.csv")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("patients").And.Contain("participants").And.Contain("adverse-events"));
    }

    [Test]
    public async Task Since_WithAnOffset_IsTheSameInstantInUtc()
    {
        var utc = await CsvAsync(Statistician, "items", "?since=2026-03-10T11:00:00Z");
        var offset = await CsvAsync(Statistician, "items", "?since=2026-03-10T12:00:00%2B01:00");
        Assert.That(offset.Rows, Has.Count.EqualTo(utc.Rows.Count).And.Count.GreaterThan(0));
    }
}
