using System.Net;
using System.Net.Http.Json;
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
/// POST /api/v1/imports/assessments through the real host: each row goes through the single POST's use case, so what is
/// stored, refused, audited and evaluated is what the single POST would give.
/// </summary>
public class AssessmentImportTests : WawSiteFixture
{
    private const string Url = "/api/v1/imports/assessments";
    private static readonly DateTime Administered = new(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>A participant whose BL and INF1 visits took place on the day of <see cref="Administered"/>.</summary>
    private async Task<string> NewParticipantAsync()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        foreach (var visit in new[] { "BL", "INF1" })
            await TrialHost.RecordVisitAsync(_investigator, code, visit, DateOnly.FromDateTime(Administered));
        return code;
    }

    private static string Line(string code, string visit, string? timepoint, string instrument, decimal?[] items, string? rowKey = null, DateTime? administeredUtc = null) =>
        JsonSerializer.Serialize(new { participantCode = code, visitCode = visit, rowKey, instrument, timepoint, administeredUtc = administeredUtc ?? Administered, items });

    private Task<JsonObject> ImportAsync(IEnumerable<string> lines, string query = "") => ImportAsync(_investigator, lines, query);

    private static async Task<JsonObject> ImportAsync(HttpClient client, IEnumerable<string> lines, string query = "")
    {
        var response = await client.PostAsync(Url + query, Ndjson(lines));
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    private static StringContent Ndjson(IEnumerable<string> lines) => new(string.Join("\n", lines) + "\n", Encoding.UTF8, "application/x-ndjson");

    private async Task<JsonArray> StoredAsync(string code) =>
        await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync();

    private static JsonNode Result(JsonObject import, int index) => import["results"]![index]!;

    private static string Status(JsonObject import, int index) => Result(import, index)["status"]!.GetValue<string>();

    private Task<long> AssessmentAuditRowsAsync() =>
        _host.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM AuditEvent WHERE EntityType = 'assessment'"));

    [Test]
    public async Task Import_PerRow_StoresEachValidRowWithOneAuditRowAndGivesItsId()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();

        var import = await ImportAsync([
            Line(code, "BL", null, "MADRS", [3, 4, 2, 3, 1, 3, 2, 3, 4, 2]),
            Line(code, "INF1", "pre", "MADRS", Madrs(25, item10: 1)),
        ]);

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(0));
        Assert.That(Result(import, 0)["row"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(Result(import, 1)["row"]!.GetValue<int>(), Is.EqualTo(2));
        var stored = await StoredAsync(code);
        Assert.That(stored.Select(a => a!["id"]!.GetValue<string>()),
            Is.EquivalentTo(new[] { Result(import, 0)["id"]!.GetValue<string>(), Result(import, 1)["id"]!.GetValue<string>() }));
        Assert.That(stored.Single(a => a!["visitCode"]!.GetValue<string>() == "BL")!["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(27m));
        Assert.That(await AssessmentAuditRowsAsync() - auditBefore, Is.EqualTo(2));
        foreach (var index in new[] { 0, 1 })
        {
            var trail = await (await _host.Admin.GetAsync($"/api/v1/audit?entity=assessment&id={Result(import, index)["id"]}")).JsonAsync(HttpStatusCode.OK);
            Assert.That(trail["items"]!.AsArray(), Has.Count.EqualTo(1), trail.ToJsonString());
        }
    }

    [Test]
    public async Task Import_DryRun_StoresNothingAndReportsEveryRow()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();

        var import = await ImportAsync([
            Line(code, "BL", null, "MADRS", Madrs(20, item10: 1), rowKey: "dry-1"),
            Line(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1)),
            Line(code, "INF2", "pre", "MADRS", Madrs(20, item10: 1)),
        ], "?dryRun=true");

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(Status(import, 0), Is.EqualTo("accepted"));
        Assert.That(Result(import, 0)["id"], Is.Null);
        Assert.That(Status(import, 2), Is.EqualTo("refused"));
        Assert.That(Result(import, 2)["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(409));
        Assert.That(await StoredAsync(code), Is.Empty);
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditBefore));

        // The row key of a dry run was not kept: the real import stores the row.
        var real = await ImportAsync([Line(code, "BL", null, "MADRS", Madrs(20, item10: 1), rowKey: "dry-1")]);
        Assert.That(real["accepted"]!.GetValue<int>(), Is.EqualTo(1), real.ToJsonString());
        Assert.That(await StoredAsync(code), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Import_RefusedRows_EachGivesTheSinglePostsProblemNamingTheField()
    {
        var code = await NewParticipantAsync();
        var unknown = Line(code, "BL", null, "HAMD", Madrs(20, item10: 1));
        var outOfRange = Line(code, "BL", null, "MADRS", [3, 4, 2, 3, 1, 3, 2, 3, 4, 9]);
        var notRecorded = Line(code, "INF2", "pre", "MADRS", Madrs(20, item10: 1));

        var import = await ImportAsync([unknown, outOfRange, notRecorded, Line(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1))]);

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(1), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Result(import, 0)["problem"]!["errors"]!.AsObject().ContainsKey("instrument"), Is.True, import.ToJsonString());
        Assert.That(Result(import, 1)["problem"]!["errors"]!.AsObject().ContainsKey("items[10]"), Is.True, import.ToJsonString());
        Assert.That(Result(import, 2)["problem"]!["detail"]!.GetValue<string>(), Does.Contain("INF2"), import.ToJsonString());
        Assert.That(Status(import, 3), Is.EqualTo("accepted"));
        Assert.That(await StoredAsync(code), Has.Count.EqualTo(1));

        // Each problem is the one the single POST answers with for the same body.
        for (var i = 0; i < 3; i++)
        {
            var line = JsonNode.Parse(new[] { unknown, outOfRange, notRecorded }[i])!.AsObject();
            var visit = line["visitCode"]!.GetValue<string>();
            foreach (var field in new[] { "participantCode", "visitCode", "rowKey" }) line.Remove(field);
            var single = await _investigator.PostAsync($"/api/v1/participants/{code}/visits/{visit}/assessments",
                new StringContent(line.ToJsonString(), Encoding.UTF8, "application/json"));
            var problem = (await single.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.That((int)single.StatusCode, Is.EqualTo(Result(import, i)["problem"]!["status"]!.GetValue<int>()));
            problem.Remove("traceId");
            var imported = Result(import, i)["problem"]!.DeepClone().AsObject();
            imported.Remove("traceId");
            Assert.That(imported.ToJsonString(), Is.EqualTo(problem.ToJsonString()));
        }
    }

    [Test]
    public async Task Import_MalformedLineOrMissingParticipant_IsRefusedNamingTheFieldAndTheOthersStored()
    {
        var code = await NewParticipantAsync();
        var import = await ImportAsync([
            "{ \"participantCode\": ",
            JsonSerializer.Serialize(new { visitCode = "BL", instrument = "MADRS", administeredUtc = Administered, items = Madrs(20, item10: 1) }),
            Line(code, "BL", null, "MADRS", Madrs(20, item10: 1)),
        ]);

        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());
        Assert.That(Result(import, 0)["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(400));
        Assert.That(Result(import, 1)["problem"]!["errors"]!.AsObject().ContainsKey("participantCode"), Is.True);
        Assert.That(Status(import, 2), Is.EqualTo("accepted"));
    }

    [Test]
    public async Task Import_AtomicWithOneRefusedRow_StoresNothingAndReportsEveryRow()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();

        var import = await ImportAsync([
            Line(code, "BL", null, "MADRS", Madrs(20, item10: 1)),
            Line(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1)),
            Line(code, "INF2", "pre", "MADRS", Madrs(20, item10: 1)),
        ], "?mode=atomic");

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(0), import.ToJsonString());
        Assert.That(import["refused"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Result(import, 0)["problem"]!["firstRefusedRow"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Result(import, 2)["problem"]!["detail"]!.GetValue<string>(), Does.Contain("INF2"));
        Assert.That(await StoredAsync(code), Is.Empty);
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditBefore));
    }

    [Test]
    public async Task Import_AtomicWithTwoRowsForOneSlot_StoresNothing()
    {
        var code = await NewParticipantAsync();
        var import = await ImportAsync([
            Line(code, "BL", null, "MADRS", Madrs(20, item10: 1)),
            Line(code, "BL", null, "MADRS", Madrs(22, item10: 1)),
        ], "?mode=atomic");

        Assert.That(Status(import, 1), Is.EqualTo("refused"), import.ToJsonString());
        Assert.That(Result(import, 1)["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(409));
        Assert.That(await StoredAsync(code), Is.Empty);
    }

    [Test]
    public async Task Import_AtomicAllValid_StoresEveryRow()
    {
        var code = await NewParticipantAsync();
        var auditBefore = await AssessmentAuditRowsAsync();

        var import = await ImportAsync([
            Line(code, "BL", null, "MADRS", Madrs(20, item10: 1)),
            Line(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1)),
            Line(code, "INF1", "pre", "BSL23", Filled(23, 1)),
        ], "?mode=atomic");

        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(3), import.ToJsonString());
        Assert.That((await StoredAsync(code)).Select(a => a!["id"]!.GetValue<string>()),
            Is.EquivalentTo(Enumerable.Range(0, 3).Select(i => Result(import, i)["id"]!.GetValue<string>())));
        Assert.That(await AssessmentAuditRowsAsync() - auditBefore, Is.EqualTo(3));
    }

    [Test]
    public async Task Import_SameRowKeysAgain_StoresNothingTwiceAndGivesTheFirstIds([Values("per-row", "atomic")] string mode)
    {
        var code = await NewParticipantAsync();
        string[] lines = [
            Line(code, "BL", null, "MADRS", Madrs(20, item10: 1), rowKey: $"{mode}-a"),
            Line(code, "INF1", "pre", "MADRS", Madrs(20, item10: 1), rowKey: $"{mode}-b"),
        ];
        var first = await ImportAsync(lines, $"?mode={mode}");
        var auditAfterFirst = await AssessmentAuditRowsAsync();

        var again = await ImportAsync(lines, $"?mode={mode}");

        Assert.That(again["accepted"]!.GetValue<int>(), Is.EqualTo(2), again.ToJsonString());
        for (var i = 0; i < 2; i++)
        {
            Assert.That(Result(again, i)["id"]!.GetValue<string>(), Is.EqualTo(Result(first, i)["id"]!.GetValue<string>()));
            Assert.That(Result(again, i)["rowKey"]!.GetValue<string>(), Is.EqualTo($"{mode}-{(char)('a' + i)}"));
        }
        Assert.That(await StoredAsync(code), Has.Count.EqualTo(2));
        Assert.That(await AssessmentAuditRowsAsync(), Is.EqualTo(auditAfterFirst));

        // The same key with another row is that row's error, not a silent replay.
        var changed = await ImportAsync([Line(code, "BL", null, "MADRS", Madrs(24, item10: 1), rowKey: $"{mode}-a")], $"?mode={mode}");
        Assert.That(Result(changed, 0)["problem"]!["errors"]!.AsObject().ContainsKey("rowKey"), Is.True, changed.ToJsonString());
    }

    [Test]
    public async Task Import_MadrsWithHighItem10_RaisesTheAlertTheSinglePostRaises()
    {
        var code = await NewParticipantAsync();
        var import = await ImportAsync([
            Line(code, "BL", null, "MADRS", Madrs(28, item10: 3)),
            Line(code, "INF1", "pre", "MADRS", Madrs(29, item10: 4)),
        ]);
        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(2), import.ToJsonString());

        var alerts = await SafetyTestKit.SettledAlertsAsync(_host, _monitor, code, ignoreRules: SafetyTestKit.MissedVisits);

        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        SafetyTestKit.AssertAlert(alerts[0], "MADRS10_HIGH", "high", code, "INF1", SafetyTestKit.Source(Guid.Parse(Result(import, 1)["id"]!.GetValue<string>())),
            "MADRS item 10", "= 4");
    }

    [Test]
    public async Task Import_AnotherSitesParticipant_IsRefusedForThatRow()
    {
        await _host.CreateSiteAsync("KRK");
        var krakow = await _host.UserAsync("investigator", "KRK");
        var code = await TrialHost.EnrolAsync(krakow, "KRK");
        await TrialHost.RecordVisitAsync(krakow, code, "BL", DateOnly.FromDateTime(Administered));

        var import = await ImportAsync([Line(code, "BL", null, "MADRS", Madrs(20, item10: 1))]);

        Assert.That(Result(import, 0)["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(403), import.ToJsonString());
        Assert.That(await (await krakow.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task Import_WrongMediaTypeOrMode_IsRefusedNamingIt()
    {
        var json = await _investigator.PostAsync(Url, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.That((await json.ProblemAsync(HttpStatusCode.UnsupportedMediaType))["field"]!.GetValue<string>(), Is.EqualTo("Content-Type"));
        var mode = await _investigator.PostAsync(Url + "?mode=sometimes", Ndjson(["{}"]));
        Assert.That((await mode.ProblemAsync(HttpStatusCode.UnprocessableEntity))["errors"]!.AsObject().ContainsKey("mode"), Is.True);
    }

    [Test]
    public async Task Import_HasItsOwnBodyLimitBesideTheSingleFormsOne()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?>
        {
            ["Limits:MaxRequestBodyKilobytes"] = "1", ["Imports:MaxRequestBodyMegabytes"] = "1",
        });
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.RecordVisitAsync(investigator, code, "BL", DateOnly.FromDateTime(Administered));
        // Blank lines are skipped: they make the body larger than a single form may be, not more rows.
        var blank = Enumerable.Repeat(new string(' ', 100), 30);

        var import = await ImportAsync(investigator, [Line(code, "BL", null, "MADRS", Madrs(20, item10: 1)), .. blank]);
        Assert.That(import["accepted"]!.GetValue<int>(), Is.EqualTo(1), import.ToJsonString());

        var tooLarge = await investigator.PostAsync(Url, Ndjson(Enumerable.Repeat(new string(' ', 100), 11_000)));
        Assert.That((await tooLarge.ProblemAsync(HttpStatusCode.RequestEntityTooLarge))["status"]!.GetValue<int>(), Is.EqualTo(413));
    }
}
