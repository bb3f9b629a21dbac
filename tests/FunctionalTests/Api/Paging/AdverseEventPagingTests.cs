using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.AdverseEvents;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// The adverse-event list a page at a time over more events than one page: three WAW participants and one KRK participant,
/// their events written straight into the database (not through the API, whose writes would set the safety rules to work on
/// each), several of one participant on one onset date so the id orders them.
/// </summary>
public class AdverseEventPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _wawInvestigator = null!;
    private HttpClient _bothMonitor = null!;
    private List<(string Code, string Site, int Number)> _participants = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        var krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _bothMonitor = await _host.UserAsync("monitor", "WAW", "KRK");
        for (var i = 0; i < 3; i++) await TrialHost.EnrolAsync(_wawInvestigator, "WAW");
        await TrialHost.EnrolAsync(krkInvestigator, "KRK");

        var db = _host.Services.GetRequiredService<Database>();
        var ids = (await db.ReadAsync(c => c.QueryAsync<(Guid Id, string Code, string SiteCode, int Number)>("SELECT Id, Code, SiteCode, Number FROM Participant"))).ToList();
        _participants = ids.Select(p => (p.Code, p.SiteCode, p.Number)).ToList();
        var now = TrialHost.StartTime.UtcDateTime;
        await db.WriteDerivedAsync(now, async w =>
        {
            var n = 0;
            foreach (var p in ids)
            {
                for (var i = 0; i < 45; i++, n++)
                {
                    await AdverseEventQueries.InsertAsync(w.Session, new AdverseEventRow
                    {
                        Id = Guid.NewGuid(), ParticipantId = p.Id, Term = $"Nausea {n}", OnsetDate = new DateOnly(2026, 2, 1).AddDays(i / 4), Severity = "mild",
                        Serious = false, SeriousCriteria = "", Relatedness = "possible", Expected = true, ActionTaken = "none", Outcome = "recovered",
                        AwareDate = new DateOnly(2026, 3, 1), RowVersion = 1, RecordedUtc = now, RecordedBy = Guid.Empty, UpdatedUtc = now, UpdatedBy = Guid.Empty,
                    });
                }
            }
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>The ids of the events the list should give, in its order (site, number, onset, id as the database compares them).</summary>
    private async Task<List<string>> ExpectedAsync(string where) =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<Guid>(
            "SELECT e.Id FROM AdverseEvent e JOIN Participant p ON p.Id = e.ParticipantId WHERE " + where + " ORDER BY p.SiteCode, p.Number, e.OnsetDate, e.Id")))
        .Select(g => g.ToString()).ToList();

    private static List<string> Ids(List<JsonNode> rows) => rows.Select(r => r["id"]!.GetValue<string>()).ToList();

    [Test]
    public async Task List_MoreEventsThanAPage_FollowingLinkGivesEveryEventOnceInOrder()
    {
        var rows = await PageReader.AllAsync(_bothMonitor, "/api/v1/adverse-events?limit=40", 40);

        var expected = await ExpectedAsync("1 = 1");
        Assert.That(expected, Has.Count.EqualTo(180));
        Assert.That(Ids(rows), Is.EqualTo(expected));
        Assert.That(rows.Select(r => r["participantCode"]!.GetValue<string>()).Distinct(),
            Is.EqualTo(_participants.OrderBy(p => p.Site, StringComparer.Ordinal).ThenBy(p => p.Number).Select(p => p.Code)));
    }

    [Test]
    public async Task List_ParticipantFilter_HoldsOnEveryPageInSql()
    {
        var code = _participants.First(p => p.Site == "WAW" && p.Number == 2).Code;
        var pages = await PageReader.PagesAsync(_bothMonitor, $"/api/v1/adverse-events?participant={code}&limit=10", 10);
        Assert.That(pages, Has.Count.EqualTo(5), "45 events, 10 a page: a page is full of the participant's events, not of everyone's filtered after");
        Assert.That(Ids(pages.SelectMany(p => p.Select(r => r!)).ToList()), Is.EqualTo(await ExpectedAsync($"p.Code = '{code}'")));
    }

    [Test]
    public async Task List_InvestigatorOfWaw_NeverSeesKrkOnAnyPage()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, "/api/v1/adverse-events?limit=50", 50);
        Assert.That(Ids(rows), Is.EqualTo(await ExpectedAsync("p.SiteCode = 'WAW'")));
        var krk = _participants.Single(p => p.Site == "KRK").Code;
        Assert.That(await PageReader.AllAsync(_wawInvestigator, $"/api/v1/adverse-events?participant={krk}"), Is.Empty);
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _bothMonitor.GetAsync($"/api/v1/adverse-events?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _bothMonitor.GetAsync("/api/v1/adverse-events?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..8] + (cursor[8] == 'x' ? 'y' : 'x') + cursor[9..];
        var foreign = Trial.Application.Paging.Pages.Encode("participants", "WAW", "1");
        foreach (var bad in new[] { tampered, foreign, "abc" })
        {
            var problem = await (await _bothMonitor.GetAsync($"/api/v1/adverse-events?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
