using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;
using Trial.Db.Schedules;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// The worklist a page at a time over sites on three different dates at once: at 11:00 UTC it is still yesterday at UTC-12
/// (BEH), today in Warsaw (WAW) and already tomorrow at UTC+14 (AHD). Each participant's stored plan is written straight into
/// the database with windows around those dates, some provisional, done or missed (never listed), so that visits with the
/// same days left and target date fall at sites on different dates.
/// </summary>
public class VisitsDuePagingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 11, 0, 0, TimeSpan.Zero);
    private static readonly (string Code, string TimeZone)[] Sites = [("BEH", "Etc/GMT+12"), ("WAW", "Europe/Warsaw"), ("AHD", "Pacific/Kiritimati")];

    private TrialHost _host = null!;
    private HttpClient _monitor = null!, _wawInvestigator = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start(startTime: Now);
        foreach (var (code, timeZone) in Sites)
            await (await _host.Admin.PostAsJsonAsync("/api/v1/sites", new { code, name = code + " site", timeZone })).JsonAsync(HttpStatusCode.Created);
        _monitor = await _host.UserAsync("monitor", "BEH", "WAW", "AHD");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        var investigators = new Dictionary<string, HttpClient>();
        foreach (var (code, _) in Sites) investigators[code] = code == "WAW" ? _wawInvestigator : await _host.UserAsync("investigator", code);
        foreach (var (code, _) in Sites)
            for (var i = 0; i < 4; i++) await TrialHost.EnrolAsync(investigators[code], code);

        var db = _host.Services.GetRequiredService<Database>();
        var participants = (await db.ReadAsync(c => c.QueryAsync<(Guid Id, int DataVersion)>("SELECT Id, DataVersion FROM Participant ORDER BY Code"))).ToList();
        // The plans the enrolments' jobs store first, so that none of them replaces the plan written below.
        await Eventually.HoldsAsync(async () => await db.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Participant WHERE ScheduleVersion <> DataVersion")) == 0,
            "the enrolments' plans to be stored");
        var utcToday = DateOnly.FromDateTime(Now.UtcDateTime);
        await db.WriteDerivedAsync(Now.UtcDateTime, async w =>
        {
            var n = 0;
            foreach (var p in participants)
            {
                var visits = new List<ScheduledVisit>();
                for (var v = 0; v < 12; v++, n++)
                {
                    var end = utcToday.AddDays(n % 11 - 2);
                    var target = end.AddDays(-(n % 3));
                    var (status, provisional) = (n % 13) switch { 0 => ("done", false), 1 => ("missed", false), 2 => ("scheduled", true), _ => ("scheduled", false) };
                    visits.Add(new ScheduledVisit($"V{v:00}", $"Visit {v}", "follow-up", target, target.AddDays(-2), end, provisional, status, null, null));
                }
                await ScheduleQueries.ReplaceAsync(w.Session, p.Id, p.DataVersion, visits, "1", Now.UtcDateTime);
            }
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private sealed class Stored
    {
        public string ParticipantCode { get; init; } = "";
        public string SiteCode { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public string VisitCode { get; init; } = "";
        public DateOnly TargetDate { get; init; }
        public DateOnly WindowStart { get; init; }
        public DateOnly WindowEnd { get; init; }
        public bool Provisional { get; init; }
        public string Status { get; init; } = "";
    }

    /// <summary>
    /// The worklist as its definition says, computed here from the stored plans: planned visits whose window overlaps
    /// [the site's date, + days], by days left, target date, the site's date, then participant id and visit code as the
    /// database orders them; each as "participant visit days-left".
    /// </summary>
    private async Task<List<string>> ExpectedAsync(int days, params string[] sites)
    {
        var stored = (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<Stored>(
            """
            SELECT p.Code AS ParticipantCode, p.SiteCode, st.TimeZone, s.VisitCode, s.TargetDate, s.WindowStart, s.WindowEnd, s.Provisional, s.Status
            FROM ScheduledVisit s JOIN Participant p ON p.Id = s.ParticipantId JOIN Site st ON st.Code = p.SiteCode
            ORDER BY s.ParticipantId, s.VisitCode
            """))).ToList();
        return stored
            .Select((s, rank) => (s, rank, Today: DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(Now.UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone)))))
            .Where(x => sites.Contains(x.s.SiteCode) && x.s.Status == "scheduled" && !x.s.Provisional && x.s.WindowEnd >= x.Today && x.s.WindowStart <= x.Today.AddDays(days))
            .OrderBy(x => x.s.WindowEnd.DayNumber - x.Today.DayNumber).ThenBy(x => x.s.TargetDate).ThenBy(x => x.Today).ThenBy(x => x.rank)
            .Select(x => $"{x.s.ParticipantCode} {x.s.VisitCode} {x.s.WindowEnd.DayNumber - x.Today.DayNumber}")
            .ToList();
    }

    private static List<string> Listed(List<JsonNode> rows) =>
        rows.Select(r => $"{r["participantCode"]} {r["visitCode"]} {r["daysLeft"]}").ToList();

    [Test]
    public async Task Due_SitesOnThreeDates_PagesGiveEveryDueVisitOnceMostUrgentFirst()
    {
        var rows = await PageReader.AllAsync(_monitor, "/api/v1/visits/due?limit=5", 5);

        var expected = await ExpectedAsync(7, "BEH", "WAW", "AHD");
        Assert.That(expected, Has.Count.GreaterThan(50));
        Assert.That(Listed(rows), Is.EqualTo(expected));
        var keys = rows.Select(r => (r["daysLeft"]!.GetValue<int>(), DateOnly.Parse(r["targetDate"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.That(keys.Zip(keys.Skip(1)).Where(k => k.First.CompareTo(k.Second) > 0), Is.Empty, "never a less urgent visit before a more urgent one");
        Assert.That(rows.Select(r => r["siteCode"]!.GetValue<string>()).Distinct().Order(), Is.EqualTo(new[] { "AHD", "BEH", "WAW" }));
    }

    [Test]
    public async Task Due_OnePage_IsThePagesJoined()
    {
        var whole = await (await _monitor.GetAsync("/api/v1/visits/due?days=30&limit=1000")).JsonArrayAsync();
        var paged = await PageReader.AllAsync(_monitor, "/api/v1/visits/due?days=30&limit=2", 2);

        Assert.That(Listed(paged), Is.EqualTo(Listed(whole.Select(r => r!).ToList())));
        Assert.That(Listed(paged), Is.EqualTo(await ExpectedAsync(30, "BEH", "WAW", "AHD")));
    }

    [Test]
    public async Task Due_SiteAndDaysFilters_HoldOnEveryPage()
    {
        var rows = await PageReader.AllAsync(_monitor, "/api/v1/visits/due?site=AHD&days=2&limit=3", 3);
        Assert.That(Listed(rows), Is.EqualTo(await ExpectedAsync(2, "AHD")));
        Assert.That(rows, Is.Not.Empty);
    }

    [Test]
    public async Task Due_InvestigatorOfWaw_NeverSeesAnotherSiteOnAnyPage()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, "/api/v1/visits/due?limit=4", 4);
        Assert.That(Listed(rows), Is.EqualTo(await ExpectedAsync(7, "WAW")));
        await (await _wawInvestigator.GetAsync("/api/v1/visits/due?site=AHD&limit=4")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=1001", "limit")]
    [TestCase("days=-1&limit=0", "days,limit")]
    public async Task Due_OutOfBounds_422NamingEachField(string query, string fields)
    {
        var problem = await (await _monitor.GetAsync($"/api/v1/visits/due?{query}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key).Order(), Is.EqualTo(fields.Split(',')));
    }

    [Test]
    public async Task Due_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _monitor.GetAsync("/api/v1/visits/due?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("participants", "WAW", "1");
        var offsetTooFar = Trial.Application.Paging.Pages.Encode("visits-due", "2026-03-12", "2026-03-11", "5", Guid.Empty.ToString(), "V01");
        foreach (var bad in new[] { tampered, foreign, offsetTooFar })
        {
            var problem = await (await _monitor.GetAsync($"/api/v1/visits/due?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
