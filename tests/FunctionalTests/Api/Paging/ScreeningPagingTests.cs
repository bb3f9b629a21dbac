using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>The screening list a page at a time: the screenings the enrolments at two sites recorded, read a few at a time.</summary>
public class ScreeningPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _wawInvestigator = null!, _bothMonitor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        var krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _bothMonitor = await _host.UserAsync("monitor", "WAW", "KRK");
        for (var i = 0; i < 20; i++) await TrialHost.EnrolAsync(i % 3 == 0 ? krkInvestigator : _wawInvestigator, i % 3 == 0 ? "KRK" : "WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>Screening numbers are the site and a four-digit number, so their order as text is the list's order (site, number).</summary>
    private async Task<List<string>> ExpectedAsync(string where) =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<string>("SELECT ScreeningNumber FROM Screening WHERE " + where)))
        .Order(StringComparer.Ordinal).ToList();

    private static List<string> Numbers(List<JsonNode> rows) => rows.Select(r => r["screeningNumber"]!.GetValue<string>()).ToList();

    [Test]
    public async Task List_PagesOfFour_GiveEveryScreeningOnceBySiteAndNumber()
    {
        var rows = await PageReader.AllAsync(_bothMonitor, "/api/v1/screenings?limit=4", 4);

        var expected = await ExpectedAsync("1 = 1");
        Assert.That(expected, Has.Count.EqualTo(20));
        Assert.That(Numbers(rows), Is.EqualTo(expected));
    }

    [Test]
    public async Task List_SiteFilter_HoldsOnEveryPage()
    {
        var rows = await PageReader.AllAsync(_bothMonitor, "/api/v1/screenings?site=KRK&limit=2", 2);
        Assert.That(Numbers(rows), Is.EqualTo(await ExpectedAsync("SiteCode = 'KRK'")));
    }

    [Test]
    public async Task List_InvestigatorOfWaw_NeverSeesKrkOnAnyPage()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, "/api/v1/screenings?limit=5", 5);
        Assert.That(Numbers(rows), Is.EqualTo(await ExpectedAsync("SiteCode = 'WAW'")));
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _bothMonitor.GetAsync($"/api/v1/screenings?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _bothMonitor.GetAsync("/api/v1/screenings?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("participants", "WAW", "1");
        foreach (var bad in new[] { tampered, foreign, Trial.Application.Paging.Pages.Encode("screenings", "WAW", "one") })
        {
            var problem = await (await _bothMonitor.GetAsync($"/api/v1/screenings?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
