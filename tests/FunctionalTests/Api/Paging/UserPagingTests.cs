using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// The user list a page at a time: users created at the host's fixed clock (so one instant, ordered by id) and a few a day
/// later, read a few at a time; for admins only, on every page.
/// </summary>
public class UserPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _monitor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
        for (var i = 0; i < 20; i++) await CreateAsync($"Investigator {i}");
        _host.Clock.Advance(TimeSpan.FromDays(1));
        for (var i = 0; i < 5; i++) await CreateAsync($"Monitor {i}", "monitor");
    }

    private async Task CreateAsync(string name, string role = "investigator") =>
        await (await _host.Admin.PostAsJsonAsync("/api/v1/users", new { name, role, sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created);

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>Every user's id in the order they were created, then by id as the database compares ids.</summary>
    private async Task<List<string>> ExpectedAsync() =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<Guid>("SELECT Id FROM AppUser ORDER BY CreatedUtc, Id")))
        .Select(id => id.ToString("D")).ToList();

    private static List<string> Ids(List<JsonNode> rows) => rows.Select(r => r["id"]!.GetValue<string>()).ToList();

    [Test]
    public async Task List_PagesOfSix_GiveEveryUserOnceInTheOrderTheyWereCreated()
    {
        var rows = await PageReader.AllAsync(_host.Admin, "/api/v1/users?limit=6", 6);

        var expected = await ExpectedAsync();
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(27), "the users created here, the monitor and the admins");
        Assert.That(Ids(rows), Is.EqualTo(expected));
        Assert.That(rows.TakeLast(5).Select(r => r["name"]!.GetValue<string>()).Order(), Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"Monitor {i}")),
            "the users created a day later come last");
    }

    [Test]
    public async Task List_WithoutLimit_GivesAllOnOnePageWithoutLink()
    {
        var response = await _host.Admin.GetAsync("/api/v1/users");
        Assert.That(Ids((await response.JsonArrayAsync()).Select(r => r!).ToList()), Is.EqualTo(await ExpectedAsync()));
        Assert.That(PageReader.Next(response), Is.Null);
    }

    [Test]
    public async Task List_NotAnAdmin_IsRefusedOnEveryPage()
    {
        var next = PageReader.Next(await _host.Admin.GetAsync("/api/v1/users?limit=2"))!;
        await (await _monitor.GetAsync("/api/v1/users?limit=2")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _monitor.GetAsync(next)).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _host.Admin.GetAsync($"/api/v1/users?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _host.Admin.GetAsync("/api/v1/users?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("safety-alerts", "1", Guid.Empty.ToString());
        foreach (var bad in new[] { tampered, foreign, Trial.Application.Paging.Pages.Encode("users", "yesterday", Guid.Empty.ToString()) })
        {
            var problem = await (await _host.Admin.GetAsync($"/api/v1/users?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
