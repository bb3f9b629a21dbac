using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Tests.Db;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Crash;

/// <summary>
/// Nothing acknowledged is ever lost: the API, a process of its own, is killed with SIGKILL while clients write, then
/// started again on the same file. Every write answered 2xx is there exactly once with its exact values, nothing is
/// half-written, and the background work the writes caused is done soon after the restart.
/// </summary>
[NonParallelizable]
public class CrashTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly BlDay = Today.AddDays(-2), Inf1Day = Today.AddDays(-1);

    /// <summary>One assessment to enter: where, and the items that make it distinct.</summary>
    private sealed record Slot(string Code, string Visit, string? Timepoint, string Instrument, decimal?[] Items, DateTime AdministeredUtc);

    /// <summary>What a 2xx answer acknowledged.</summary>
    private sealed record Acknowledged(string Kind, string Key, JsonObject Body, Slot? Slot);

    private static readonly (string Visit, string? Timepoint, string Instrument, int Minutes)[] Battery =
    [
        ("BL", null, "MADRS", 0), ("BL", null, "BSL23", 0), ("BL", null, "BPRS", 0), ("BL", null, "CADSS", 0),
        ("INF1", "pre", "MADRS", 0), ("INF1", "pre", "BSL23", 0), ("INF1", "pre", "CADSS", 0), ("INF1", "pre", "BPRS", 0),
        ("INF1", "t40", "CADSS", 50), ("INF1", "t40", "BPRS", 50), ("INF1", "t120", "CADSS", 130), ("INF1", "t120", "BPRS", 130), ("INF1", "t240", "ASC5D", 250),
    ];

    private static decimal?[] ItemsFor(string instrument, int n) => instrument switch
    {
        "MADRS" => Madrs(10 + n % 20, item10: n % 3),
        "BSL23" => Bsl(n % 3),
        "BPRS" => Bprs((2, 1 + n % 4)),
        "CADSS" => Cadss(n % 20),
        _ => Asc5D(),
    };

    [Test]
    public async Task Sigkill_MidLoad_EveryAcknowledgedWriteSurvivesExactlyOnceAndIsEvaluatedAfterRestart()
    {
        using var folder = new TempFolder();
        var acknowledged = new ConcurrentBag<Acknowledged>();
        var codes = new List<string>();
        var slots = new ConcurrentQueue<Slot>();

        await using (var api = await ApiProcess.StartAsync(folder.Path))
        {
            using var admin = api.Client();
            (await admin.PostAsJsonAsync("/api/v1/sites", new { code = "WAW", name = "Warsaw" })).EnsureSuccessStatusCode();
            var token = (await (await admin.PostAsJsonAsync("/api/v1/users", new { name = "Dr Crash", role = "investigator", sites = new[] { "WAW" } }))
                .JsonAsync(HttpStatusCode.Created))["token"]!.GetValue<string>();
            using var investigator = api.Client(token);
            for (var p = 0; p < 40; p++)
            {
                var code = await EnrolAsync(investigator, p);
                codes.Add(code);
                await TrialHost.RecordVisitAsync(investigator, code, "BL", BlDay);
                await TrialHost.RecordVisitAsync(investigator, code, "INF1", Inf1Day);
                var n = 0;
                foreach (var (visit, timepoint, instrument, minutes) in Battery)
                {
                    var day = visit == "BL" ? BlDay : Inf1Day;
                    slots.Enqueue(new Slot(code, visit, timepoint, instrument, ItemsFor(instrument, p + n++),
                        day.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc).AddMinutes(minutes)));
                }
            }

            // Eight clients write as fast as they can: assessments, and new participants between them.
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                using var client = api.Client(token);
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (i++ % 10 == 9)
                        {
                            var enrolled = await client.PostAsJsonAsync("/api/v1/participants", EnrolBody(1000 + w * 1000 + i), stop.Token);
                            if (enrolled.StatusCode == HttpStatusCode.Created)
                            {
                                var body = (await enrolled.Content.ReadFromJsonAsync<JsonObject>())!;
                                acknowledged.Add(new Acknowledged("participant", body["code"]!.GetValue<string>(), body, null));
                            }
                            continue;
                        }
                        if (!slots.TryDequeue(out var slot)) break;
                        var response = await client.PostAsJsonAsync($"/api/v1/participants/{slot.Code}/visits/{slot.Visit}/assessments",
                            new { instrument = slot.Instrument, timepoint = slot.Timepoint, administeredUtc = slot.AdministeredUtc, items = slot.Items }, stop.Token);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                            acknowledged.Add(new Acknowledged("assessment", body["id"]!.GetValue<string>(), body, slot));
                        }
                        else Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                    {
                        return; // the server died under this request: its outcome is unknown, and it was not acknowledged
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromMilliseconds(800 + Random.Shared.Next(700)));
            await api.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        var assessments = acknowledged.Where(a => a.Kind == "assessment").ToList();
        Assert.That(assessments, Has.Count.GreaterThan(20), "the kill came mid-load, after many writes were answered");
        Assert.That(slots, Is.Not.Empty, "the kill came before the load ran out");

        await using (var api = await ApiProcess.StartAsync(folder.Path))
        {
            using var admin = api.Client();
            foreach (var a in assessments)
            {
                var stored = await (await admin.GetAsync($"/api/v1/assessments/{a.Key}")).JsonAsync(HttpStatusCode.OK);
                Assert.That(stored["items"]!.ToJsonString(), Is.EqualTo(a.Body["items"]!.ToJsonString()), a.Key);
                Assert.That(stored["scores"]!.ToJsonString(), Is.EqualTo(a.Body["scores"]!.ToJsonString()), a.Key);
                Assert.That(stored["administeredUtc"]!.GetValue<DateTime>(), Is.EqualTo(a.Slot!.AdministeredUtc), a.Key);
            }
            foreach (var p in acknowledged.Where(a => a.Kind == "participant"))
            {
                var stored = await (await admin.GetAsync($"/api/v1/participants/{p.Key}")).JsonAsync(HttpStatusCode.OK);
                Assert.That(stored.ToJsonString(), Is.EqualTo(p.Body.ToJsonString()), p.Key);
            }

            // Within a bounded time of the restart, the rules have seen every write and every plan is current.
            await EventuallyAsync(() => Task.FromResult(Pending(folder).Safety == 0 && Pending(folder).Schedules == 0),
                "the safety evaluations and schedule rebuilds the killed process left undone");
            var verify = await (await admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
            Assert.That(verify["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
        }

        AssertNothingHalfWritten(folder);
    }

    private static (int Safety, int Schedules) Pending(TempFolder folder)
    {
        using var c = new SqliteConnection($"Data Source={folder.File("trial.db")};Mode=ReadOnly");
        return (c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant WHERE SafetyEvaluatedVersion <> SafetyVersion"),
            c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant WHERE ScheduleVersion <> DataVersion"));
    }

    /// <summary>Every stored assessment has all its items and its audit row; every audit row of an assessment or participant has its record.</summary>
    private static void AssertNothingHalfWritten(TempFolder folder)
    {
        TypeHandlers.Register();
        using var c = new SqliteConnection($"Data Source={folder.File("trial.db")};Mode=ReadOnly");
        var itemCounts = c.Query<(string Instrument, int Items)>(
            "SELECT a.Instrument, (SELECT COUNT(*) FROM AssessmentItem i WHERE i.AssessmentId = a.Id) FROM Assessment a").ToList();
        var expected = new Dictionary<string, int> { ["MADRS"] = 10, ["BSL23"] = 23, ["BPRS"] = 18, ["CADSS"] = 23, ["ASC5D"] = 94 };
        Assert.That(itemCounts.Where(x => x.Items != expected[x.Instrument]), Is.Empty, "an assessment without all its items");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM Assessment a WHERE NOT EXISTS (SELECT 1 FROM AssessmentScore s WHERE s.AssessmentId = a.Id) AND a.Instrument <> 'ASC5D' AND a.Complete = 1"),
            Is.EqualTo(0), "a complete assessment without its scores");
        // Ids are compared as the application reads them (SQLite stores them as blobs, the trail names them as text).
        var assessmentIds = c.Query<Guid>("SELECT Id FROM Assessment").Select(id => id.ToString()).ToHashSet();
        var auditedIds = c.Query<string>("SELECT EntityId FROM AuditEvent WHERE EntityType = 'assessment' AND Action = 'create'").ToHashSet();
        Assert.That(assessmentIds.Except(auditedIds), Is.Empty, "an assessment without its audit row");
        Assert.That(auditedIds.Except(assessmentIds), Is.Empty, "an audit row without its assessment");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM Participant p WHERE NOT EXISTS (SELECT 1 FROM AuditEvent e WHERE e.EntityType = 'participant' AND e.EntityId = p.Code)"),
            Is.EqualTo(0), "a participant without its audit row");
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM AuditEvent e WHERE e.EntityType = 'participant' AND e.Action = 'create' AND NOT EXISTS (SELECT 1 FROM Participant p WHERE p.Code = e.EntityId)"),
            Is.EqualTo(0), "an audit row without its participant");
    }

    private static object EnrolBody(int n) => new
    {
        siteCode = "WAW", sex = n % 2 == 0 ? "F" : "M", birthYear = 1960 + n % 40, weightKg = 50m + n % 50, enrolledDate = Today.AddDays(-10),
        eligibility = new { failedAntidepressantTrials = 2 + n % 3, psychotherapyWithoutResponse = true, bpdDiagnosis = true, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
    };

    private static async Task<string> EnrolAsync(HttpClient investigator, int n) =>
        (await (await investigator.PostAsJsonAsync("/api/v1/participants", EnrolBody(n))).JsonAsync(HttpStatusCode.Created))["code"]!.GetValue<string>();
}
