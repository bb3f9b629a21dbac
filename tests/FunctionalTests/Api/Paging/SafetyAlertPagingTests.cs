using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;
using Trial.Tests.Api.Safety;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// The alert list a page at a time over more alerts than one page: WAW's and KRK's alerts are written straight into the
/// database (the rules would take thousands of writes to raise as many), a third of them sharing their instant with others so
/// the order's second key (the id) is crossed by page boundaries too.
/// </summary>
public class SafetyAlertPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _wawInvestigator = null!;
    private HttpClient _bothMonitor = null!;
    private string[] _rules = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        var krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _bothMonitor = await _host.UserAsync("monitor", "WAW", "KRK");
        var participants = new[]
        {
            await TrialHost.EnrolAsync(_wawInvestigator, "WAW"), await TrialHost.EnrolAsync(_wawInvestigator, "WAW"), await TrialHost.EnrolAsync(krkInvestigator, "KRK"),
        };
        foreach (var code in participants) await SafetyTestKit.WaitSettledAsync(_host, code);
        _rules = _host.Protocol.SafetyRules.Select(r => r.Code).Take(2).ToArray();

        var db = _host.Services.GetRequiredService<Database>();
        var ids = await db.ReadAsync(c => c.QueryAsync<(Guid Id, string Code)>("SELECT Id, Code FROM Participant"));
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await db.WriteDerivedAsync(start, async w =>
        {
            var i = 0;
            foreach (var (id, code) in ids)
            {
                for (var n = 0; n < (code.StartsWith("WAW", StringComparison.Ordinal) ? 140 : 120); n++, i++)
                {
                    await SafetyQueries.InsertAsync(w.Session, new SafetyAlertRow
                    {
                        Id = Guid.NewGuid(), ParticipantId = id, RuleCode = _rules[i % 2], Severity = i % 3 == 0 ? "high" : "medium",
                        SourceType = "Assessment", SourceKey = $"paging-{i}", Message = $"Alert {i}", ValuesJson = "{}",
                        Status = i % 2 == 0 ? "open" : "acknowledged", Escalated = false,
                        // Every third instant is shared by three alerts.
                        RaisedUtc = start.AddMinutes(i % 3 == 0 ? i : i - i % 3),
                        SupersededUtc = i % 10 == 6 ? start.AddDays(30) : null, ProtocolVersion = "1",
                    });
                }
            }
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>The ids the list should give, read from the database with the same meaning as the filters.</summary>
    private async Task<List<string>> ExpectedAsync(string where, object? args = null) =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<Guid>(
            "SELECT a.Id FROM SafetyAlert a JOIN Participant p ON p.Id = a.ParticipantId WHERE " + where, args)))
        .Select(g => g.ToString()).ToList();

    private static void AssertNewestFirst(List<JsonNode> rows)
    {
        var raised = rows.Select(r => r["raisedUtc"]!.GetValue<DateTime>()).ToList();
        Assert.That(raised, Is.Ordered.Descending, "newest first");
        // Alerts of one instant come by id; SQLite compares the ids as their text.
        if (TrialHost.SuiteProvider == DatabaseProvider.Sqlite)
        {
            foreach (var tie in rows.GroupBy(r => r["raisedUtc"]!.GetValue<DateTime>()).Where(g => g.Count() > 1))
                Assert.That(tie.Select(r => r["id"]!.GetValue<string>().ToUpperInvariant()), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        }
    }

    [Test]
    public async Task List_MoreAlertsThanAPage_FollowingLinkGivesEveryAlertOnceNewestFirst()
    {
        var pages = await PageReader.PagesAsync(_bothMonitor, "/api/v1/safety-alerts?limit=37", 37);
        var rows = pages.SelectMany(p => p.Select(r => r!)).ToList();

        var expected = await ExpectedAsync("a.SupersededUtc IS NULL");
        Assert.That(expected, Has.Count.GreaterThan(300), "more alerts than several pages");
        Assert.That(rows.Select(r => r["id"]!.GetValue<string>()), Is.Unique);
        Assert.That(rows.Select(r => r["id"]!.GetValue<string>()), Is.EquivalentTo(expected));
        Assert.That(pages, Has.Count.EqualTo((expected.Count + 36) / 37));
        AssertNewestFirst(rows);
    }

    [Test]
    public async Task List_NoLimit_GivesPagesOfAHundred()
    {
        var first = await _bothMonitor.GetAsync("/api/v1/safety-alerts");
        Assert.That(await first.JsonArrayAsync(), Has.Count.EqualTo(100));
        Assert.That(PageReader.Next(first), Does.StartWith("/api/v1/safety-alerts?cursor="));
    }

    [Test]
    public async Task List_FiltersAndCursor_FiltersHoldOnEveryPage()
    {
        var url = $"/api/v1/safety-alerts?status=open&rule={_rules[0]}&includeSuperseded=true&severity=high&limit=10";
        var pages = await PageReader.PagesAsync(_bothMonitor, url, 10);
        var rows = pages.SelectMany(p => p.Select(r => r!)).ToList();

        var expected = await ExpectedAsync("a.Status = 'open' AND a.RuleCode = @rule AND a.Severity = 'high'", new { rule = _rules[0] });
        Assert.That(pages, Has.Count.GreaterThan(2));
        Assert.That(rows.Select(r => r["id"]!.GetValue<string>()), Is.EquivalentTo(expected));
        Assert.That(rows.Select(r => r["superseded"]!.GetValue<bool>()), Does.Contain(true), "includeSuperseded is kept on later pages");
        AssertNewestFirst(rows);
    }

    [Test]
    public async Task List_InvestigatorOfWaw_NeverSeesKrkOnAnyPage()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, "/api/v1/safety-alerts?limit=25", 25);

        var expected = await ExpectedAsync("p.SiteCode = 'WAW' AND a.SupersededUtc IS NULL");
        Assert.That(expected, Has.Count.GreaterThan(100));
        Assert.That(rows.Select(r => r["siteCode"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "WAW" }));
        Assert.That(rows.Select(r => r["id"]!.GetValue<string>()), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task List_InvestigatorOfWawWithAMonitorsKrkCursor_StillOnlyWaw()
    {
        // A cursor taken from another caller's page only says where to start; the sites are the caller's own.
        var krkPage = await _bothMonitor.GetAsync("/api/v1/safety-alerts?site=KRK&limit=5");
        var cursor = PageReader.Next(krkPage)!.Split("cursor=")[1];
        var rows = await (await _wawInvestigator.GetAsync($"/api/v1/safety-alerts?limit=1000&cursor={cursor}")).JsonArrayAsync();
        Assert.That(rows, Is.Not.Empty);
        Assert.That(rows.Select(r => r!["siteCode"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "WAW" }));
    }

    [TestCase("0")]
    [TestCase("1001")]
    [TestCase("-5")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _bothMonitor.GetAsync($"/api/v1/safety-alerts?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_LimitAtItsBounds_Accepted()
    {
        Assert.That(await (await _bothMonitor.GetAsync("/api/v1/safety-alerts?limit=1")).JsonArrayAsync(), Has.Count.EqualTo(1));
        Assert.That(await (await _bothMonitor.GetAsync("/api/v1/safety-alerts?limit=1000")).JsonArrayAsync(), Has.Count.GreaterThan(300));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var next = PageReader.Next(await _bothMonitor.GetAsync("/api/v1/safety-alerts?limit=3"))!;
        var cursor = next.Split("cursor=")[1];
        var middle = cursor.Length / 2;
        var tampered = cursor[..middle] + (cursor[middle] == 'x' ? 'y' : 'x') + cursor[(middle + 1)..];
        var auditCursor = Trial.Application.Paging.Pages.Encode("users", Guid.NewGuid().ToString("D"));

        foreach (var bad in new[] { tampered, auditCursor, "not-a-cursor", "MjAyNi0wMy0xMA" })
        {
            var problem = await (await _bothMonitor.GetAsync($"/api/v1/safety-alerts?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
