using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Hosting.Maintenance;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Audit;

/// <summary>
/// Safe retries: a POST sent again with the same Idempotency-Key gets the first response and changes nothing more;
/// concurrent requests with one key make one record; a key used for another request is refused. Run against both designs
/// (the infusion differs).
/// </summary>
[TestFixture(TestProtocols.Blinded)]
[TestFixture(TestProtocols.OpenLabel)]
public class IdempotencyTests(string protocol) : WawSiteFixture(protocol)
{
    private static HttpRequestMessage Post(string url, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private async Task<int> ParticipantCountAsync() =>
        (await (await _host.Admin.GetAsync("/api/v1/participants")).JsonArrayAsync()).Count;

    [Test]
    public async Task Enrolment_RetriedWithTheSameKey_ReturnsTheFirstResponseAndEnrolsOnce()
    {
        var before = await ParticipantCountAsync();
        var key = Guid.NewGuid().ToString();
        var first = await _investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key));
        var firstBody = await first.JsonAsync(HttpStatusCode.Created);
        var again = await _investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key));
        var againBody = await again.JsonAsync(HttpStatusCode.Created);

        Assert.That(againBody.ToJsonString(), Is.EqualTo(firstBody.ToJsonString()));
        Assert.That(again.Headers.Location, Is.EqualTo(first.Headers.Location));
        Assert.That(again.Headers.ETag, Is.EqualTo(first.Headers.ETag));
        Assert.That(again.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That(await ParticipantCountAsync(), Is.EqualTo(before + 1));
    }

    [Test]
    public async Task SameKey_WithAnotherBody_Is422AndChangesNothing()
    {
        var key = Guid.NewGuid().ToString();
        await (await _investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key))).JsonAsync(HttpStatusCode.Created);
        var before = await ParticipantCountAsync();
        var other = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(TrialHost.EligibleParticipant("WAW"), System.Text.Json.JsonSerializerOptions.Web))!;
        other["birthYear"] = 1980;
        var problem = await (await _investigator.SendAsync(Post("/api/v1/participants", other, key))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "Idempotency-Key" }));
        Assert.That(await ParticipantCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task ConcurrentRequests_WithOneKey_MakeOneRecordAndAllGetTheFirstResult()
    {
        var before = await ParticipantCountAsync();
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            _investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key))));
        var bodies = new List<string>();
        foreach (var response in responses) bodies.Add((await response.JsonAsync(HttpStatusCode.Created)).ToJsonString());
        Assert.That(bodies.Distinct().Count(), Is.EqualTo(1), string.Join("\n", bodies));
        Assert.That(await ParticipantCountAsync(), Is.EqualTo(before + 1));
    }

    [Test]
    public async Task EveryCreatingPost_HonoursTheKey()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await _infusions.RandomiseAsync(code, new DateOnly(2026, 3, 1));
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", new DateOnly(2026, 3, 2));
        var start = new DateTime(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc);
        var infusion = await _infusions.PreparedBodyAsync(code, "INF1", start);
        var alertCode = await TrialHost.EnrolAsync(_investigator, "WAW");
        await AssessAsync(_investigator, alertCode, "BL", null, "MADRS", Madrs(30, item10: 5));
        var alertId = (await SettledAlertsAsync(_host, _monitor, alertCode)).Single()!["id"]!.GetValue<string>();

        var requests = new (HttpClient Client, string Url, object Body)[]
        {
            (_investigator, $"/api/v1/participants/{code}/visits/INF1/infusion", infusion),
            (_investigator, $"/api/v1/participants/{code}/visits/INF1/vitals", new { timepoint = "pre", systolic = 130, diastolic = 80, heartRate = 70, spo2 = 98 }),
            (_investigator, AssessmentsUrl(code, "INF1"), new { instrument = "MADRS", timepoint = "pre", administeredUtc = start.AddMinutes(-10), items = Madrs(20, item10: 1) }),
            (_investigator, $"/api/v1/participants/{code}/adverse-events", AdverseEvent("Dizziness")),
            (_investigator, $"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Dissociation." }),
            (_monitor, $"/api/v1/safety-alerts/{alertId}/acknowledge", new { comment = "Seen." }),
            (_monitor, $"/api/v1/safety-alerts/{alertId}/escalate", new { reason = "Urgent." }),
            (_host.Admin, "/api/v1/sites", new { code = "LDZ", name = "Lodz", timeZone = "Europe/Warsaw" }),
            (_investigator, $"/api/v1/participants/{code}/withdrawal", new { date = "2026-03-09", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Moved away." }),
        };
        foreach (var (client, url, body) in requests)
        {
            var key = Guid.NewGuid().ToString();
            var first = await client.SendAsync(Post(url, body, key));
            Assert.That((int)first.StatusCode, Is.InRange(200, 201), $"{url}: {await first.Content.ReadAsStringAsync()}");
            var trailBefore = await PeoplesAuditRowsAsync();
            var again = await client.SendAsync(Post(url, body, key));
            Assert.That(again.StatusCode, Is.EqualTo(first.StatusCode), url);
            Assert.That(await again.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()), url);
            var trailAfter = await PeoplesAuditRowsAsync();
            Assert.That(trailAfter, Is.EqualTo(trailBefore), $"{url}: a replay changes nothing");
        }
    }

    [Test]
    public async Task ActivationCodesAndTokens_RetriedWithTheSameKey_AreNotShownAgain_AndNoneIsStoredAnywhere()
    {
        var key = Guid.NewGuid().ToString();
        var user = new { name = "Dr B. Kowalska", role = "monitor", sites = new[] { "WAW" } };
        var created = await (await _host.Admin.SendAsync(Post("/api/v1/users", user, key))).JsonAsync(HttpStatusCode.Created);
        var (id, lost) = (created["id"]!.GetValue<string>(), created["activationCode"]!.GetValue<string>());
        var trail = await PeoplesAuditRowsAsync();
        var retried = await _host.Admin.SendAsync(Post("/api/v1/users", user, key));
        var problem = await retried.ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("Idempotency-Key"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("shown only once").And.Not.Contain(lost));
        Assert.That(retried.Headers.Location, Is.Not.Null, "the user's record");

        var resetKey = Guid.NewGuid().ToString();
        var reset = await (await _host.Admin.SendAsync(Post($"/api/v1/users/{id}/activation", new { }, resetKey))).JsonAsync(HttpStatusCode.Created);
        var code = reset["activationCode"]!.GetValue<string>();
        await (await _host.Admin.SendAsync(Post($"/api/v1/users/{id}/activation", new { }, resetKey))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(await PeoplesAuditRowsAsync(), Is.EqualTo(trail + 1), "the retries wrote nothing; the one new code did");

        // The user activates with a key too (sent without a token, as users do, and with one, as a client might): the token is
        // shown once, and a retry is a second use of the code, refused.
        var activateKey = Guid.NewGuid().ToString();
        var activated = await (await _host.Client().SendAsync(Post("/api/v1/tokens", new { activationCode = code }, activateKey))).JsonAsync(HttpStatusCode.Created);
        var token = activated["token"]!.GetValue<string>();
        var again = await (await _host.Client().SendAsync(Post("/api/v1/tokens", new { activationCode = code }, activateKey))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(again.ToJsonString(), Does.Not.Contain(token));
        await (await _host.Client(token).SendAsync(Post("/api/v1/tokens", new { activationCode = code }, Guid.NewGuid().ToString())))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        // The token works, and neither it nor any code is anywhere in the database's files (the store, the write-ahead log, the tables).
        Assert.That((await _host.Client(token).GetAsync("/api/v1/safety-alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var files = Directory.GetFiles(Path.GetDirectoryName(_host.DatabasePath)!, Path.GetFileName(_host.DatabasePath) + "*");
        Assert.That(files, Has.Length.GreaterThan(0));
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            foreach (var secret in new[] { token, lost, code, lost.Replace("-", ""), code.Replace("-", "") })
                Assert.That(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)), Is.EqualTo(-1), $"{Path.GetFileName(file)} holds a token or code");
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Audit rows written on behalf of people; the background jobs' own rows (alerts) come and go with their timing.</summary>
    private async Task<int> PeoplesAuditRowsAsync()
    {
        var count = 0;
        string? after = null;
        do
        {
            var page = await (await _host.Admin.GetAsync($"/api/v1/audit?limit=1000{(after is null ? "" : "&after=" + after)}")).JsonAsync(HttpStatusCode.OK);
            count += page["items"]!.AsArray().Count(r => r!["role"]!.GetValue<string>() != "system");
            after = page["nextCursor"]?.GetValue<string>();
        } while (after is not null);
        return count;
    }

    [Test]
    public async Task Keys_AreForgottenAfterTheRetentionPeriod()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var key = Guid.NewGuid().ToString();
        var first = await (await investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key))).JsonAsync(HttpStatusCode.Created);

        host.Clock.Advance(TimeSpan.FromHours(23));
        using (var scope = host.Services.CreateScope())
            Assert.That(await scope.ServiceProvider.GetRequiredService<MaintenanceJobs>().PurgeIdempotencyKeysAsync(), Is.EqualTo(0), "kept for 24 h");
        var replay = await (await investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key))).JsonAsync(HttpStatusCode.Created);
        Assert.That(replay["code"]!.GetValue<string>(), Is.EqualTo(first["code"]!.GetValue<string>()));

        host.Clock.Advance(TimeSpan.FromHours(2));
        using (var scope = host.Services.CreateScope())
            Assert.That(await scope.ServiceProvider.GetRequiredService<MaintenanceJobs>().PurgeIdempotencyKeysAsync(), Is.EqualTo(1));
        var fresh = await (await investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), key))).JsonAsync(HttpStatusCode.Created);
        Assert.That(fresh["code"]!.GetValue<string>(), Is.Not.EqualTo(first["code"]!.GetValue<string>()), "a forgotten key is a new request");
    }

    [Test]
    public async Task Key_LongerThan200Characters_Is422()
    {
        var problem = await (await _investigator.SendAsync(Post("/api/v1/participants", TrialHost.EligibleParticipant("WAW"), new string('k', 201))))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "Idempotency-Key" }));
    }
}
