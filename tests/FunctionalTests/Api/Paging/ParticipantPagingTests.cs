using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>The participant list a page at a time over more participants than one page, at two sites.</summary>
public class ParticipantPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _wawInvestigator = null!;
    private HttpClient _bothMonitor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start(settings: new Dictionary<string, string?> { ["RateLimit:PermitsPerWindow"] = "0" });
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        var krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _bothMonitor = await _host.UserAsync("monitor", "WAW", "KRK");
        for (var i = 0; i < 110; i++) await TrialHost.EnrolAsync(_wawInvestigator, "WAW");
        for (var i = 0; i < 15; i++) await TrialHost.EnrolAsync(krkInvestigator, "KRK");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<List<string>> CodesAsync(string where) =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<string>("SELECT Code FROM Participant WHERE " + where))).ToList();

    private static List<string> Codes(List<JsonNode> rows) => rows.Select(r => r["code"]!.GetValue<string>()).ToList();

    [Test]
    public async Task List_MoreParticipantsThanAPage_FollowingLinkGivesEveryoneOnceBySiteAndNumber()
    {
        var rows = await PageReader.AllAsync(_bothMonitor, "/api/v1/participants");

        var expected = await CodesAsync("1 = 1");
        Assert.That(expected, Has.Count.EqualTo(125));
        // Codes are the site and a four-digit number, so their order as text is the list's order.
        Assert.That(Codes(rows), Is.EqualTo(expected.Order(StringComparer.Ordinal).ToList()));
    }

    [Test]
    public async Task List_SiteFilter_HoldsOnEveryPage()
    {
        var rows = await PageReader.AllAsync(_bothMonitor, "/api/v1/participants?site=KRK&limit=4", 4);
        Assert.That(Codes(rows), Is.EqualTo((await CodesAsync("SiteCode = 'KRK'")).Order(StringComparer.Ordinal).ToList()));
    }

    [Test]
    public async Task List_InvestigatorOfWaw_NeverSeesKrkOnAnyPage()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, "/api/v1/participants?limit=30", 30);
        Assert.That(Codes(rows), Is.EqualTo((await CodesAsync("SiteCode = 'WAW'")).Order(StringComparer.Ordinal).ToList()));
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _bothMonitor.GetAsync($"/api/v1/participants?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _bothMonitor.GetAsync("/api/v1/participants?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("safety-alerts", "WAW", "1");
        foreach (var bad in new[] { tampered, foreign, "WAW-0001" })
        {
            var problem = await (await _bothMonitor.GetAsync($"/api/v1/participants?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
