using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Api.Exports;
using Trial.Db.Infrastructure;
using Trial.Extracts;
using Trial.Extracts.Reading;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Exports;

/// <summary>Every file of an extract reflects one moment, however much is written meanwhile.</summary>
public class ExportSnapshotTests
{
    private TrialHost _host = null!;
    private HttpClient _investigator = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task EnrolAndAssessAsync()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await AssessAsync(_investigator, code, "BL", null, "MADRS", Madrs(30, 1));
        await AssessAsync(_investigator, code, "BL", null, "BSL23", Bsl(1));
    }

    private static async Task<Csv> WriteAsync(IExtractDataset dataset, ExportContext context)
    {
        using var buffer = new MemoryStream();
        await dataset.WriteCsvAsync(context, buffer, CancellationToken.None);
        return ParseBytes(buffer.ToArray());
    }

    [Test]
    public async Task Snapshot_WritesCommittedAfterIt_ReachNoDatasetOfIt()
    {
        await EnrolAndAssessAsync();
        var catalog = _host.Services.GetRequiredService<ExtractCatalog>();
        await using var snapshot = await ExportSnapshot.BeginAsync(_host.Services.GetRequiredService<Database>(), _host.Clock);
        var context = new ExportContext(snapshot, new ExportFilter(null, null, null), ExtractAudience.BlindedPseudonymised, catalog.Protocol, catalog.Anchors);

        var participants = await WriteAsync(catalog.Find("participants")!, context);
        await EnrolAndAssessAsync(); // committed through the API between two files of the same extract
        var assessments = await WriteAsync(catalog.Find("assessments")!, context);
        var items = await WriteAsync(catalog.Find("items")!, context);

        Assert.That(participants.Rows.Select(r => r["participant_code"]), Is.EqualTo(new[] { "WAW-0001" }));
        Assert.That(assessments.Rows.Select(r => r["participant_code"]).Distinct(), Is.EqualTo(new[] { "WAW-0001" }));
        Assert.That(items.Rows.Select(r => r["USUBJID"]).Distinct(), Is.EqualTo(new[] { "WAW-0001" }));

        // A new extract sees the new participant: the snapshot, not the data, held them back.
        var fresh = await CsvAsync(_host.Admin, "assessments");
        Assert.That(fresh.Rows.Select(r => r["participant_code"]).Distinct(), Is.EqualTo(new[] { "WAW-0001", "WAW-0002" }));
    }

    [Test]
    public async Task Bundle_WhileDataEntryGoesOn_ItsFilesAgree()
    {
        var statistician = await _host.UserAsync("statistician", "WAW");
        using var stop = new CancellationTokenSource();
        var entered = 0;
        // Several sites' worth of data entry at once, so that commits land between the files of a bundle.
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await EnrolAndAssessAsync();
                Interlocked.Increment(ref entered);
            }
        })).ToList();
        try
        {
            var participantCounts = new List<int>();
            while (participantCounts.Count < 20 || participantCounts.Distinct().Count() < 5)
            {
                Assert.That(participantCounts, Has.Count.LessThan(200), "data entry did not go on during the pulls");
                var (zip, _) = await BundleAsync(statistician);
                var participants = Entry(zip, "participants.csv").Rows.Select(r => r["participant_code"]).ToHashSet();
                var assessments = Entry(zip, "assessments.csv").Rows.Select(r => (r["participant_code"], r["visit_code"], r["timepoint"], r["instrument"])).ToList();
                var items = Entry(zip, "items.csv").Rows.Select(r => (r["USUBJID"], r["VISIT"], r["QSTPT"], r["QSCAT"])).Distinct().ToList();
                var efficacy = Entry(zip, "efficacy.csv").Rows.Where(r => r["paramcd"] == "MADRSTOT").Select(r => r["participant_code"]).ToList();
                var visits = Entry(zip, "visits.csv").Rows.Select(r => r["participant_code"]).ToHashSet();

                Assert.That(assessments.Select(a => a.Item1).Distinct(), Is.SubsetOf(participants));
                Assert.That(items, Is.EquivalentTo(assessments), "items.csv holds the items of exactly the assessments in assessments.csv");
                Assert.That(efficacy, Is.EquivalentTo(assessments.Where(a => a.Item4 == "MADRS").Select(a => a.Item1)));
                Assert.That(visits, Is.EquivalentTo(participants));
                var manifest = Manifest(zip)["files"]!.AsArray();
                Assert.That(manifest.Single(f => f!["name"]!.GetValue<string>() == "participants.csv")!["rows"]!.GetValue<int>(), Is.EqualTo(participants.Count));
                participantCounts.Add(participants.Count);
            }
            Assert.That(participantCounts, Is.Ordered, "each later bundle is a later moment");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        Assert.That(entered, Is.GreaterThan(2));
    }

    [Test]
    public async Task Since_OnlyRowsCreatedOrChangedSince_AndTheHeadersSayWhereTheNextPullStarts()
    {
        await EnrolAndAssessAsync(); // 12:00
        var first = await PullAsync("items");
        var snapshot = DateTime.Parse(first.Headers.GetValues(ExportEndpoints.SnapshotHeader).Single(), null, System.Globalization.DateTimeStyles.RoundtripKind);
        var next = DateTime.Parse(first.Headers.GetValues(ExportEndpoints.NextSinceHeader).Single(), null, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.That(snapshot, Is.EqualTo(TrialHost.StartTime.UtcDateTime));
        Assert.That(next, Is.EqualTo(snapshot - ExtractPull.IncrementalOverlap));

        _host.Clock.Advance(TimeSpan.FromHours(1)); // 13:00: a new participant, and a correction of the first one's MADRS
        await EnrolAndAssessAsync();
        var madrs = (await (await _host.Admin.GetAsync("/api/v1/participants/WAW-0001/assessments")).Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonArray>())!
            .Single(a => a!["instrument"]!.GetValue<string>() == "MADRS")!;
        var corrected = await _investigator.SendAsync(Put($"/api/v1/assessments/{madrs["id"]}",
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items = Madrs(28, 1), reason = "Item 1 misread" }, "\"1\""));
        await corrected.JsonAsync(HttpStatusCode.OK);

        const string since = "?since=2026-03-10T12:30:00Z";
        var assessments = await CsvAsync(_host.Admin, "assessments", since);
        Assert.That(assessments.Rows.Select(r => (r["participant_code"], r["instrument"])),
            Is.EquivalentTo(new[] { ("WAW-0001", "MADRS"), ("WAW-0002", "MADRS"), ("WAW-0002", "BSL23") }));
        var items = await CsvAsync(_host.Admin, "items", since);
        Assert.That(items.Rows, Has.Count.EqualTo(10 + 10 + 23));
        Assert.That((await CsvAsync(_host.Admin, "participants", since)).Rows.Select(r => r["participant_code"]), Is.EqualTo(new[] { "WAW-0002" }));
        var efficacy = await CsvAsync(_host.Admin, "efficacy", since);
        Assert.That(efficacy.Rows.Where(r => r["paramcd"] == "MADRSTOT").Select(r => (r["participant_code"], r["aval"])),
            Is.EquivalentTo(new[] { ("WAW-0001", "28"), ("WAW-0002", "30") }));
        Assert.That((await CsvAsync(_host.Admin, "items", "?since=2026-03-10T13:00:01Z")).Rows, Is.Empty);
    }

    [Test]
    public async Task Since_BaselineFlags_AsAWholePullHasThem_EvenWithoutTheBlRowsInThePull()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var bl = Madrs(30, 1);
        bl[2] = null; // item 3 unanswered at BL: its baseline is INF1 pre's
        await AssessAsync(_investigator, code, "BL", null, "MADRS", bl);
        _host.Clock.Advance(TimeSpan.FromHours(1));
        await AssessAsync(_investigator, code, "INF1", "pre", "MADRS", Madrs(28, 1));

        string[] Flagged(Csv items) => [.. items.Rows.Where(r => r["QSBLFL"] == "Y").Select(r => $"{r["VISIT"]} {r["QSTESTCD"]}")];
        var whole = await CsvAsync(_host.Admin, "items");
        var expected = Enumerable.Range(1, 10).Where(i => i != 3).Select(i => $"BL MADRS{i:00}").Append("INF1 MADRS03").ToArray();
        Assert.That(Flagged(whole), Is.EquivalentTo(expected));

        var since = await CsvAsync(_host.Admin, "items", "?since=2026-03-10T12:30:00Z");
        Assert.That(since.Rows.Select(r => r["VISIT"]).Distinct(), Is.EqualTo(new[] { "INF1" }), "only the INF1 pre rows changed since");
        Assert.That(Flagged(since), Is.EqualTo(new[] { "INF1 MADRS03" }), "the BL records are read to flag INF1 pre's, whatever the since");
    }

    private async Task<HttpResponseMessage> PullAsync(string dataset)
    {
        var response = await _host.Admin.GetAsync($"/api/v1/exports/{dataset}.csv");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return response;
    }
}
