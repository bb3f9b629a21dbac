using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Fuzz;

/// <summary>
/// Bad input at every write endpoint, generated from a valid body by FsCheck: fields replaced by values of the wrong type,
/// nulls, huge, negative and fractional numbers, long and odd strings (control characters, right-to-left marks, emoji),
/// impossible and far dates, unknown codes, missing and duplicated keys, unknown fields, malformed JSON, wrong content
/// types. Whatever comes: never a 5xx; an error is problem+json, a 400 or 422 names the field; and a refused request
/// changes nothing (row counts and the audit trail). FsCheck prints the seed of a failure so it can be replayed.
/// </summary>
[NonParallelizable]
public class WriteFuzzTests
{
    private const int CasesPerEndpoint = 100;
    private static TrialHost _host = null!;
    private static HttpClient _investigator = null!, _monitor = null!;
    private static string _code = null!, _assessment = null!, _adverseEvent = null!, _alert = null!;

    /// <summary>A write endpoint: who calls it, where, with which valid body, and the If-Match it needs (read fresh each time).</summary>
    private sealed record Endpoint(string Name, Func<HttpClient> Caller, HttpMethod Method, string Url, JsonObject Valid, bool NeedsETag = false);

    private static readonly DateTime Inf1Start = new(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc);

    private static JsonObject Json(object value) => JsonSerializer.SerializeToNode(value, JsonSerializerOptions.Web)!.AsObject();

    private static IEnumerable<Endpoint> Endpoints()
    {
        var visit = $"/api/v1/participants/{_code}/visits";
        var infusion = Json(new { weightKg = 61.5m, doseMgPerKg = 0.5m, route = "IV", startUtc = Inf1Start, endUtc = Inf1Start.AddMinutes(40), reason = "Corrected." });
        var vitals = Json(new { timepoint = "t40", systolic = 130, diastolic = 80, heartRate = 70, spo2 = 98, reason = "Corrected." });
        var assessment = Json(new { instrument = "MADRS", timepoint = "t40", administeredUtc = Inf1Start.AddMinutes(50), items = Madrs(20, item10: 1), unscheduled = true, reason = "Corrected." });
        var adverseEvent = Json(AdverseEvent("Headache") with { Reason = "Corrected." });
        return
        [
            new("CreateSite", () => _host.Admin, HttpMethod.Post, "/api/v1/sites", Json(new { code = "GDA", name = "Gdansk", timeZone = "Europe/Warsaw" })),
            new("CreateUser", () => _host.Admin, HttpMethod.Post, "/api/v1/users", Json(new { name = "Dr C", role = "monitor", sites = new[] { "WAW" } })),
            new("EnrolParticipant", () => _investigator, HttpMethod.Post, "/api/v1/participants", Json(TrialHost.EligibleParticipant("WAW"))),
            new("RecordVisit", () => _investigator, HttpMethod.Put, $"{visit}/POST24", Json(new { actualDate = "2026-03-03", reason = "Corrected." })),
            new("RecordInfusion", () => _investigator, HttpMethod.Post, $"{visit}/INF2/infusion", infusion),
            new("CorrectInfusion", () => _investigator, HttpMethod.Put, $"{visit}/INF1/infusion", infusion, NeedsETag: true),
            new("RecordVitals", () => _investigator, HttpMethod.Post, $"{visit}/INF1/vitals", vitals),
            new("CorrectVitals", () => _investigator, HttpMethod.Put, $"{visit}/INF1/vitals/pre", vitals, NeedsETag: true),
            new("CreateAssessment", () => _investigator, HttpMethod.Post, $"{visit}/INF1/assessments", assessment),
            new("CorrectAssessment", () => _investigator, HttpMethod.Put, $"/api/v1/assessments/{_assessment}", Json(new
            {
                instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items = Madrs(21, item10: 1), reason = "Corrected.",
            }), NeedsETag: true),
            new("RecordAdverseEvent", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_code}/adverse-events", adverseEvent),
            new("UpdateAdverseEvent", () => _investigator, HttpMethod.Put, $"/api/v1/adverse-events/{_adverseEvent}", adverseEvent, NeedsETag: true),
            new("DiscontinueInfusions", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_code}/discontinuation", Json(new { date = "2026-03-09", reason = "Dissociation." })),
            new("WithdrawParticipant", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_code}/withdrawal", Json(new { date = "2026-03-09", reason = "Moved." })),
            new("AcknowledgeSafetyAlert", () => _monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{_alert}/acknowledge", Json(new { comment = "Seen." })),
            new("ResolveSafetyAlert", () => _monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{_alert}/resolve", Json(new { comment = "Handled." })),
            new("EscalateSafetyAlert", () => _monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{_alert}/escalate", Json(new { reason = "Urgent." })),
        ];
    }

    public static IEnumerable<TestCaseData> EndpointNames() =>
        new[] { "CreateSite", "CreateUser", "EnrolParticipant", "RecordVisit", "RecordInfusion", "CorrectInfusion", "RecordVitals", "CorrectVitals",
                "CreateAssessment", "CorrectAssessment", "RecordAdverseEvent", "UpdateAdverseEvent", "DiscontinueInfusions", "WithdrawParticipant",
                "AcknowledgeSafetyAlert", "ResolveSafetyAlert", "EscalateSafetyAlert" }
            .Select(n => new TestCaseData(n).SetName($"Fuzz_{n}_NeverServerErrorAndRefusalsChangeNothing"));

    [OneTimeSetUp]
    public static async Task StartAsync()
    {
        _host = TrialHost.Start(settings: new Dictionary<string, string?> { ["RateLimit:PermitsPerWindow"] = "0" });
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
        _code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, _code, "BL", new DateOnly(2026, 3, 1));
        await TrialHost.RecordVisitAsync(_investigator, _code, "INF1", DateOnly.FromDateTime(Inf1Start));
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{_code}/visits/INF1/infusion",
            new { weightKg = 61.5m, doseMgPerKg = 0.5m, route = "IV", startUtc = Inf1Start, endUtc = Inf1Start.AddMinutes(40) })).JsonAsync(HttpStatusCode.Created);
        await VitalsAsync(_investigator, _code, "INF1", "pre", 130, 80, 70, 98);
        _assessment = (await AssessAsync(_investigator, _code, "BL", null, "MADRS", Madrs(30, item10: 5))).ToString();
        _adverseEvent = (await RecordAdverseEventAsync(_investigator, _code, AdverseEvent("Headache")))["id"]!.GetValue<string>();
        _alert = (await SettledAlertsAsync(_host, _monitor, _code)).First(a => Rule(a) == "MADRS10_HIGH")!["id"]!.GetValue<string>();
    }

    [OneTimeTearDown]
    public static async Task StopAsync() => await _host.DisposeAsync();

    // --- generators ---

    private static readonly string[] OddStrings =
    [
        "", " ", "\u0000", "\t\r\n", "\u202Eevil", "😀💊🩺", "'; DROP TABLE Participant; --", "<script>alert(1)</script>", "null", "NaN", "1e309",
        "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "2026-03-01T09:00:00", "2026-03-01T25:00:00Z", "99999-01-01T00:00:00Z", "WAW-0001",
        "Europe/Atlantis", "ZZZ", "ASC5D", "t999", "definitely-not-a-role", new string('x', 5000), "\uFFFF\uFFFE", "\\u0000",
    ];

    private static Gen<JsonNode?> OddValue() => Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        Gen.Elements(OddStrings).Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Elements(new decimal[] { -1, 0, 0.5m, -0.0001m, 1e20m, 79228162514264337593543950335m, 3.14159m, 61.123456789m })
            .Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Elements(long.MinValue, int.MaxValue, -2_147_483_649L, 1_000_000_000_000L).Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Constant<JsonNode?>(new JsonArray(1, "two", null, new JsonObject())),
        Gen.Constant<JsonNode?>(new JsonObject { ["nested"] = new JsonArray() }));

    /// <summary>A request that is wrong in one or a few ways: the body as text, and the content type it is sent with.</summary>
    private sealed record BadRequest(string Body, string ContentType, string What)
    {
        public override string ToString() => $"{What}: {ContentType} {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
    }

    private static Gen<BadRequest> Mutations(JsonObject valid)
    {
        var names = valid.Select(p => p.Key).ToArray();
        var replaceField =
            from name in Gen.Elements(names)
            from value in OddValue()
            select Mutate(valid, b => b[name] = value?.DeepClone(), $"{name} = {value?.ToJsonString() ?? "null"}");
        var removeField = Gen.Elements(names).Select(name => Mutate(valid, b => b.Remove(name), $"without {name}"));
        var unknownField = OddValue().Select(v => Mutate(valid, b => b["unexpected"] = v?.DeepClone(), "an unknown field"));
        var twoFields =
            from first in Gen.Elements(names)
            from second in Gen.Elements(names)
            from v1 in OddValue()
            from v2 in OddValue()
            select Mutate(valid, b => { b[first] = v1?.DeepClone(); b[second] = v2?.DeepClone(); }, $"{first} and {second} changed");
        var duplicateKey =
            from name in Gen.Elements(names)
            from value in OddValue()
            let json = valid.ToJsonString()
            select new BadRequest(json[..^1] + $",\"{name}\":{value?.ToJsonString() ?? "null"}}}", "application/json", $"{name} given twice");
        var malformed = Gen.Elements(
            new BadRequest(valid.ToJsonString()[..(valid.ToJsonString().Length / 2)], "application/json", "truncated JSON"),
            new BadRequest("", "application/json", "an empty body"),
            new BadRequest("null", "application/json", "null"),
            new BadRequest("[1,2,3]", "application/json", "an array"),
            new BadRequest("{\"a\":}", "application/json", "invalid JSON"),
            new BadRequest("\u00ff\u00fe garbage \u0001", "application/json", "bytes that are not JSON"),
            new BadRequest(valid.ToJsonString(), "text/plain", "a wrong content type"),
            new BadRequest(valid.ToJsonString(), "application/xml", "XML content type"),
            new BadRequest("{" + string.Concat(Enumerable.Repeat("\"a\":[", 200)) + "}", "application/json", "deeply nested"));
        return Gen.Frequency(
            (5, replaceField), (2, removeField), (1, unknownField), (2, twoFields), (1, duplicateKey), (2, malformed));
    }

    private static BadRequest Mutate(JsonObject valid, Action<JsonObject> change, string what)
    {
        var body = valid.DeepClone().AsObject();
        change(body);
        return new BadRequest(body.ToJsonString(), "application/json", what);
    }

    // --- the property ---

    /// <summary>
    /// Rows in every table of clinical or access data, and rows of the audit trail. A refused request leaves both as they
    /// were, except that a refusal of access (403) is itself recorded in the trail by design, so those rows are not counted.
    /// </summary>
    private static (long Rows, long Audit) Footprint()
    {
        using var c = new SqliteConnection($"Data Source={_host.DatabasePath};Mode=ReadOnly");
        var tables = c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('IdempotentResponse', 'ScheduledVisit', 'AuditChainHead') AND name NOT LIKE 'sqlite_%'");
        long rows = 0;
        foreach (var table in tables) rows += c.ExecuteScalar<long>($"SELECT COUNT(*) FROM \"{table}\"");
        var denials = c.ExecuteScalar<long>("SELECT COUNT(*) FROM AuditEvent WHERE Action = 'access-denied'");
        return (rows - denials, c.ExecuteScalar<long>("SELECT COUNT(*) FROM AuditEvent") - denials);
    }

    private static async Task<string?> ProblemAsync(Endpoint endpoint, BadRequest bad)
    {
        await WaitEvaluatedAsync(_host, _code); // background evaluation would change the row counts under the check
        var before = Footprint();
        var request = new HttpRequestMessage(endpoint.Method, endpoint.Url) { Content = new StringContent(bad.Body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(bad.ContentType);
        if (endpoint.NeedsETag) request.Headers.IfMatch.ParseAdd((await endpoint.Caller().GetAsync(endpoint.Url.Replace("/infusion", "/infusion"))).Headers.ETag!.ToString());
        var response = await endpoint.Caller().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status >= 500) return $"{status} for {bad}: {text}";
        if (status < 400) return null; // the mutation happened to be valid: a legitimate change
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return $"{status} without problem+json for {bad}: {text}";
        var problem = JsonNode.Parse(text)!.AsObject();
        if (status is 400 or 422 && problem["errors"] is null && problem["field"] is null) return $"{status} naming no field for {bad}: {text}";
        await WaitEvaluatedAsync(_host, _code);
        var after = Footprint();
        if (after != before) return $"{status} but the database changed ({before} -> {after}) for {bad}: {text}";
        return null;
    }

    [TestCaseSource(nameof(EndpointNames))]
    public void Fuzz_Endpoint_NeverServerErrorAndRefusalsChangeNothing(string name)
    {
        var endpoint = Endpoints().Single(e => e.Name == name);
        Prop.ForAll(Mutations(endpoint.Valid).ToArbitrary(), bad =>
        {
            var failure = ProblemAsync(endpoint, bad).GetAwaiter().GetResult();
            return failure is null ? true.Label("ok") : false.Label(failure);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(CasesPerEndpoint));
    }
}
