using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// A participant's history a page at a time over more than one page: audit rows of three participants at two sites written
/// in turn through the one write path (so one participant's rows are not next to each other in the trail).
/// </summary>
public class ParticipantHistoryPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _wawMonitor = null!, _krkInvestigator = null!;
    private string _code = null!, _neighbour = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        var wawInvestigator = await _host.UserAsync("investigator", "WAW");
        _wawMonitor = await _host.UserAsync("monitor", "WAW");
        _krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _code = await TrialHost.EnrolAsync(wawInvestigator, "WAW");
        var neighbour = _neighbour = await TrialHost.EnrolAsync(wawInvestigator, "WAW");
        var other = await TrialHost.EnrolAsync(_krkInvestigator, "KRK");

        var db = _host.Services.GetRequiredService<Database>();
        await db.WriteDerivedAsync(TrialHost.StartTime.UtcDateTime, async w =>
        {
            for (var i = 0; i < 120; i++)
            {
                foreach (var (code, site) in new[] { (_code, "WAW"), (neighbour, "WAW"), (other, "KRK") })
                    await w.AuditAsync(new AuditEntry("participant", code, "update", site, code, NewValue: $$"""{"note":{{i}}}"""));
            }
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<List<long>> ExpectedAsync() =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.QueryAsync<long>("SELECT Id FROM AuditEvent WHERE ParticipantCode = @code ORDER BY Id", new { code = _code }))).ToList();

    private static List<long> Ids(List<JsonNode> rows) => rows.Select(r => r["id"]!.GetValue<long>()).ToList();

    [Test]
    public async Task History_MoreThanAPage_FollowingLinkGivesEveryRowOnceInOrder()
    {
        var pages = await PageReader.PagesAsync(_wawMonitor, $"/api/v1/participants/{_code}/history", 100);

        var expected = await ExpectedAsync();
        Assert.That(expected, Has.Count.GreaterThan(120), "the enrolment's rows and the 120 written here");
        Assert.That(pages, Has.Count.EqualTo(2));
        Assert.That(Ids(pages.SelectMany(p => p.Select(r => r!)).ToList()), Is.EqualTo(expected));
    }

    [Test]
    public async Task History_SmallPages_HoldThisParticipantsRowsOnly()
    {
        var rows = await PageReader.AllAsync(_wawMonitor, $"/api/v1/participants/{_code}/history?limit=9", 9);

        Assert.That(Ids(rows), Is.EqualTo(await ExpectedAsync()));
        Assert.That(rows.Select(r => r["participantCode"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { _code }));
        Assert.That(rows.Where(r => r["action"]!.GetValue<string>() == "update").Select(r => r["newValue"]!["note"]!.GetValue<int>()),
            Is.EqualTo(Enumerable.Range(0, 120)));
    }

    [Test]
    public async Task History_ParticipantOfAnotherSite_IsRefusedOnEveryPage()
    {
        var next = PageReader.Next(await _wawMonitor.GetAsync($"/api/v1/participants/{_code}/history?limit=5"))!;
        await (await _krkInvestigator.GetAsync($"/api/v1/participants/{_code}/history?limit=5")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _krkInvestigator.GetAsync(next)).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task History_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _wawMonitor.GetAsync($"/api/v1/participants/{_code}/history?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task History_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _wawMonitor.GetAsync($"/api/v1/participants/{_code}/history?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("allocations", "3");
        // The neighbour's history continues from another key: followed on this participant's list, it would skip their rows.
        var neighbours = PageReader.Next(await _wawMonitor.GetAsync($"/api/v1/participants/{_neighbour}/history?limit=3"))!.Split("cursor=")[1];
        var negative = Trial.Application.Paging.Pages.Encode(Trial.Application.Paging.Pages.OfParticipant("participant-history", _code), (-3).ToString(CultureInfo.InvariantCulture));
        foreach (var bad in new[] { tampered, foreign, neighbours, "3", negative })
        {
            var problem = await (await _wawMonitor.GetAsync($"/api/v1/participants/{_code}/history?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
