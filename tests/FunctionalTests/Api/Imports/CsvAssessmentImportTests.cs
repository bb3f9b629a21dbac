using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Tests.Api.Safety;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Imports;

/// <summary>
/// POST /api/v1/imports/assessments with text/csv in the layout of items.csv (one row per item) through the real host: the
/// rows of each assessment are assembled into the line a JSON import gives, and go through the same pipeline.
/// </summary>
public class CsvAssessmentImportTests : WawSiteFixture
{
    private const string Url = "/api/v1/imports/assessments";
    private const string Header = "USUBJID,QSSEQ,QSTESTCD,QSCAT,QSORRES,VISIT,QSTPT,QSDTC,rowKey";
    private static readonly DateTime Administered = new(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    private async Task<string> NewParticipantAsync()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        foreach (var visit in new[] { "BL", "INF1" })
            await TrialHost.RecordVisitAsync(_investigator, code, visit, DateOnly.FromDateTime(Administered));
        return code;
    }

    /// <summary>An assessment's rows, one per item, with a QSSEQ (which the import ignores) and its time as items.csv writes it (Warsaw, +01:00).</summary>
    private static IEnumerable<string> Rows(string code, string visit, string? timepoint, string instrument, decimal?[] items, string? rowKey = null) =>
        items.Select((value, i) => string.Join(",", code, 100 + i, $"{instrument}{i + 1:00}", instrument, value?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            visit, timepoint, Administered.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'+01:00'"), rowKey));

    private static StringContent Csv(IEnumerable<string> rows, string header = Header) =>
        new(string.Join("\r\n", rows.Prepend(header)) + "\r\n", Encoding.UTF8, "text/csv");

    private static async Task<JsonObject> ImportAsync(HttpClient client, IEnumerable<string> rows, string query = "")
    {
        var response = await client.PostAsync(Url + query, Csv(rows));
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    private Task<JsonObject> ImportAsync(IEnumerable<string> rows, string query = "") => ImportAsync(_investigator, rows, query);

    private static async Task<JsonArray> StoredAsync(HttpClient client, string code) =>
        await (await client.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync();

    private static JsonNode Result(JsonObject import, int index) => import["results"]![index]!;

    private static string Status(JsonObject import, int index) => Result(import, index)["status"]!.GetValue<string>();

    private static string[] Messages(JsonObject import, int index, string column) =>
        Result(import, index)["problem"]!["errors"]![column]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();

    private Task<long> AssessmentAuditRowsAsync() =>
        _host.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM AuditEvent WHERE EntityType = 'assessment'"));

    [Test]
    public async Task CsvImport_DryRun_ChecksEveryAssessmentAndStoresNothing()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();

        var import = await ImportAsync([
            .. Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1), rowKey: "csv-dry-1"),
            .. Rows(code, "INF1", "pre", "BSL23", Filled(23, 1)),
            .. Rows(code, "INF2", "pre", "MADRS", Madrs(20, item10: 1)),
        ], "?dryRun=true");

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(1));
        // Each assessment is one row of the answer, numbered by its first line (the header is line 1).
        Assert.That(import["results"]!.AsArray().Select(r => r!["row"]!.GetValue<int>()), Is.EqualTo(new[] { 2, 12, 35 }));
        Assert.That(Result(import, 0)["id"], Is.Null);
        Assert.That(Result(import, 2)["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(409), import.ToJsonString());
        Assert.That(await StoredAsync(_investigator, code), Is.Empty);
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditBefore));

        // The dry run kept no row key: the real import stores the assessment.
        var real = await ImportAsync(Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1), rowKey: "csv-dry-1"));
        Assert.That(real["accepted"]!.GetValue<int>(), Is.EqualTo(1), real.ToJsonString());
        Assert.That(await StoredAsync(_investigator, code), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task CsvImport_PerRowWithOneBadItem_RefusesThatAssessmentNamingTheColumnAndLineAndStoresTheOthers()
    {
        var code = await NewParticipantAsync();

        var import = await ImportAsync([
            .. Rows(code, "BL", null, "MADRS", Madrs(27, item10: 2)),
            .. Rows(code, "INF1", "pre", "MADRS", With(Madrs(20, item10: 1), 10, 9)),
            .. Rows(code, "INF1", "pre", "BSL23", Filled(23, 2)),
        ]);

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());
        Assert.That(Status(import, 1), Is.EqualTo("refused"));
        Assert.That(Result(import, 1)["row"]!.GetValue<int>(), Is.EqualTo(12));
        // Item 10 of the second assessment is on line 21: the problem names the column that holds it and the line, as JSON names items[10].
        Assert.That(Result(import, 1)["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(422));
        Assert.That(Messages(import, 1, "QSORRES"), Has.Length.EqualTo(1));
        Assert.That(Messages(import, 1, "QSORRES")[0], Does.StartWith("Line 21 (MADRS10): ").And.Contain("got 9"), import.ToJsonString());
        var stored = await StoredAsync(_investigator, code);
        Assert.That(stored.Select(a => a!["id"]!.GetValue<string>()),
            Is.EquivalentTo(new[] { Result(import, 0)["id"]!.GetValue<string>(), Result(import, 2)["id"]!.GetValue<string>() }));
        var baseline = stored.Single(a => a!["visitCode"]!.GetValue<string>() == "BL")!;
        Assert.That(baseline["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(27m));
        Assert.That(baseline["administeredUtc"]!.GetValue<DateTime>(), Is.EqualTo(Administered), "QSDTC's offset is kept: 10:00+01:00 is 09:00Z");
    }

    [Test]
    public async Task CsvImport_AtomicWithOneBadAssessment_StoresNothing()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();

        var import = await ImportAsync([
            .. Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1)),
            .. Rows(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1)),
            .. Rows(code, "INF2", "pre", "MADRS", Madrs(20, item10: 1)),
        ], "?mode=atomic");

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(0), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Result(import, 0)["problem"]!["firstRefusedRow"]!.GetValue<int>(), Is.EqualTo(22));
        Assert.That(Result(import, 2)["problem"]!["detail"]!.GetValue<string>(), Does.Contain("INF2"));
        Assert.That(await StoredAsync(_investigator, code), Is.Empty);
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditBefore));
    }

    [Test]
    public async Task CsvImport_SameRowKeysAgain_GivesTheFirstIdsAndStoresNothingTwice([Values("per-row", "atomic")] string mode)
    {
        var code = await NewParticipantAsync();
        string[] rows = [
            .. Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1), rowKey: $"csv-{mode}-a"),
            .. Rows(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1), rowKey: $"csv-{mode}-b"),
        ];
        var first = await ImportAsync(rows, $"?mode={mode}");
        Assert.That(first["accepted"]!.GetValue<int>(), Is.EqualTo(2), first.ToJsonString());
        var auditAfterFirst = await AssessmentAuditRowsAsync();

        var again = await ImportAsync(rows, $"?mode={mode}");

        Assert.That(again["accepted"]!.GetValue<int>(), Is.EqualTo(2), again.ToJsonString());
        for (var i = 0; i < 2; i++)
        {
            Assert.That(Result(again, i)["id"]!.GetValue<string>(), Is.EqualTo(Result(first, i)["id"]!.GetValue<string>()));
            Assert.That(Result(again, i)["rowKey"]!.GetValue<string>(), Is.EqualTo($"csv-{mode}-{(char)('a' + i)}"));
        }
        Assert.That(await StoredAsync(_investigator, code), Has.Count.EqualTo(2));
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditAfterFirst));

        // The same key with other items is refused naming the rowKey column and the line it is on.
        var changed = await ImportAsync(Rows(code, "BL", null, "MADRS", Madrs(24, item10: 1), rowKey: $"csv-{mode}-a"), $"?mode={mode}");
        Assert.That(Messages(changed, 0, "rowKey")[0], Does.StartWith("Line 2:"), changed.ToJsonString());
    }

    [Test]
    public async Task CsvImport_MadrsWithHighItem10_RaisesTheAlertTheSinglePostRaises()
    {
        var code = await NewParticipantAsync();
        var import = await ImportAsync([
            .. Rows(code, "BL", null, "MADRS", Madrs(28, item10: 3)),
            .. Rows(code, "INF1", "pre", "MADRS", Madrs(29, item10: 4)),
        ]);
        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());

        var alerts = await SafetyTestKit.SettledAlertsAsync(_host, _monitor, code, ignoreRules: SafetyTestKit.MissedVisits);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        SafetyTestKit.AssertAlert(alerts[0], "MADRS10_HIGH", "high", code, "INF1", SafetyTestKit.Source(Guid.Parse(Result(import, 1)["id"]!.GetValue<string>())),
            "MADRS item 10", "= 4");
    }

    [Test]
    public async Task CsvImport_AssessmentWhoseRowsAreNotConsecutive_IsRefusedNamingTheLines()
    {
        var code = await NewParticipantAsync();
        var baseline = Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1)).ToList();

        // BL's items 1-5 on lines 2-6, INF1's ten items on lines 7-16, BL's items 6-10 on lines 17-21.
        var import = await ImportAsync([.. baseline.Take(5), .. Rows(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1)), .. baseline.Skip(5)]);

        Assert.That(import["results"]!.AsArray().Select(r => (r!["row"]!.GetValue<int>(), r["status"]!.GetValue<string>())),
            Is.EqualTo(new[] { (2, "refused"), (7, "accepted"), (17, "refused") }), import.ToJsonString());
        Assert.That(Messages(import, 0, "QSTESTCD")[0], Does.StartWith("Lines 2-6: MADRS06, MADRS07, MADRS08, MADRS09, MADRS10 missing"), import.ToJsonString());
        Assert.That(Messages(import, 2, "QSTESTCD")[0], Does.StartWith("Line 17:").And.Contain("starts on line 2").And.Contain("consecutive"), import.ToJsonString());
        Assert.That((await StoredAsync(_investigator, code)).Select(a => a!["visitCode"]!.GetValue<string>()), Is.EqualTo(new[] { "INF1" }));
    }

    [Test]
    public async Task CsvImport_TimeWithoutZoneItemTwiceOrTwoRowKeys_AreRefusedNamingTheColumnAndLine()
    {
        var code = await NewParticipantAsync();
        var noZone = Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1)).Select(r => r.Replace("+01:00", "")).ToList();
        var twice = Rows(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1)).ToList();
        twice[4] = twice[4].Replace("MADRS05", "MADRS04");
        var twoKeys = Rows(code, "INF1", "pre", "BSL23", Filled(23, 1), rowKey: "k-1").ToList();
        twoKeys[22] = twoKeys[22].Replace("k-1", "k-2");

        // Lines 2-11, 12-21 (line 16 repeats MADRS04), 22-44 (line 44 another key).
        var import = await ImportAsync([.. noZone, .. twice, .. twoKeys]);

        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(3), import.ToJsonString());
        Assert.That(Messages(import, 0, "QSDTC")[0], Does.StartWith("Line 2:").And.Contain("time zone"), import.ToJsonString());
        Assert.That(Messages(import, 1, "QSTESTCD"), Has.Some.StartWith("Line 16: MADRS04 is given twice"), import.ToJsonString());
        Assert.That(Messages(import, 2, "rowKey")[0], Does.StartWith("Line 44: rowKey 'k-2' differs"), import.ToJsonString());
        Assert.That(await StoredAsync(_investigator, code), Is.Empty);
    }

    [Test]
    public async Task CsvImport_HeaderWithoutARequiredColumn_IsOne422NamingItAndStoresNothing()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();
        var rows = Rows(code, "BL", null, "MADRS", Madrs(20, item10: 1));

        var response = await _investigator.PostAsync(Url, Csv(rows, header: Header.Replace("QSDTC", "QSDATE")));

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "QSDTC" }), problem.ToJsonString());
        Assert.That(problem["results"], Is.Null);
        Assert.That(await StoredAsync(_investigator, code), Is.Empty);
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditBefore));
    }

    [Test]
    public async Task Import_AnotherMediaType_Is415NamingBothItTakes()
    {
        var response = await _investigator.PostAsync(Url, new StringContent("<xml/>", Encoding.UTF8, "application/xml"));

        var problem = await response.ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("Content-Type"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("text/csv").And.Contain("application/x-ndjson"));
    }

    [Test]
    public async Task CsvImport_ItemsCsvPulledFromOneStudy_ImportsIntoAnotherAsItIsWithTheSameScores()
    {
        await using var source = TrialHost.Start();
        await using var target = TrialHost.Start();
        var clients = new List<HttpClient>();
        foreach (var host in new[] { source, target })
        {
            await host.CreateSiteAsync("WAW");
            clients.Add(await host.UserAsync("investigator", "WAW"));
        }
        var (sourceInvestigator, targetInvestigator) = (clients[0], clients[1]);
        foreach (var investigator in clients)
        {
            var enrolled = await TrialHost.EnrolAsync(investigator, "WAW");
            Assert.That(enrolled, Is.EqualTo("WAW-0001"));
            foreach (var visit in new[] { "BL", "INF1" })
                await TrialHost.RecordVisitAsync(investigator, enrolled, visit, DateOnly.FromDateTime(Administered));
        }
        const string code = "WAW-0001";
        // Entered by hand in the source study, one with an unanswered item.
        await SafetyTestKit.AssessAtAsync(sourceInvestigator, code, "BL", null, "MADRS", Madrs(31, item10: 2), Administered);
        await SafetyTestKit.AssessAtAsync(sourceInvestigator, code, "INF1", "pre", "MADRS", With(Madrs(24, item10: 1), 3, null), Administered.AddHours(1));
        await SafetyTestKit.AssessAtAsync(sourceInvestigator, code, "INF1", "pre", "BSL23", Bsl(2, (5, 4), (17, 0)), Administered.AddHours(1));
        var statistician = await source.UserAsync("statistician", "WAW");
        var itemsCsv = await (await statistician.GetAsync("/api/v1/exports/items.csv")).Content.ReadAsStringAsync();
        Assert.That(itemsCsv, Does.StartWith("STUDYID,DOMAIN,USUBJID,QSSEQ,"), itemsCsv);

        var response = await targetInvestigator.PostAsync(Url, new StringContent(itemsCsv, Encoding.UTF8, "text/csv"));

        var import = await response.JsonAsync(HttpStatusCode.OK);
        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(3), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(0));
        var (before, after) = (await StoredAsync(sourceInvestigator, code), await StoredAsync(targetInvestigator, code));
        Assert.That(after.Select(Comparable), Is.EquivalentTo(before.Select(Comparable)));
        Assert.That(before.Select(a => a!["items"]!.ToJsonString()), Has.Some.Contains("null"), "an unanswered item went across");

        // What an assessment is, without what each study gives it (id, time received, version).
        static string Comparable(JsonNode? a) => JsonSerializer.Serialize(new[] { "visitCode", "timepoint", "instrument", "administeredUtc", "items", "scores", "complete", "severityBand" }
            .Select(field => a![field]?.ToJsonString()));
    }
}
