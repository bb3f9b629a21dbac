using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// Nobody acts as someone else: an admin creating a user, or resetting their access, gets a one-time activation code, never a
/// token; the user exchanges the code for a token of their own, once; users list and revoke their own tokens.
/// </summary>
public class ActivationTests
{
    private const string NotValid = "This activation code is not valid: it is unknown, used, expired or replaced; ask an admin for a new one.";
    private TrialHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<JsonObject> CreateUserAsync(string name) =>
        await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name, role = "monitor", sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created);

    private Task<HttpResponseMessage> ActivateAsync(string? code) => _host.Client().PostAsJsonAsync("/api/v1/tokens", new { activationCode = code });

    private static async Task<JsonObject> RefusedAsync(HttpResponseMessage response)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "activationCode" }));
        Assert.That(problem["detail"]!.GetValue<string>(), Is.EqualTo(NotValid));
        return problem;
    }

    private async Task<JsonArray> TrailAsync(string query) =>
        (await (await _host.Admin.GetAsync($"/api/v1/audit?limit=1000&{query}")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray();

    [Test]
    public async Task CreateUser_AnswersWithAnActivationCodeAndNoToken()
    {
        var created = await CreateUserAsync("Dr Code");

        Assert.That(created.Select(p => p.Key), Is.EquivalentTo(new[] { "id", "name", "role", "sites", "createdUtc", "activationCode", "activationExpiresUtc" }));
        Assert.That(created["activationCode"]!.GetValue<string>(), Does.Match("^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$"));
        Assert.That(created["activationExpiresUtc"]!.GetValue<DateTime>(), Is.EqualTo(TrialHost.StartTime.UtcDateTime.AddHours(72)), "72 hours by default");
        Assert.That(created.ToJsonString(), Does.Not.Contain("trial_"));
    }

    [Test]
    public async Task NewUser_ActivatesWithTheirCode_TheAdminsCopyIsThenUseless_AndItsUseIsAudited()
    {
        var created = await CreateUserAsync("Dr Own");
        var (id, code) = (created["id"]!.GetValue<string>(), created["activationCode"]!.GetValue<string>());

        var activated = await (await ActivateAsync(code)).JsonAsync(HttpStatusCode.Created);
        Assert.That(activated["userId"]!.GetValue<string>(), Is.EqualTo(id));
        var token = activated["token"]!.GetValue<string>();
        Assert.That((await _host.Client(token).GetAsync("/api/v1/safety-alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var tokensBefore = await (await _host.Client(token).GetAsync("/api/v1/users/me/tokens")).JsonArrayAsync();

        // The admin still holds the code: it gives nothing any more.
        await RefusedAsync(await _host.Admin.PostAsJsonAsync("/api/v1/tokens", new { activationCode = code }));
        await RefusedAsync(await ActivateAsync(code));

        Assert.That(await (await _host.Client(token).GetAsync("/api/v1/users/me/tokens")).JsonArrayAsync(), Has.Count.EqualTo(tokensBefore.Count), "no token for the second use");
        var rows = (await TrailAsync("entity=activation-code")).Where(r => r!["newValue"]!["userId"]?.GetValue<string>() == id).ToList();
        Assert.That(rows.Select(r => (r!["action"]!.GetValue<string>(), r["role"]!.GetValue<string>())), Is.EqualTo(new[]
        {
            ("create", "admin"), ("activation-code-used", "monitor"), ("access-denied", "anonymous"), ("access-denied", "anonymous"),
        }));
        Assert.That(rows.Skip(2).Select(r => r!["newValue"]!["reason"]!.GetValue<string>()), Is.All.EqualTo("used"));
        Assert.That(rows[1]!["userId"]!.GetValue<string>(), Is.EqualTo(id), "the user activated, not the admin");
        var trail = (await TrailAsync("entity=token")).ToJsonString() + (await TrailAsync("entity=activation-code")).ToJsonString();
        Assert.That(trail, Does.Not.Contain(token).And.Not.Contain(code));
    }

    [Test]
    public async Task OneCode_SentByConcurrentRequests_GivesOneToken()
    {
        var code = (await CreateUserAsync("Dr Race"))["activationCode"]!.GetValue<string>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ActivateAsync(code)));

        Assert.That(responses.Select(r => r.StatusCode).Order(),
            Is.EqualTo(new[] { HttpStatusCode.Created }.Concat(Enumerable.Repeat(HttpStatusCode.UnprocessableEntity, 5))));
    }

    [Test]
    public async Task UnknownCode_IsRefusedAlike_AndTheAttemptAuditedWithoutIt()
    {
        const string guess = "ZZZZ-YYYY-XXXX-WWWW-VVVV-TTTT-SSSS";
        var before = (await TrailAsync("entity=activation-code&id=unknown")).Count;

        await RefusedAsync(await ActivateAsync(guess));

        var rows = await TrailAsync("entity=activation-code&id=unknown");
        Assert.That(rows, Has.Count.EqualTo(before + 1));
        Assert.That(rows[^1]!["action"]!.GetValue<string>(), Is.EqualTo("access-denied"));
        Assert.That(rows.ToJsonString(), Does.Not.Contain("ZZZZ"));
    }

    [Test]
    public async Task MissingCode_Is422NamingIt()
    {
        var problem = await (await ActivateAsync(null)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!["activationCode"]!.AsArray().Select(m => m!.GetValue<string>()), Is.EqualTo(new[] { "Activation code is required." }));
    }

    [Test]
    public async Task ExpiredCode_IsRefused()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["Access:ActivationCodeLifetimeHours"] = "24" });
        await host.CreateSiteAsync("WAW");
        var created = await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "Late", role = "monitor", sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created);
        Assert.That(created["activationExpiresUtc"]!.GetValue<DateTime>(), Is.EqualTo(host.Clock.GetUtcNow().UtcDateTime.AddHours(24)), "the configured lifetime");

        host.Clock.Advance(TimeSpan.FromHours(24));

        await RefusedAsync(await host.Client().PostAsJsonAsync("/api/v1/tokens", new { activationCode = created["activationCode"]!.GetValue<string>() }));
    }

    [Test]
    public async Task ResetCode_SupersedesTheEarlierOne()
    {
        var created = await CreateUserAsync("Dr Reset");
        var (id, first) = (created["id"]!.GetValue<string>(), created["activationCode"]!.GetValue<string>());

        var reset = await (await _host.Admin.PostAsync($"/api/v1/users/{id}/activation", null)).JsonAsync(HttpStatusCode.Created);

        Assert.That(reset["userId"]!.GetValue<string>(), Is.EqualTo(id));
        await RefusedAsync(await ActivateAsync(first));
        var activated = await (await ActivateAsync(reset["activationCode"]!.GetValue<string>())).JsonAsync(HttpStatusCode.Created);
        Assert.That(activated["userId"]!.GetValue<string>(), Is.EqualTo(id));
        await (await _host.Admin.PostAsync($"/api/v1/users/{Guid.NewGuid()}/activation", null)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task OldRouteIssuingATokenForAnotherUser_IsGone()
    {
        var id = (await CreateUserAsync("Dr Gone"))["id"]!.GetValue<string>();

        var response = await _host.Admin.PostAsync($"/api/v1/users/{id}/token", null);

        Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("trial_"));
    }

    [Test]
    public async Task OwnTokens_AreListedWithTheCurrentOne_OneRevokedStopsAtOnce_AnotherUsersIdIs404()
    {
        var created = await CreateUserAsync("Dr Two Tokens");
        var id = created["id"]!.GetValue<string>();
        var first = _host.Client(await _host.ActivateAsync(created["activationCode"]!.GetValue<string>()));
        var code = (await (await _host.Admin.PostAsync($"/api/v1/users/{id}/activation", null)).JsonAsync(HttpStatusCode.Created))["activationCode"]!.GetValue<string>();
        var second = _host.Client(await _host.ActivateAsync(code));
        var other = await _host.UserAsync("monitor", "WAW");
        var othersTokenId = (await (await other.GetAsync("/api/v1/users/me/tokens")).JsonArrayAsync()).Single()!["id"]!.GetValue<string>();

        var listed = await (await first.GetAsync("/api/v1/users/me/tokens")).JsonArrayAsync();

        Assert.That(listed, Has.Count.EqualTo(2), "their own two tokens, no one else's");
        Assert.That(listed.Select(t => t!.AsObject().Select(p => p.Key)), Is.All.EquivalentTo(new[] { "id", "createdUtc", "expiresUtc", "revokedUtc", "current" }));
        Assert.That(listed.Select(t => t!["current"]!.GetValue<bool>()), Is.EquivalentTo(new[] { true, false }));
        Assert.That(listed.Select(t => t!["id"]!.GetValue<string>()), Does.Not.Contain(othersTokenId));
        var secondId = listed.Single(t => !t!["current"]!.GetValue<bool>())!["id"]!.GetValue<string>();
        Assert.That((await second.GetAsync("/api/v1/safety-alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "resolved and cached");

        Assert.That((await first.DeleteAsync($"/api/v1/users/me/tokens/{secondId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        await (await second.GetAsync("/api/v1/safety-alerts")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.That((await first.GetAsync("/api/v1/safety-alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token the revocation was made with still works");
        var after = await (await first.GetAsync("/api/v1/users/me/tokens")).JsonArrayAsync();
        Assert.That(after.Single(t => t!["id"]!.GetValue<string>() == secondId)!["revokedUtc"], Is.Not.Null);
        await (await first.DeleteAsync($"/api/v1/users/me/tokens/{othersTokenId}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.That((await other.GetAsync("/api/v1/safety-alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the other user's token was not touched");
        var revoked = (await TrailAsync($"entity=token&id={secondId}")).Single(r => r!["action"]!.GetValue<string>() == "token-revoked")!;
        Assert.That(revoked["userId"]!.GetValue<string>(), Is.EqualTo(id));
    }
}
