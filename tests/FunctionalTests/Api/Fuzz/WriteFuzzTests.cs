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
using Trial.Db.Audit;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Fuzz;

/// <summary>
/// Bad input at every write endpoint, generated from a valid body by FsCheck: fields replaced by values of the wrong type,
/// nulls, huge, negative and fractional numbers, long and odd strings (control characters, right-to-left marks, emoji),
/// impossible and far dates, unknown codes, missing and duplicated keys, unknown fields, malformed JSON, wrong content
/// types. Whatever comes: never a 5xx; an error is problem+json, a 400 or 422 names the field; a refused request
/// changes nothing (row counts and the audit trail); and a request that happens to be accepted stored what it sent (the
/// record read back through the API, the write's answer and its audit row hold every field sent that they name, and the
/// trail grew by the write's own rows). FsCheck prints the seed of a failure so it can be replayed.
/// Runs on the default, double-blind protocol; each endpoint that changes a participant's course (randomisation,
/// preparation, unblinding, guesses, withdrawal, discontinuation) has a participant of its own, in the state where its
/// valid body would be accepted. The allocation list is fuzzed where it can be imported (a protocol whose method is
/// imported-list, as JSON and as CSV) and on the default protocol, which refuses every import.
/// </summary>
[NonParallelizable]
public class WriteFuzzTests
{
    private const int CasesPerEndpoint = 100;
    private static TrialHost _host = null!, _listHost = null!;
    private static readonly TempFolder ListProtocolFolder = new();
    private static HttpClient _investigator = null!, _monitor = null!, _pharmacist = null!, _unblinded = null!, _listUnblinded = null!, _anonymous = null!;
    private static string _activationCode = null!;
    private static InfusionKit _kit = null!;
    private static string _code = null!, _assessment = null!, _adverseEvent = null!, _alert = null!, _medication = null!;
    private static string _toRandomise = null!, _toPrepare = null!, _toUnblind = null!, _toGuess = null!, _toDiscontinue = null!, _toWithdraw = null!;
    private static JsonObject _preparation = null!;

    /// <summary>
    /// A write endpoint: who calls it, where, with which valid body, the entity its audit row names, and the If-Match it needs
    /// (read fresh each time); the participant whose background evaluation must settle before rows are counted; the host it
    /// is called on (the double-blind one unless named); the valid body as CSV for an endpoint that also takes text/csv; and
    /// how an accepted write is read back through the API (given the write's answer): by default the record at the answer's
    /// Location, or at the endpoint's own URL, as it is; <see cref="NoRead"/> where the API has no read of the record.
    /// A read-back names the fields as the request does, so that each field sent is compared with the one it was stored in.
    /// <paramref name="Defaulted"/> are the fields whose null (or blank text) the application reads as not given, and fills in (a site's
    /// time zone, the enrolment date, the route's timepoint, the assessment's own instrument, no serious criteria, the
    /// latest weight): sent so, they hold the default.
    /// </summary>
    private sealed record Endpoint(string Name, Func<HttpClient> Caller, HttpMethod Method, string Url, JsonObject Valid, string Entity, bool NeedsETag = false,
        string? Participant = null, Func<TrialHost>? On = null, string? ValidCsv = null, Func<Endpoint, JsonObject, Task<JsonObject?>>? ReadBack = null,
        string[]? Defaulted = null)
    {
        public TrialHost Host => On?.Invoke() ?? _host;
    }

    private static readonly DateOnly BaselineDay = new(2026, 3, 1);
    private static readonly DateTime Inf1Start = new(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc);
    private static readonly DateTime Inf2Start = new(2026, 3, 5, 8, 10, 0, DateTimeKind.Utc);

    private static JsonObject Json(object value) => JsonSerializer.SerializeToNode(value, JsonSerializerOptions.Web)!.AsObject();

    private static readonly object AllocationList = new
    {
        entries = new[]
        {
            new { stratum = "WAW/MADRS<35", sequenceNumber = 1, arm = "KET" }, new { stratum = "WAW/MADRS<35", sequenceNumber = 2, arm = "MDZ" },
            new { stratum = "WAW/MADRS>=35", sequenceNumber = 1, arm = "MDZ" },
        },
    };

    private const string AllocationListCsv = "stratum,sequenceNumber,arm\nWAW/MADRS<35,1,KET\nWAW/MADRS<35,2,MDZ\nWAW/MADRS>=35,1,MDZ\n";

    private static IEnumerable<Endpoint> Endpoints()
    {
        var visit = $"/api/v1/participants/{_code}/visits";
        var infusion = Json(_kit.Body(_code, "INF1", Inf1Start) with { Reason = "Corrected." });
        var newInfusion = Json(_kit.Body(_code, "INF2", Inf2Start));
        var vitals = Json(new { timepoint = "t40", systolic = 130, diastolic = 80, heartRate = 70, spo2 = 98, reason = "Corrected." });
        var assessment = Json(new { instrument = "MADRS", timepoint = "t40", administeredUtc = Inf1Start.AddMinutes(50), items = Madrs(20, item10: 1), unscheduled = true, reason = "Corrected." });
        var adverseEvent = Json(AdverseEvent("Headache") with { Reason = "Corrected." });
        var medication = Json(new
        {
            name = "Lorazepam", atcCode = "N05BA06", dose = "1 mg", route = "oral", startDate = "2026-03-01", endDate = "2026-03-02", ongoing = false,
            indication = "anxiety", reason = "Corrected.",
        });
        return
        [
            new("CreateSite", () => _host.Admin, HttpMethod.Post, "/api/v1/sites", Json(new { code = "GDA", name = "Gdansk", timeZone = "Europe/Warsaw" }), AuditEntities.Site, ReadBack: SiteAsync,
                Defaulted: ["timeZone"]),
            new("CreateUser", () => _host.Admin, HttpMethod.Post, "/api/v1/users", Json(new { name = "Dr C", role = "pharmacist", sites = new[] { "WAW" } }), AuditEntities.User, ReadBack: UserAsync,
                Defaulted: ["sites"]),
            // Anonymous, the one write without a token: a code an admin was given. A refused activation is recorded as an access
            // denial (which the footprint leaves out, as it does 403s); no mutation leaves the code intact, so none is accepted.
            new("Activate", () => _anonymous, HttpMethod.Post, "/api/v1/tokens", Json(new { activationCode = _activationCode }), AuditEntities.ActivationCode,
                ReadBack: NoRead),
            new("EnrolParticipant", () => _investigator, HttpMethod.Post, "/api/v1/participants", Json(TrialHost.EligibleParticipant("WAW")), AuditEntities.Participant,
                Defaulted: ["enrolledDate"]),
            new("RecordVisit", () => _investigator, HttpMethod.Put, $"{visit}/POST24", Json(new { actualDate = "2026-03-03", reason = "Corrected." }), AuditEntities.Visit,
                Participant: _code),
            new("RecordInfusion", () => _investigator, HttpMethod.Post, $"{visit}/INF2/infusion", newInfusion, AuditEntities.Infusion, Participant: _code),
            new("CorrectInfusion", () => _investigator, HttpMethod.Put, $"{visit}/INF1/infusion", infusion, AuditEntities.Infusion, NeedsETag: true, Participant: _code),
            new("RecordVitals", () => _investigator, HttpMethod.Post, $"{visit}/INF1/vitals", vitals, AuditEntities.Vitals, Participant: _code),
            new("CorrectVitals", () => _investigator, HttpMethod.Put, $"{visit}/INF1/vitals/pre", vitals, AuditEntities.Vitals, NeedsETag: true, Participant: _code,
                Defaulted: ["timepoint"]),
            new("CreateAssessment", () => _investigator, HttpMethod.Post, $"{visit}/INF1/assessments", assessment, AuditEntities.Assessment, Participant: _code,
                Defaulted: ["unscheduled"]),
            new("CorrectAssessment", () => _investigator, HttpMethod.Put, $"/api/v1/assessments/{_assessment}", Json(new
            {
                instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items = Madrs(21, item10: 1), reason = "Corrected.",
            }), AuditEntities.Assessment, NeedsETag: true, Participant: _code, Defaulted: ["instrument"]),
            new("RecordAdverseEvent", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_code}/adverse-events", adverseEvent, AuditEntities.AdverseEvent,
                Participant: _code, Defaulted: ["seriousCriteria"]),
            new("UpdateAdverseEvent", () => _investigator, HttpMethod.Put, $"/api/v1/adverse-events/{_adverseEvent}", adverseEvent, AuditEntities.AdverseEvent,
                NeedsETag: true, Participant: _code, Defaulted: ["seriousCriteria"]),
            new("RecordConcomitantMedication", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_code}/concomitant-medications", medication,
                AuditEntities.ConcomitantMedication, Participant: _code),
            new("CorrectConcomitantMedication", () => _investigator, HttpMethod.Put, $"/api/v1/participants/{_code}/concomitant-medications/{_medication}", medication,
                AuditEntities.ConcomitantMedication, NeedsETag: true, Participant: _code),
            new("DiscontinueInfusions", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_toDiscontinue}/discontinuation",
                Json(new { date = "2026-03-09", reasonCode = "ADVERSE EVENT", reason = "Dissociation." }), AuditEntities.Participant, Participant: _toDiscontinue,
                ReadBack: (e, _) => ParticipantAsync(_toDiscontinue, "infusionsDiscontinuedDate", "discontinuationReasonCode", "discontinuationReason")),
            new("WithdrawParticipant", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_toWithdraw}/withdrawal",
                Json(new { date = "2026-03-09", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Moved." }), AuditEntities.Participant, Participant: _toWithdraw,
                ReadBack: (e, _) => ParticipantAsync(_toWithdraw, "withdrawnDate", "withdrawalReasonCode", "withdrawalReason")),
            new("AcknowledgeSafetyAlert", () => _monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{_alert}/acknowledge", Json(new { comment = "Seen." }),
                AuditEntities.SafetyAlert, Participant: _code, ReadBack: (e, _) => AlertReviewAsync(e, "acknowledged", "comment")),
            new("ResolveSafetyAlert", () => _monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{_alert}/resolve", Json(new { comment = "Handled." }),
                AuditEntities.SafetyAlert, Participant: _code, ReadBack: (e, _) => AlertReviewAsync(e, "resolved", "comment")),
            new("EscalateSafetyAlert", () => _monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{_alert}/escalate", Json(new { reason = "Urgent." }),
                AuditEntities.SafetyAlert, Participant: _code, ReadBack: (e, _) => AlertReviewAsync(e, "escalated", "reason")),
            // Randomisation takes no body: whatever is sent is not read, and the participant is randomised once.
            new("Randomise", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_toRandomise}/randomisation", [], AuditEntities.Allocation,
                Participant: _toRandomise),
            new("RecordPreparation", () => _pharmacist, HttpMethod.Post, $"/api/v1/participants/{_toPrepare}/visits/INF1/preparation", _preparation,
                AuditEntities.Preparation, Participant: _toPrepare, Defaulted: ["weightKg"]),
            new("EmergencyUnblinding", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_toUnblind}/unblinding",
                Json(new { reason = "Severe hypotension: the treatment depends on the drug." }), AuditEntities.Unblinding, Participant: _toUnblind, ReadBack: NoRead),
            new("RecordBlindingGuess", () => _investigator, HttpMethod.Post, $"/api/v1/participants/{_toGuess}/visits/INF1/blinding-guess",
                Json(new { guesser = "rater", guess = "unknown" }), AuditEntities.BlindingGuess, Participant: _toGuess, ReadBack: NoRead),
            new("ImportAllocationList", () => _listUnblinded, HttpMethod.Post, "/api/v1/randomisation/list", Json(AllocationList), AuditEntities.AllocationList,
                On: () => _listHost, ReadBack: AllocationListAsync),
            new("ImportAllocationListCsv", () => _listUnblinded, HttpMethod.Post, "/api/v1/randomisation/list", Json(AllocationList), AuditEntities.AllocationList,
                On: () => _listHost, ValidCsv: AllocationListCsv, ReadBack: AllocationListAsync),
            // The default protocol generates its sequence from the secret: every import is refused, and must change nothing.
            new("ImportAllocationListWhereGenerated", () => _unblinded, HttpMethod.Post, "/api/v1/randomisation/list", Json(AllocationList),
                AuditEntities.AllocationList),
        ];
    }

    // --- reading an accepted write back ---

    private static async Task<JsonObject> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    /// <summary>The API has no read of the record (an unblinding, a blinding guess): the answer and the audit row are what it stored.</summary>
    private static Task<JsonObject?> NoRead(Endpoint endpoint, JsonObject answer) => Task.FromResult<JsonObject?>(null);

    /// <summary>Sites are read as a list.</summary>
    private static async Task<JsonObject?> SiteAsync(Endpoint endpoint, JsonObject answer)
    {
        var sites = await (await endpoint.Caller().GetAsync("/api/v1/sites")).JsonArrayAsync();
        return sites.Single(s => s!["code"]!.GetValue<string>() == answer["code"]!.GetValue<string>())!.AsObject();
    }

    /// <summary>Users are read as a list.</summary>
    private static async Task<JsonObject?> UserAsync(Endpoint endpoint, JsonObject answer)
    {
        var users = await (await endpoint.Caller().GetAsync("/api/v1/users")).JsonArrayAsync();
        return users.Single(u => u!["id"]!.GetValue<string>() == answer["id"]!.GetValue<string>())!.AsObject();
    }

    /// <summary>A discontinuation or withdrawal is read on the participant: its date and reason under the names the request gives them.</summary>
    // Read by an admin: the reason in the site's words is shown to admins only.
    private static async Task<JsonObject?> ParticipantAsync(string code, string date, string reasonCode, string reason)
    {
        var participant = await GetAsync(_host.Admin, $"/api/v1/participants/{code}");
        return new JsonObject
        {
            ["date"] = participant[date]?.DeepClone(), ["reasonCode"] = participant[reasonCode]?.DeepClone(), ["reason"] = participant[reason]?.DeepClone(),
        };
    }

    /// <summary>A review step is read on the alert: the comment (or an escalation's reason) is that of the step's entry in its history (a step is taken once).</summary>
    private static async Task<JsonObject?> AlertReviewAsync(Endpoint endpoint, string action, string field)
    {
        var detail = await GetAsync(endpoint.Caller(), $"/api/v1/safety-alerts/{_alert}");
        var step = detail["history"]!.AsArray().Single(h => h!["action"]!.GetValue<string>() == action)!;
        return new JsonObject { [field] = step["comment"]?.DeepClone() };
    }

    /// <summary>
    /// An imported list is read a stratum at a time, in its audited sequence: each entry sent is looked up there by its stratum and
    /// place, and a stratum holding more places than were sent gets an entry that was not (which the comparison reports).
    /// </summary>
    private static async Task<JsonObject?> AllocationListAsync(Endpoint endpoint, JsonObject answer)
    {
        var entries = new JsonArray();
        foreach (var stratum in answer["strata"]!.AsArray())
        {
            var name = stratum!["stratum"]!.GetValue<string>();
            var sequence = await GetAsync(endpoint.Caller(), $"/api/v1/randomisation/list?stratum={Uri.EscapeDataString(name)}&count=1000");
            foreach (var place in sequence["entries"]!.AsArray())
                entries.Add(new JsonObject { ["stratum"] = name, ["sequenceNumber"] = place!["sequenceNumber"]!.DeepClone(), ["arm"] = place["arm"]!.DeepClone() });
        }
        return new JsonObject { ["entries"] = InListOrder(entries) };
    }

    /// <summary>A list's entries by stratum, then place: the order the list is read back in, whatever order it was sent in.</summary>
    private static JsonArray InListOrder(JsonArray entries) =>
        new([.. entries.OrderBy(e => e?["stratum"]?.ToJsonString(), StringComparer.Ordinal).ThenBy(e => e?["sequenceNumber"]?.ToJsonString(), StringComparer.Ordinal)
            .Select(e => e?.DeepClone())]);

    public static IEnumerable<TestCaseData> EndpointNames() =>
        new[] { "CreateSite", "CreateUser", "Activate", "EnrolParticipant", "RecordVisit", "RecordInfusion", "CorrectInfusion", "RecordVitals", "CorrectVitals",
                "CreateAssessment", "CorrectAssessment", "RecordAdverseEvent", "UpdateAdverseEvent", "DiscontinueInfusions", "WithdrawParticipant",
                "AcknowledgeSafetyAlert", "ResolveSafetyAlert", "EscalateSafetyAlert", "Randomise", "RecordPreparation", "EmergencyUnblinding",
                "RecordBlindingGuess", "ImportAllocationList", "ImportAllocationListCsv", "ImportAllocationListWhereGenerated" }
            .Select(n => new TestCaseData(n).SetName($"Fuzz_{n}_NeverServerErrorAndRefusalsChangeNothing"));

    [OneTimeSetUp]
    public static async Task StartAsync()
    {
        _host = TrialHost.Start(settings: new Dictionary<string, string?>(TestProtocols.Settings(TestProtocols.Blinded)!) { ["RateLimit:PermitsPerWindow"] = "0" });
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
        _unblinded = await _host.UserAsync("unblinded-statistician", "WAW");
        _kit = new InfusionKit(_host, _investigator);
        _pharmacist = await _kit.PharmacistAsync();
        _anonymous = _host.Client();
        _activationCode = (await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "Not yet active", role = "monitor", sites = new[] { "WAW" } }))
            .JsonAsync(HttpStatusCode.Created))["activationCode"]!.GetValue<string>();

        // The participant of the data-entry endpoints: randomised, INF1 prepared and given with vitals, a baseline MADRS
        // that raised MADRS10_HIGH, an adverse event; INF2 recorded and prepared, its infusion not yet given.
        _code = await TrialHost.EnrolAsync(_investigator, "WAW");
        _assessment = (await AssessAsync(_investigator, _code, "BL", null, "MADRS", Madrs(30, item10: 5))).ToString();
        await _kit.RandomiseAsync(_code, BaselineDay);
        await TrialHost.RecordVisitAsync(_investigator, _code, "INF1", DateOnly.FromDateTime(Inf1Start));
        await _kit.InfuseAsync(_code, "INF1", Inf1Start);
        await VitalsAsync(_investigator, _code, "INF1", "pre", 130, 80, 70, 98);
        await TrialHost.RecordVisitAsync(_investigator, _code, "INF2", DateOnly.FromDateTime(Inf2Start));
        await _kit.PrepareAsync(_code, "INF2");
        _adverseEvent = (await RecordAdverseEventAsync(_investigator, _code, AdverseEvent("Headache")))["id"]!.GetValue<string>();
        _medication = (await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{_code}/concomitant-medications",
            new { name = "Sertraline", atcCode = "N06AB06", startDate = "2026-01-10", ongoing = true })).JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        _alert = (await SettledAlertsAsync(_host, _monitor, _code)).First(a => Rule(a) == "MADRS10_HIGH")!["id"]!.GetValue<string>();

        // One participant per endpoint that moves a participant on, each where its valid body would be accepted.
        _toRandomise = await EnrolledAsync(baselineMadrs: true);
        _toPrepare = await RandomisedAsync();
        var allocation = await (await _pharmacist.GetAsync($"/api/v1/participants/{_toPrepare}/allocation")).JsonAsync(HttpStatusCode.OK);
        var dose = allocation["doseMgPerKg"]!.GetValue<decimal>();
        _preparation = Json(new
        {
            preparationId = InfusionKit.Label(_toPrepare, "INF1"), arm = allocation["arm"]!.GetValue<string>(), doseMgPerKg = dose,
            totalDoseMg = Math.Round(dose * 61.5m, 2, MidpointRounding.AwayFromZero), volumeMl = _host.Protocol.Design.Preparation!.VolumeMl, weightKg = 61.5m,
        });
        _toUnblind = await RandomisedAsync();
        _toGuess = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, _toGuess, "INF1", DateOnly.FromDateTime(Inf1Start));
        await _kit.InfuseAsync(_toGuess, "INF1", Inf1Start);
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{_toGuess}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Stopped after one infusion." }))
            .JsonAsync(HttpStatusCode.OK);
        _toDiscontinue = await RandomisedAsync();
        _toWithdraw = await EnrolledAsync(baselineMadrs: false);

        var listProtocol = ListProtocolFolder.File("imported-list-protocol.json");
        await File.WriteAllTextAsync(listProtocol, ProtocolFiles.ImportedList());
        _listHost = TrialHost.Start(settings: new Dictionary<string, string?> { ["Protocol:Path"] = listProtocol, ["RateLimit:PermitsPerWindow"] = "0" });
        await _listHost.CreateSiteAsync("WAW");
        await _listHost.CreateSiteAsync("KRK");
        _listUnblinded = await _listHost.UserAsync("unblinded-statistician", "WAW");
    }

    /// <summary>A new participant with the baseline visit recorded (and a complete baseline MADRS, without alert, when asked).</summary>
    private static async Task<string> EnrolledAsync(bool baselineMadrs)
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", BaselineDay);
        if (baselineMadrs) await AssessAtAsync(_investigator, code, "BL", null, "MADRS", Madrs(30, item10: 2), BaselineDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
        return code;
    }

    private static async Task<string> RandomisedAsync()
    {
        var code = await EnrolledAsync(baselineMadrs: true);
        await _kit.RandomiseAsync(code, BaselineDay);
        return code;
    }

    [OneTimeTearDown]
    public static async Task StopAsync()
    {
        _anonymous.Dispose();
        await _host.DisposeAsync();
        await _listHost.DisposeAsync();
        ListProtocolFolder.Dispose();
    }

    // --- generators ---

    private static readonly string[] OddStrings =
    [
        "", " ", "\u0000", "\t\r\n", "\u202Eevil", "😀💊🩺", "'; DROP TABLE Participant; --", "<script>alert(1)</script>", "null", "NaN", "1e309",
        "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "2026-03-01T09:00:00", "2026-03-01T25:00:00Z", "99999-01-01T00:00:00Z", "WAW-0001",
        "Europe/Atlantis", "ZZZ", "ASC5D", "t999", "definitely-not-a-role", "KET", "MDZ", "unknown", "participant", "pharmacist", new string('x', 5000), "\uFFFF\uFFFE", "\\u0000",
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
        if (names.Length == 0) return BodyOfAnEndpointWithout(valid);
        var replaceField =
            from name in Gen.Elements(names)
            from value in OddValue()
            select Mutate(valid, b => b[name] = value?.DeepClone(), $"{name} = {value?.ToJsonString() ?? "null"}");
        var removeField = Gen.Elements(names).Select(name => Mutate(valid, b => b.Remove(name), $"without {name}"));
        // Inside nested objects and arrays (eligibility answers, assessment items, the entries of a list): one value replaced.
        var inner = InnerPaths(valid).ToArray();
        var replaceInner = inner.Length == 0 ? replaceField :
            from path in Gen.Elements(inner)
            from value in OddValue()
            select Mutate(valid, b => Replace(b, path, value?.DeepClone()), $"{Describe(path)} = {value?.ToJsonString() ?? "null"}");
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
            (5, replaceField), (2, replaceInner), (2, removeField), (1, unknownField), (2, twoFields), (1, duplicateKey), (2, malformed));
    }

    /// <summary>The paths (property names and array indexes) of every value below the top level of the body.</summary>
    private static IEnumerable<object[]> InnerPaths(JsonNode? node, object[]? at = null)
    {
        at ??= [];
        IEnumerable<(object Step, JsonNode? Child)> children = node switch
        {
            JsonObject o => o.Select(p => ((object)p.Key, p.Value)),
            JsonArray a => a.Select((v, i) => ((object)i, v)),
            _ => [],
        };
        foreach (var (step, child) in children)
        {
            object[] path = [.. at, step];
            if (path.Length > 1) yield return path;
            foreach (var deeper in InnerPaths(child, path)) yield return deeper;
        }
    }

    private static void Replace(JsonObject body, object[] path, JsonNode? value)
    {
        JsonNode parent = body;
        foreach (var step in path[..^1]) parent = step is int i ? parent[i]! : parent[(string)step]!;
        if (path[^1] is int index) parent.AsArray()[index] = value;
        else parent.AsObject()[(string)path[^1]] = value;
    }

    private static string Describe(object[] path) => string.Concat(path.Select((step, i) => step is int n ? $"[{n}]" : i == 0 ? step : $".{step}"));

    /// <summary>For an endpoint that reads no body: a body anyway, of every kind.</summary>
    private static Gen<BadRequest> BodyOfAnEndpointWithout(JsonObject valid) => Gen.OneOf(
        OddValue().Select(v => Mutate(valid, b => b["unexpected"] = v?.DeepClone(), "a field it does not take")),
        Gen.Elements(
            new BadRequest("", "application/json", "an empty body"),
            new BadRequest("null", "application/json", "null"),
            new BadRequest("{\"a\":}", "application/json", "invalid JSON"),
            new BadRequest("\u00ff\u00fe garbage \u0001", "application/octet-stream", "bytes"),
            new BadRequest("{}", "text/plain", "a wrong content type")));

    private static readonly string[] OddCells =
    [
        "", " ", "-1", "0", "1.5", "+1", " 1", "1e3", "2147483648", "99999999999999999999", "0x10", "١", "KET ", "ket", "PLACEBO", "unknown",
        "WAW", "WAW/", "/MADRS<35", "WAW/MADRS<35/x", "KRK/MADRS<35", "GDA/MADRS<35", "WAW/MADRS>=35", "\"WAW/MADRS<35\"", "a,b", "a\nb", "\u0000",
        "\u202E", "😀", new string('9', 400), new string('x', 5000),
    ];

    /// <summary>A CSV that is wrong in one or a few ways: cells, lines, the header, line endings, the content type.</summary>
    private static Gen<BadRequest> CsvMutations(string valid)
    {
        var lines = valid.TrimEnd('\n').Split('\n');
        string Join(IEnumerable<string> ls) => string.Join("\n", ls) + "\n";
        var replaceCell =
            from line in Gen.Choose(0, lines.Length - 1)
            from column in Gen.Choose(0, 2)
            from cell in Gen.OneOf(Gen.Elements(OddCells), Gen.Elements(OddStrings))
            select new BadRequest(Join(lines.Select((l, i) =>
            {
                if (i != line) return l;
                var cells = l.Split(',');
                cells[column] = cell;
                return string.Join(",", cells);
            })), "text/csv", $"line {line + 1}, cell {column + 1} = {cell}");
        var changeLines =
            from line in Gen.Choose(0, lines.Length - 1)
            from change in Gen.Elements("drop", "twice", "extra cell", "two cells", "blank before", "quoted")
            select new BadRequest(Join(lines.SelectMany((l, i) => i != line ? [l] : change switch
            {
                "drop" => Array.Empty<string>(),
                "twice" => [l, l],
                "extra cell" => [l + ",extra"],
                "two cells" => [string.Join(",", l.Split(',').Take(2))],
                "blank before" => ["", "   ", l],
                _ => ["\"" + l.Replace(",", "\",\"") + "\""],
            })), "text/csv", $"line {line + 1}: {change}");
        var whole = Gen.Elements(
            new BadRequest("", "text/csv", "an empty CSV"),
            new BadRequest("stratum,sequenceNumber,arm\n", "text/csv", "the header alone"),
            new BadRequest(valid.Replace("\n", "\r\n"), "text/csv", "CRLF line ends"),
            new BadRequest("\uFEFF" + valid, "text/csv", "a byte-order mark"),
            new BadRequest(valid.Replace(",", ";"), "text/csv", "semicolons"),
            new BadRequest(valid[..(valid.Length / 2)], "text/csv", "truncated"),
            new BadRequest(valid, "text/csv; charset=utf-16", "a charset it is not in"),
            new BadRequest(valid, "TEXT/CSV", "the media type in capitals"),
            new BadRequest(valid, "text/plain", "a wrong content type"),
            new BadRequest(valid, "application/json", "CSV sent as JSON"),
            new BadRequest(string.Concat(Enumerable.Repeat("\n", 10_000)), "text/csv", "only line breaks"));
        return Gen.Frequency((5, replaceCell), (3, changeLines), (2, whole));
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
    private static (long Rows, long Audit) Footprint(TrialHost host)
    {
        using var c = new SqliteConnection($"Data Source={host.DatabasePath};Mode=ReadOnly");
        var tables = CountedTables(c);
        long rows = 0;
        foreach (var table in tables) rows += c.ExecuteScalar<long>($"SELECT COUNT(*) FROM \"{table}\"");
        var denials = c.ExecuteScalar<long>("SELECT COUNT(*) FROM AuditEvent WHERE Action = 'access-denied'");
        return (rows - denials, c.ExecuteScalar<long>("SELECT COUNT(*) FROM AuditEvent") - denials);
    }

    private static IReadOnlyList<string> CountedTables(SqliteConnection c) =>
        c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('IdempotentResponse', 'ScheduledVisit', 'AuditChainHead') AND name NOT LIKE 'sqlite_%'").AsList();

    /// <summary>The footprint counts the tables it finds in the schema: were it to find none, every refusal would change nothing.</summary>
    [Test]
    public void Footprint_CountsEveryTableOfClinicalAndAccessData()
    {
        using var c = new SqliteConnection($"Data Source={_host.DatabasePath};Mode=ReadOnly");
        Assert.That(CountedTables(c), Is.SupersetOf(new[]
        {
            "Site", "AppUser", "UserSite", "ApiToken", "Participant", "VisitRecord", "Infusion", "VitalSign", "Assessment", "AssessmentItem", "AssessmentScore",
            "AssessmentRevision", "AdverseEvent", "SafetyAlert", "SafetyAlertEvent", "AuditEvent", "Allocation", "AllocationListEntry", "Preparation", "Unblinding",
            "BlindingGuess", "ActivationCode",
        }));
        Assert.That(Footprint(_host).Rows, Is.GreaterThan(0), "the study set up for the fuzzing is counted");
    }

    /// <summary>Background evaluation of the participant would change the row counts under the check: it is waited for.</summary>
    private static Task SettledAsync(Endpoint endpoint) => endpoint.Participant is null ? Task.CompletedTask : WaitEvaluatedAsync(endpoint.Host, endpoint.Participant);

    private static async Task<string?> ProblemAsync(Endpoint endpoint, BadRequest bad)
    {
        await SettledAsync(endpoint);
        var before = Footprint(endpoint.Host);
        var auditBefore = LastAuditId(endpoint.Host);
        var request = new HttpRequestMessage(endpoint.Method, endpoint.Url) { Content = new StringContent(bad.Body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(bad.ContentType);
        if (endpoint.NeedsETag) request.Headers.IfMatch.ParseAdd((await endpoint.Caller().GetAsync(endpoint.Url)).Headers.ETag!.ToString());
        var response = await endpoint.Caller().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Seen.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (status >= 500) return $"{status} for {bad}: {text}";
        if (status < 400) return await StoredAsSentAsync(endpoint, bad, response, text, auditBefore); // the mutation happened to be valid
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return $"{status} without problem+json for {bad}: {text}";
        var problem = JsonNode.Parse(text)!.AsObject();
        if (status is 400 or 422 && problem["errors"] is null && problem["field"] is null) return $"{status} naming no field for {bad}: {text}";
        await SettledAsync(endpoint);
        var after = Footprint(endpoint.Host);
        if (after != before) return $"{status} but the database changed ({before} -> {after}) for {bad}: {text}";
        return null;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> Seen = new();

    // --- what an accepted request stored ---

    private static long LastAuditId(TrialHost host)
    {
        using var c = new SqliteConnection($"Data Source={host.DatabasePath};Mode=ReadOnly");
        return c.ExecuteScalar<long>("SELECT COALESCE(MAX(Id), 0) FROM AuditEvent");
    }

    private sealed record AuditRow(long Id, string Role, string EntityType, string EntityId, string Action, string? NewValue, string? Reason, string? RequestId);

    /// <summary>Accepted requests, and the values sent that were found where they were stored, in the current endpoint's run.</summary>
    private static int _accepted, _compared;

    /// <summary>
    /// An accepted request (2xx) stored what it sent. The trail grew by the write's own rows (all of one request, none the
    /// background jobs', one of them of the endpoint's entity, holding the reason or comment sent); and every field sent holds the value sent wherever it
    /// is named: in the write's answer, in the record read back through the API, and in the new values of the write's audit row.
    /// Values are compared as the API reads them: numbers by value, text trimmed (blank text is no text), the last of a key given
    /// twice. A field not named there (a field the record does not keep, or keeps under another name) is not compared.
    /// </summary>
    private static async Task<string?> StoredAsSentAsync(Endpoint endpoint, BadRequest bad, HttpResponseMessage response, string text, long auditBefore)
    {
        _accepted++;
        var comparedBefore = _compared;
        var failures = new List<string>();
        var sent = endpoint.ValidCsv is null ? SentJson(bad.Body) : SentCsv(bad.Body);
        if (sent?["entries"] is JsonArray entries) sent["entries"] = InListOrder(entries);
        var answer = JsonNode.Parse(text) as JsonObject;
        if (answer is null) return $"{(int)response.StatusCode} without a JSON object for {bad}: {text}";

        // The write's own audit rows, read before anything else is (some reads are audited too).
        using (var c = new SqliteConnection($"Data Source={endpoint.Host.DatabasePath};Mode=ReadOnly"))
        {
            var rows = c.Query<AuditRow>(
                "SELECT Id, Role, EntityType, EntityId, Action, NewValue, Reason, RequestId FROM AuditEvent WHERE Id > @auditBefore AND Role <> 'system' ORDER BY Id",
                new { auditBefore }).ToList();
            var own = rows.LastOrDefault(r => r.EntityType == endpoint.Entity);
            if (rows.Select(r => r.RequestId).Distinct().Count() != 1) failures.Add($"the audit rows of one request, got: {Describe(rows)}");
            if (own is null)
            {
                failures.Add($"an audit row of the {endpoint.Entity}, got: {Describe(rows)}");
            }
            else
            {
                var reasonField = endpoint.Entity == AuditEntities.SafetyAlert && sent?.ContainsKey("comment") == true ? "comment" : "reason";
                if (sent is not null && sent.ContainsKey(reasonField))
                {
                    _compared++;
                    if (Text(sent[reasonField]) != Text(own.Reason)) failures.Add($"the audit row's reason {Quote(own.Reason)}, sent {sent[reasonField]?.ToJsonString() ?? "null"}");
                }
                if (own.NewValue is not null) CompareWith(sent, JsonNode.Parse(own.NewValue)!.AsObject(), "the audit row's new values", endpoint, failures);
            }
        }

        CompareWith(sent, answer, "the answer", endpoint, failures);
        var stored = endpoint.ReadBack is null ? await GetAsync(endpoint.Caller(), response.Headers.Location?.ToString() ?? endpoint.Url) : await endpoint.ReadBack(endpoint, answer);
        if (stored is not null) Compare(sent, stored, "the record read back", endpoint, failures);
        // An endpoint that reads a body stored some of what it was sent, or nothing was checked.
        if (endpoint.Valid.Count > 0 && sent is { Count: > 0 } && _compared == comparedBefore)
            failures.Add($"none of the fields sent ({string.Join(", ", sent.Select(p => p.Key))}) is named where it was stored");
        return failures.Count == 0 ? null : $"{(int)response.StatusCode} for {bad}, but: {string.Join("; ", failures)}. Answer: {text}. Read back: {stored?.ToJsonString()}";
    }

    /// <summary>
    /// Compares what was sent with a record as <see cref="Compare"/> does; an import's answer and audit row are not the list but
    /// count it (its entries, and each stratum's), and the counts must be those of the list sent.
    /// </summary>
    private static void CompareWith(JsonObject? sent, JsonObject record, string where, Endpoint endpoint, List<string> failures)
    {
        if (endpoint.Entity != AuditEntities.AllocationList)
        {
            Compare(sent, record, where, endpoint, failures);
            return;
        }
        var sentEntries = sent?["entries"] as JsonArray ?? [];
        var sentCounts = sentEntries.GroupBy(e => e?["stratum"]?.ToString()).Select(g => $"{g.Key} {g.Count()}").Order(StringComparer.Ordinal).ToList();
        // The answer lists the strata, the audit row maps each to its count.
        IEnumerable<string> counted = record["strata"] switch
        {
            JsonArray strata => strata.Select(t => $"{t!["stratum"]} {t["entries"]}"),
            JsonObject strata => strata.Select(t => $"{t.Key} {t.Value}"),
            _ => [],
        };
        var counts = counted.Order(StringComparer.Ordinal).ToList();
        _compared++;
        if (record["entries"]?.ToJsonString() != sentEntries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) || !counts.SequenceEqual(sentCounts))
            failures.Add($"{where} count {record["entries"]?.ToJsonString()} entries in [{string.Join(", ", counts)}], sent {sentEntries.Count} in [{string.Join(", ", sentCounts)}]");
    }

    private static string Describe(IEnumerable<AuditRow> rows) => string.Join(", ", rows.Select(r => $"{r.Id} {r.Role} {r.EntityType} {r.Action} (request {r.RequestId})"));

    private static string Quote(string? value) => value is null ? "null" : JsonSerializer.Serialize(value);

    /// <summary>The body as the server binds it: a JSON object, the last of a key given twice winning; null when it is not one.</summary>
    private static JsonObject? SentJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? (JsonObject?)LastKeyWins(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode? LastKeyWins(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(element.EnumerateObject().GroupBy(p => p.Name).Select(g => KeyValuePair.Create(g.Key, LastKeyWins(g.Last().Value)))),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(LastKeyWins)]),
        JsonValueKind.Null => null,
        _ => JsonNode.Parse(element.GetRawText()),
    };

    /// <summary>A CSV list as its contract reads it (header stratum,sequenceNumber,arm; blank lines skipped; cells trimmed), as the JSON list's entries.</summary>
    private static JsonObject SentCsv(string body)
    {
        var lines = body.TrimStart('\uFEFF').Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Skip(1);
        return new JsonObject
        {
            ["entries"] = new JsonArray([.. lines.Select(l => l.Split(',').Select(c => c.Trim()).ToArray()).Select(cells => (JsonNode)new JsonObject
            {
                ["stratum"] = cells[0],
                ["sequenceNumber"] = int.TryParse(cells.ElementAtOrDefault(1), out var n) ? n : cells.ElementAtOrDefault(1),
                ["arm"] = cells.ElementAtOrDefault(2),
            })]),
        };
    }

    /// <summary>Null, or blank text: what the application reads as a value not given.</summary>
    private static bool NotGiven(JsonNode? value) => value is null || (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && Text(value) is null);

    /// <summary>Text as the API keeps it: trimmed, and blank text is no text.</summary>
    private static string? Text(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Text(v.GetValue<string>()) : value?.ToJsonString();

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Every field of <paramref name="sent"/> that <paramref name="stored"/> names must hold the value sent; each difference is added to <paramref name="failures"/>.</summary>
    private static void Compare(JsonObject? sent, JsonNode? stored, string where, Endpoint endpoint, List<string> failures)
    {
        if (sent is null || stored is not JsonObject storedObject) return;
        foreach (var (name, value) in sent)
        {
            if (!storedObject.TryGetPropertyValue(name, out var kept) || (NotGiven(value) && endpoint.Defaulted?.Contains(name) == true)) continue;
            _compared++;
            if (Difference(value, kept, name) is { } difference) failures.Add($"{where}: {difference}");
        }
    }

    private static string? Difference(JsonNode? sent, JsonNode? stored, string path)
    {
        switch (sent)
        {
            case JsonObject o:
                if (stored is not JsonObject s) return $"{path} sent as an object, kept as {stored?.ToJsonString() ?? "null"}";
                foreach (var (name, value) in o)
                {
                    if (!s.TryGetPropertyValue(name, out var kept)) return $"{path}.{name} sent, not kept";
                    if (Difference(value, kept, $"{path}.{name}") is { } inner) return inner;
                }
                return null;
            case JsonArray a:
                if (stored is not JsonArray sa || sa.Count != a.Count) return $"{path} sent as {a.ToJsonString()}, kept as {stored?.ToJsonString() ?? "null"}";
                return a.Select((value, i) => Difference(value, sa[i], $"{path}[{i}]")).FirstOrDefault(d => d is not null);
            default:
                return SameValue(sent, stored) ? null : $"{path} sent as {sent?.ToJsonString() ?? "null"}, kept as {stored?.ToJsonString() ?? "null"}";
        }
    }

    private static decimal? Number(string text) =>
        decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    private static bool SameValue(JsonNode? sent, JsonNode? stored)
    {
        var sentKind = sent?.GetValueKind() ?? JsonValueKind.Null;
        var storedKind = stored?.GetValueKind() ?? JsonValueKind.Null;
        if (sentKind is JsonValueKind.String || storedKind is JsonValueKind.String)
        {
            // A number the API read from text, or text: as the API keeps it.
            if (sentKind is JsonValueKind.String && storedKind is JsonValueKind.Number) return Number(sent!.GetValue<string>()) is { } n && n == Number(stored!.ToJsonString());
            return storedKind is JsonValueKind.String or JsonValueKind.Null && sentKind is JsonValueKind.String or JsonValueKind.Null && Text(sent) == Text(stored);
        }
        if (sentKind is JsonValueKind.Number && storedKind is JsonValueKind.Number) return Number(sent!.ToJsonString()) is { } n && n == Number(stored!.ToJsonString());
        return sentKind == storedKind && (sentKind is not (JsonValueKind.True or JsonValueKind.False) || sent!.GetValue<bool>() == stored!.GetValue<bool>());
    }

    [TestCaseSource(nameof(EndpointNames))]
    public void Fuzz_Endpoint_NeverServerErrorAndRefusalsChangeNothing(string name)
    {
        Seen.Clear();
        (_accepted, _compared) = (0, 0);
        var endpoint = Endpoints().Single(e => e.Name == name);
        var requests = endpoint.ValidCsv is null ? Mutations(endpoint.Valid) : CsvMutations(endpoint.ValidCsv);
        Prop.ForAll(requests.ToArbitrary(), bad =>
        {
            var failure = ProblemAsync(endpoint, bad).GetAwaiter().GetResult();
            return failure is null ? true.Label("ok") : false.Label(failure);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(CasesPerEndpoint));
        TestContext.Out.WriteLine($"STATUSES {name}: " + string.Join(", ", Seen.OrderBy(p => p.Key).Select(p => $"{p.Key}x{p.Value}")) +
                                  $"; {_accepted} accepted, {_compared} values sent found where they were stored");
    }
}
