using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace Trial.Tests.Api;

public class AccessTests
{
    private TrialHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    [TestCase("/swagger/v1/swagger.json")]
    [TestCase("/swagger/index.html")]
    public async Task AnonymousRoute_WithoutToken_Answers200(string path)
    {
        var response = await _host.Client().GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/api/v1/participants")]
    [TestCase("/api/v1/sites")]
    [TestCase("/api/v1/instruments")]
    public async Task ProtectedRoute_WithoutToken_Is401Problem(string path)
    {
        var problem = await (await _host.Client().GetAsync(path)).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("Bearer"));
    }

    [Test]
    public async Task ProtectedRoute_WithUnknownToken_Is401Problem()
    {
        var problem = await (await _host.Client("trial_not-a-real-token").GetAsync("/api/v1/participants")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("unknown, revoked or expired"));
    }

    [Test]
    public async Task AdminRoute_WithInvestigatorToken_Is403Problem()
    {
        var investigator = await _host.UserAsync("investigator", "WAW");
        var response = await investigator.PostAsJsonAsync("/api/v1/sites", new { code = "GDA", name = "Gdansk" });
        await response.ProblemAsync(HttpStatusCode.Forbidden);
        var sites = await (await _host.Admin.GetAsync("/api/v1/sites")).JsonArrayAsync();
        Assert.That(sites.Select(s => s!["code"]!.GetValue<string>()), Does.Not.Contain("GDA"));
    }

    [Test]
    public async Task Enrol_AtSiteNotOfInvestigator_Is403AndStoresNothing()
    {
        var investigator = await _host.UserAsync("investigator", "WAW");
        var response = await investigator.PostAsJsonAsync("/api/v1/participants", TrialHost.EligibleParticipant("KRK"));
        await response.ProblemAsync(HttpStatusCode.Forbidden);
        var krk = await (await _host.Admin.GetAsync("/api/v1/participants?site=KRK")).JsonArrayAsync();
        Assert.That(krk, Is.Empty);
    }

    [Test]
    public async Task Participant_OfOtherSite_Is403ForReaders()
    {
        var krkInvestigator = await _host.UserAsync("investigator", "KRK");
        var code = await TrialHost.EnrolAsync(krkInvestigator, "KRK");
        var wawMonitor = await _host.UserAsync("monitor", "WAW");
        await (await wawMonitor.GetAsync($"/api/v1/participants/{code}")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await wawMonitor.GetAsync("/api/v1/participants?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
        var krkMonitor = await _host.UserAsync("monitor", "KRK");
        var participant = await (await krkMonitor.GetAsync($"/api/v1/participants/{code}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(participant["siteCode"]!.GetValue<string>(), Is.EqualTo("KRK"));
    }

    [Test]
    public async Task Monitor_Enrolling_Is403()
    {
        var monitor = await _host.UserAsync("monitor", "WAW");
        await (await monitor.PostAsJsonAsync("/api/v1/participants", TrialHost.EligibleParticipant("WAW"))).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Statistician_ReadingParticipants_Is403()
    {
        var statistician = await _host.UserAsync("statistician", "WAW");
        await (await statistician.GetAsync("/api/v1/participants")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task RevokedToken_IsRefusedAtOnce()
    {
        var created = await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "leaver", role = "monitor", sites = new[] { "WAW" } }))
            .JsonAsync(HttpStatusCode.Created);
        var client = _host.Client(await _host.ActivateAsync(created["activationCode"]!.GetValue<string>()));
        Assert.That((await client.GetAsync("/api/v1/participants")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var revoke = await _host.Admin.DeleteAsync($"/api/v1/users/{created["id"]}/token");
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await (await client.GetAsync("/api/v1/participants")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Token_AfterItsExpiry_IsRefused()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var monitor = await host.UserAsync("monitor", "WAW");
        host.Clock.Advance(TimeSpan.FromDays(366));
        await (await monitor.GetAsync("/api/v1/participants")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task CreateUser_WithBadFields_Is422NamingEachField()
    {
        var problem = await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "", role = "surgeon", sites = new[] { "WAW" } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "name", "role" }));
    }

    [Test]
    public async Task CreateUser_WithUnknownSite_Is422AndCreatesNoUser()
    {
        var before = (await (await _host.Admin.GetAsync("/api/v1/users")).JsonArrayAsync()).Count;
        var problem = await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "x", role = "monitor", sites = new[] { "NOPE" } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("NOPE"));
        Assert.That((await (await _host.Admin.GetAsync("/api/v1/users")).JsonArrayAsync()).Count, Is.EqualTo(before));
    }

    [Test]
    public async Task CreateSite_Twice_Is409()
    {
        await (await _host.Admin.PostAsJsonAsync("/api/v1/sites", new { code = "WAW", name = "again" })).ProblemAsync(HttpStatusCode.Conflict);
    }

    [TestCase("waw")]
    [TestCase("W")]
    [TestCase("WAW-1")]
    public async Task CreateSite_WithBadCode_Is422(string code)
    {
        var problem = await (await _host.Admin.PostAsJsonAsync("/api/v1/sites", new { code, name = "x" })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!["code"], Is.Not.Null);
    }
}
