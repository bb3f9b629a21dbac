using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Audit;

/// <summary>
/// The audit trail as a monitor or an inspector reads it: every kind of change leaves a row with who (user, role,
/// token), when, what before and after, and why; the chain of hashes proves the trail was not edited behind the
/// application's back. Run against both designs: a blinded infusion is recorded after randomisation and preparation.
/// </summary>
[TestFixture(TestProtocols.Blinded)]
[TestFixture(TestProtocols.OpenLabel)]
public class AuditTrailTests(string protocol) : WawSiteFixture(protocol)
{
    private static DateOnly Day(string visit) => DateOnly.FromDateTime(At(visit, null));

    private async Task<JsonArray> HistoryAsync(string code, HttpClient? reader = null) =>
        await (await (reader ?? _monitor).GetAsync($"/api/v1/participants/{code}/history")).JsonArrayAsync();

    private static JsonNode Row(JsonArray trail, string entity, string action) =>
        trail.LastOrDefault(r => r!["entityType"]!.GetValue<string>() == entity && r["action"]!.GetValue<string>() == action)
        ?? throw new AssertionException($"No {entity} {action} row in {trail.ToJsonString()}");

    private static void AssertAttributed(JsonNode row, string role)
    {
        Assert.That(row["role"]!.GetValue<string>(), Is.EqualTo(role), row.ToJsonString());
        Assert.That(row["userName"]!.GetValue<string>(), Does.StartWith(role), row.ToJsonString());
        Assert.That(row["tokenId"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty, row.ToJsonString());
        Assert.That(row["requestId"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty, row.ToJsonString());
        Assert.That(row["siteCode"]!.GetValue<string>(), Is.EqualTo("WAW"), row.ToJsonString());
        Assert.That(row["hash"]!.GetValue<string>(), Has.Length.EqualTo(64), row.ToJsonString());
    }

    /// <summary>The changed field as the row records it before and after, and the reason.</summary>
    private static void AssertChange(JsonNode row, string field, string before, string after, string reason)
    {
        var text = row.ToJsonString();
        Assert.That(row["oldValue"]!.AsObject().ContainsKey(field) && row["newValue"]!.AsObject().ContainsKey(field), Is.True, text);
        Assert.That(row["oldValue"]![field]?.ToJsonString() ?? "null", Is.EqualTo(before), text);
        Assert.That(row["newValue"]![field]?.ToJsonString() ?? "null", Is.EqualTo(after), text);
        Assert.That(row["reason"]!.GetValue<string>(), Is.EqualTo(reason), text);
    }

    private static async Task<string> ETagAsync(HttpClient client, string url) =>
        (await client.GetAsync(url)).Headers.ETag!.ToString();

    [Test]
    public async Task EveryKindOfChange_LeavesAnAttributedRowWithOldAndNewValuesAndTheReason()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var created = Row(await HistoryAsync(code), "participant", "create");
        AssertAttributed(created, "investigator");
        Assert.That(created["oldValue"], Is.Null);
        Assert.That(created["newValue"]!["code"]!.GetValue<string>(), Is.EqualTo(code));

        // Visit: recorded, then its date corrected (in the blinded design after randomisation, which comes before INF1).
        await _infusions.RandomiseAsync(code, new DateOnly(2026, 2, 28));
        var visitUrl = $"/api/v1/participants/{code}/visits/INF1";
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", new DateOnly(2026, 3, 1));
        await (await _investigator.SendAsync(Put(visitUrl, new { actualDate = "2026-03-02", reason = "Date typed wrongly." }, await ETagAsync(_investigator, visitUrl))))
            .JsonAsync(HttpStatusCode.OK);

        // Infusion: recorded, then corrected.
        var infusionUrl = $"{visitUrl}/infusion";
        var infusion = await _infusions.PreparedBodyAsync(code, "INF1", new DateTime(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc));
        await (await _investigator.PostAsJsonAsync(infusionUrl, infusion)).JsonAsync(HttpStatusCode.Created);
        await (await _investigator.SendAsync(Put(infusionUrl, infusion with { WeightKg = 62.5m, Reason = "Weighed again." }, await ETagAsync(_investigator, infusionUrl))))
            .JsonAsync(HttpStatusCode.OK);

        // Vital signs: recorded, then corrected.
        await VitalsAsync(_investigator, code, "INF1", "pre", 130, 80, 70, 98);
        var vitalsUrl = $"{visitUrl}/vitals/pre";
        await (await _investigator.SendAsync(Put(vitalsUrl, new { systolic = 131, diastolic = 80, heartRate = 70, spo2 = 98, reason = "Transcription." },
            await ETagAsync(_investigator, vitalsUrl)))).JsonAsync(HttpStatusCode.OK);

        // Assessment: entered, then corrected.
        var assessment = await AssessAtAsync(_investigator, code, "INF1", "pre", "MADRS", Madrs(20, item10: 1), new DateTime(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc));
        var assessmentUrl = $"/api/v1/assessments/{assessment}";
        await (await _investigator.SendAsync(Put(assessmentUrl, new
        {
            instrument = "MADRS", timepoint = "pre", administeredUtc = new DateTime(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc), items = Madrs(21, item10: 1),
            reason = "Item 1 re-scored.",
        }, await ETagAsync(_investigator, assessmentUrl)))).JsonAsync(HttpStatusCode.OK);

        // Adverse event: recorded, then updated.
        var ae = await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Headache"));
        var aeUrl = $"/api/v1/adverse-events/{ae["id"]}";
        await (await _investigator.SendAsync(Put(aeUrl, AdverseEvent("Headache") with { Severity = "severe", Reason = "Worse than first reported." },
            await ETagAsync(_investigator, aeUrl)))).JsonAsync(HttpStatusCode.OK);

        // Discontinuation of infusions, then withdrawal from the study.
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-04", reasonCode = "ADVERSE EVENT", reason = "Severe dissociation." }))
            .JsonAsync(HttpStatusCode.OK);
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/withdrawal", new { date = "2026-03-09", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Consent withdrawn." }))
            .JsonAsync(HttpStatusCode.OK);

        var trail = await HistoryAsync(code);
        foreach (var entity in new[] { "visit", "infusion", "vitals", "assessment", "adverse-event" })
        {
            AssertAttributed(Row(trail, entity, "create"), "investigator");
            AssertAttributed(Row(trail, entity, "update"), "investigator");
        }
        AssertChange(Row(trail, "visit", "update"), "actualDate", "\"2026-03-01\"", "\"2026-03-02\"", "Date typed wrongly.");
        AssertChange(Row(trail, "infusion", "update"), "weightKg", "61.5", "62.5", "Weighed again.");
        AssertChange(Row(trail, "vitals", "update"), "systolic", "130", "131", "Transcription.");
        AssertChange(Row(trail, "assessment", "update"), "scores", "{\"total\":20}", "{\"total\":21}", "Item 1 re-scored.");
        AssertChange(Row(trail, "adverse-event", "update"), "severity", "\"moderate\"", "\"severe\"", "Worse than first reported.");
        var withdrawal = trail.Last(r => r!["entityType"]!.GetValue<string>() == "participant");
        AssertChange(withdrawal!, "status", "\"enrolled\"", "\"withdrawn\"", "Consent withdrawn.");
        var discontinuation = trail.Where(r => r!["entityType"]!.GetValue<string>() == "participant").Skip(1).First()!;
        AssertChange(discontinuation, "infusionsDiscontinuedDate", "null", "\"2026-03-04\"", "Severe dissociation.");

        // Only what changed is recorded, plus the key that says which record it was.
        var infusionUpdate = Row(trail, "infusion", "update");
        Assert.That(infusionUpdate["newValue"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "id", "weightKg" }).And.Not.Contain("route"));
        Assert.That(trail.Select(r => r!["id"]!.GetValue<long>()), Is.Ordered.Ascending, "the history is in order");
    }

    [Test]
    public async Task AlertReEvaluation_KeepsTheEarlierSeverityAndValuesInTheTrail()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var id = await AssessAsync(_investigator, code, "BL", null, "MADRS", Madrs(30, item10: 5));
        var alert = (await SettledAlertsAsync(_host, _monitor, code)).Single()!;
        var url = $"/api/v1/assessments/{id}";
        await (await _investigator.SendAsync(Put(url, new { instrument = "MADRS", administeredUtc = At("BL", null), items = Madrs(30, item10: 6), reason = "Item 10 re-rated." },
            await ETagAsync(_investigator, url)))).JsonAsync(HttpStatusCode.OK);
        await WaitEvaluatedAsync(_host, code);

        var rows = (await HistoryAsync(code)).Where(r => r!["entityType"]!.GetValue<string>() == "safety-alert").ToList();
        Assert.That(rows.Select(r => r!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "create", "update" }));
        Assert.That(rows.Select(r => r!["role"]!.GetValue<string>()), Is.All.EqualTo("system"), "background jobs write as the system");
        Assert.That(rows.Select(r => r!["tokenId"]?.GetValue<string>()), Is.All.Null);
        var update = rows[1]!;
        Assert.That(update["entityId"]!.GetValue<string>(), Is.EqualTo(alert["id"]!.GetValue<string>()));
        Assert.That(update["oldValue"]!["values"]!["item10"]!.GetValue<string>(), Is.EqualTo("5"));
        Assert.That(update["newValue"]!["values"]!["item10"]!.GetValue<string>(), Is.EqualTo("6"));
        Assert.That(update["oldValue"]!["message"]!.GetValue<string>(), Does.Contain("= 5"));
    }

    [Test]
    public async Task AlertTransitions_AreAuditedAsStateChangesWithTheComment()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await AssessAsync(_investigator, code, "BL", null, "MADRS", Madrs(30, item10: 5));
        var alertId = (await SettledAlertsAsync(_host, _monitor, code)).Single()!["id"]!.GetValue<string>();
        await (await _monitor.PostAsJsonAsync($"/api/v1/safety-alerts/{alertId}/acknowledge", new { comment = "Called the site." })).JsonAsync(HttpStatusCode.OK);

        var page = await (await _monitor.GetAsync($"/api/v1/audit?entity=safety-alert&id={alertId}")).JsonAsync(HttpStatusCode.OK);
        var change = page["items"]!.AsArray().Single(r => r!["action"]!.GetValue<string>() == "state-change")!;
        AssertAttributed(change, "monitor");
        AssertChange(change, "status", "\"open\"", "\"acknowledged\"", "Called the site.");
    }

    [Test]
    public async Task List_FiltersAndPagesByCursor()
    {
        var (investigator, investigatorId) = await UserWithIdAsync(_host, "investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.RecordVisitAsync(investigator, code, "BL", Day("BL"));
        await AssessAsync(investigator, code, "BL", null, "MADRS", Madrs(20, item10: 1));
        await AssessAsync(investigator, code, "BL", null, "BSL23", Bsl(1));

        var all = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await (await _host.Admin.GetAsync($"/api/v1/audit?participant={code}&limit=2{(cursor is null ? "" : "&after=" + cursor)}")).JsonAsync(HttpStatusCode.OK);
            var items = page["items"]!.AsArray();
            Assert.That(items, Has.Count.LessThanOrEqualTo(2));
            all.AddRange(items.Select(i => i!.DeepClone()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        var history = await HistoryAsync(code);
        Assert.That(all.Select(r => r["id"]!.GetValue<long>()), Is.EqualTo(history.Select(r => r!["id"]!.GetValue<long>())));
        Assert.That(all, Has.Count.GreaterThanOrEqualTo(4));

        var assessments = await (await _host.Admin.GetAsync($"/api/v1/audit?participant={code}&entity=assessment")).JsonAsync(HttpStatusCode.OK);
        Assert.That(assessments["items"]!.AsArray().Select(r => r!["entityType"]!.GetValue<string>()), Is.EqualTo(new[] { "assessment", "assessment" }));
        var future = await (await _host.Admin.GetAsync("/api/v1/audit?since=2030-01-01T00:00:00Z")).JsonAsync(HttpStatusCode.OK);
        Assert.That(future["items"]!.AsArray(), Is.Empty);
        var byUser = await (await _host.Admin.GetAsync($"/api/v1/audit?user={investigatorId}&limit=1000")).JsonAsync(HttpStatusCode.OK);
        var rowsByUser = byUser["items"]!.AsArray();
        // The investigator's own first rows: the token they took for their activation code, and the code used. Then the
        // enrolment, which gave its answers without a screening number, so it recorded the participant's screening too: an
        // audit row of the site's screenings, named by its number, beside the participant's own.
        Assert.That(rowsByUser.Select(r => r!["entityType"]!.GetValue<string>()),
            Is.EqualTo(new[] { "token", "activation-code", "screening", "participant", "visit", "assessment", "assessment" }),
            "activation, screening, enrolment, visit and two assessments");
        Assert.That(rowsByUser.Where(r => r!["entityType"]!.GetValue<string>() is not ("screening" or "token" or "activation-code")).Select(r => r!["participantCode"]!.GetValue<string>()),
            Is.All.EqualTo(code));
    }

    [TestCase("entity=patient", "entity")]
    [TestCase("since=2026-03-01T00:00:00", "since")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=5000", "limit")]
    [TestCase("after=-1", "after")]
    public async Task List_WithBadParameter_Is422NamingIt(string query, string field)
    {
        var problem = await (await _host.Admin.GetAsync($"/api/v1/audit?{query}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }));
    }

    [Test]
    public async Task Access_MonitorsSeeTheirSitesAndInvestigatorsAndStatisticiansNone()
    {
        await _host.CreateSiteAsync("GDA");
        var gdaInvestigator = await _host.UserAsync("investigator", "GDA");
        var gdaMonitor = await _host.UserAsync("monitor", "GDA");
        var gda = await TrialHost.EnrolAsync(gdaInvestigator, "GDA");

        var page = await (await _monitor.GetAsync("/api/v1/audit?limit=1000")).JsonAsync(HttpStatusCode.OK);
        Assert.That(page["items"]!.AsArray().Select(r => r!["siteCode"]?.GetValue<string>()), Is.All.EqualTo("WAW"));
        await (await _monitor.GetAsync($"/api/v1/participants/{gda}/history")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(await HistoryAsync(gda, gdaMonitor), Is.Not.Empty);
        await (await _investigator.GetAsync("/api/v1/audit")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await (await _host.UserAsync("statistician", "WAW")).GetAsync("/api/v1/audit")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _monitor.GetAsync("/api/v1/audit/verify")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Verify_IntactThenARowEditedBehindTheApplicationsBack_NamesThatRow()
    {
        // A host of its own: the test breaks its trail on purpose.
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.RecordVisitAsync(investigator, code, "BL", Day("BL"));
        await AssessAsync(investigator, code, "BL", null, "MADRS", Madrs(20, item10: 1));

        var intact = await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(intact["intact"]!.GetValue<bool>(), Is.True, intact.ToJsonString());
        Assert.That(intact["rows"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(8));
        Assert.That(intact["firstBrokenId"], Is.Null);

        var target = (await (await host.Admin.GetAsync($"/api/v1/audit?participant={code}&entity=visit")).JsonAsync(HttpStatusCode.OK))["items"]![0]!["id"]!.GetValue<long>();
        using (var connection = new SqliteConnection($"Data Source={host.DatabasePath}"))
        {
            connection.Open();
            using var edit = connection.CreateCommand();
            edit.CommandText = "DROP TRIGGER TR_AuditEvent_NoUpdate; UPDATE AuditEvent SET NewValue = replace(NewValue, '2026-03-01', '2026-02-28') WHERE Id = $id;";
            edit.Parameters.AddWithValue("$id", target);
            Assert.That(edit.ExecuteNonQuery(), Is.EqualTo(1));
        }

        var broken = await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(broken["intact"]!.GetValue<bool>(), Is.False, broken.ToJsonString());
        Assert.That(broken["firstBrokenId"]!.GetValue<long>(), Is.EqualTo(target));
    }

    [Test]
    public async Task Verify_RowsCutOffTheEnd_AreFound()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var rows = (await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK))["rows"]!.GetValue<long>();
        using (var connection = new SqliteConnection($"Data Source={host.DatabasePath}"))
        {
            connection.Open();
            using var cut = connection.CreateCommand();
            cut.CommandText = "DROP TRIGGER TR_AuditEvent_NoDelete; DELETE FROM AuditEvent WHERE Id = (SELECT MAX(Id) FROM AuditEvent);";
            cut.ExecuteNonQuery();
        }
        var broken = await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(broken["intact"]!.GetValue<bool>(), Is.False);
        Assert.That(broken["firstBrokenId"]!.GetValue<long>(), Is.EqualTo(rows));
    }
}
