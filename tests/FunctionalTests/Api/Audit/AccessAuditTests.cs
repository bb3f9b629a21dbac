using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Audit;

/// <summary>Attributable access: activation codes given, tokens issued and revoked, refused requests recorded (but not without limit), and requests per token limited.</summary>
public class AccessAuditTests
{
    private static async Task<JsonArray> TrailAsync(TrialHost host, string query) =>
        (await (await host.Admin.GetAsync($"/api/v1/audit?limit=1000&{query}")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray();

    [Test]
    public async Task TokensIssuedAndRevoked_AreAuditedWithWhoDidIt()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var (_, userId) = await UserWithIdAsync(host, "investigator", "WAW");
        var code = await (await host.Admin.PostAsync($"/api/v1/users/{userId}/activation", null)).JsonAsync(HttpStatusCode.Created);
        await host.ActivateAsync(code["activationCode"]!.GetValue<string>());
        Assert.That((await host.Admin.DeleteAsync($"/api/v1/users/{userId}/token")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var issued = await TrailAsync(host, "entity=token");
        var forUser = issued.Where(r => r!["newValue"]!["userId"]!.GetValue<string>() == userId.ToString()).ToList();
        Assert.That(forUser.Select(r => r!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "token-issued", "token-issued" }));
        Assert.That(forUser.Select(r => (r!["userId"]!.GetValue<string>(), r["role"]!.GetValue<string>())), Is.All.EqualTo((userId.ToString(), "investigator")),
            "each token was issued to the user who activated, never by an admin");
        var codes = await TrailAsync(host, "entity=activation-code");
        Assert.That(codes.Where(r => r!["action"]!.GetValue<string>() == "create").Select(r => r!["role"]!.GetValue<string>()), Is.EqualTo(new[] { "admin", "admin" }),
            "the admin gave the codes");
        Assert.That(issued.ToJsonString() + codes.ToJsonString(), Does.Not.Contain("trial_").And.Not.Contain(code["activationCode"]!.GetValue<string>()),
            "a token or code itself is never recorded");
        var revoked = (await TrailAsync(host, $"entity=user&id={userId}")).Where(r => r!["action"]!.GetValue<string>() == "token-revoked").ToList();
        Assert.That(revoked, Has.Count.EqualTo(1));
        Assert.That(revoked[0]!["newValue"]!["tokensRevoked"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(revoked[0]!["role"]!.GetValue<string>(), Is.EqualTo("admin"));
    }

    [Test]
    public async Task User_RevokesOwnToken_ItStopsWorkingAtOnceAndTheRevocationIsAudited()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var (monitor, monitorId) = await UserWithIdAsync(host, "monitor", "WAW");
        (await monitor.GetAsync("/api/v1/safety-alerts")).EnsureSuccessStatusCode();
        Assert.That((await monitor.DeleteAsync("/api/v1/users/me/token")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await (await monitor.GetAsync("/api/v1/safety-alerts")).ProblemAsync(HttpStatusCode.Unauthorized);

        var row = (await TrailAsync(host, $"entity=token&user={monitorId}")).Single(r => r!["action"]!.GetValue<string>() == "token-revoked")!;
        Assert.That(row["reason"]!.GetValue<string>(), Does.Contain("owner"));
        Assert.That(row["entityId"]!.GetValue<string>(), Is.EqualTo(row["tokenId"]!.GetValue<string>()), "the token revoked is the one used");
    }

    [Test]
    public async Task RefusedRequests_AreAuditedUpToTheLimitPerCaller()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["Access:DeniedAuditsPerCallerPerMinute"] = "3" });
        await host.CreateSiteAsync("WAW");
        await host.CreateSiteAsync("KRK");
        var (krk, krkId) = await UserWithIdAsync(host, "investigator", "KRK");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");

        for (var i = 0; i < 6; i++) await (await krk.GetAsync($"/api/v1/participants/{code}")).ProblemAsync(HttpStatusCode.Forbidden);
        var anonymous = host.Client();
        await (await anonymous.GetAsync("/api/v1/participants")).ProblemAsync(HttpStatusCode.Unauthorized);

        var denied = await TrailAsync(host, "entity=access");
        var byKrk = denied.Where(r => r!["userId"]!.GetValue<string>() == krkId.ToString()).ToList();
        Assert.That(byKrk, Has.Count.EqualTo(3), "at most 3 a minute from one caller");
        Assert.That(byKrk.Select(r => r!["action"]!.GetValue<string>()), Is.All.EqualTo("access-denied"));
        Assert.That(byKrk[0]!["newValue"]!["status"]!.GetValue<int>(), Is.EqualTo(403));
        Assert.That(byKrk[0]!["newValue"]!["path"]!.GetValue<string>(), Is.EqualTo($"/api/v1/participants/{code}"));
        var unauthenticated = denied.Where(r => r!["role"]!.GetValue<string>() == "anonymous").ToList();
        Assert.That(unauthenticated, Has.Count.EqualTo(1));
        Assert.That(unauthenticated[0]!["newValue"]!["status"]!.GetValue<int>(), Is.EqualTo(401));
        var verify = await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(verify["intact"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Requests_OverTheLimitPerToken_Are429WithRateLimitHeaders()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["RateLimit:PermitsPerWindow"] = "5", ["RateLimit:WindowSeconds"] = "60" });
        await host.CreateSiteAsync("WAW");
        var monitor = await host.UserAsync("monitor", "WAW");
        var other = await host.UserAsync("monitor", "WAW");

        var remaining = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var ok = await monitor.GetAsync("/api/v1/safety-alerts");
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ok.Headers.GetValues("RateLimit-Limit").Single(), Is.EqualTo("5"));
            remaining.Add(int.Parse(ok.Headers.GetValues("RateLimit-Remaining").Single()));
        }
        Assert.That(remaining, Is.EqualTo(new[] { 4, 3, 2, 1, 0 }));

        var refused = await monitor.GetAsync("/api/v1/safety-alerts");
        var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("5 requests"));
        Assert.That(refused.Headers.GetValues("RateLimit-Remaining").Single(), Is.EqualTo("0"));
        var reset = int.Parse(refused.Headers.GetValues("RateLimit-Reset").Single());
        Assert.That(reset, Is.InRange(1, 60));
        Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.EqualTo(reset));
        Assert.That((await other.GetAsync("/api/v1/safety-alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the limit is per token");
        Assert.That((await host.Client().GetAsync("/health/live")).Headers.Contains("RateLimit-Limit"), Is.False, "anonymous health checks are not counted");
    }
}
