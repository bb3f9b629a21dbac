using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Hosting.Schedules;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api;

/// <summary>
/// Dates are the site's own calendar: "today", "in the future" and the closing of a visit window are judged on the
/// site's local date, on both sides of local midnight.
/// </summary>
public class SiteCalendarTests
{
    private static async Task<(TrialHost Host, HttpClient Investigator, HttpClient Monitor)> StartAsync(string site, string timeZone, DateTimeOffset now)
    {
        var host = TrialHost.Start(startTime: now);
        (await host.Admin.PostAsJsonAsync("/api/v1/sites", new { code = site, name = site, timeZone })).EnsureSuccessStatusCode();
        return (host, await host.UserAsync("investigator", site), await host.UserAsync("monitor", site));
    }

    private static object Participant(string site, string? enrolledDate) => new
    {
        siteCode = site, sex = "F", birthYear = 1990, weightKg = 61.5m, enrolledDate,
        eligibility = new { failedAntidepressantTrials = 2, psychotherapyWithoutResponse = true, bpdDiagnosis = true, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
    };

    [Test]
    public async Task Warsaw_HalfPastMidnightLocal_TodaysVisitIsAcceptedAndTomorrowsIsFuture()
    {
        // 23:30 UTC on 9 March is 00:30 on 10 March in Warsaw.
        var (host, investigator, _) = await StartAsync("WAW", "Europe/Warsaw", new DateTimeOffset(2026, 3, 9, 23, 30, 0, TimeSpan.Zero));
        await using var _ = host;
        var created = await (await investigator.PostAsJsonAsync("/api/v1/participants", Participant("WAW", "2026-03-10"))).JsonAsync(HttpStatusCode.Created);
        var code = created["code"]!.GetValue<string>();

        await TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 10));
        var problem = await (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-11" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("future").And.Contain("today is 2026-03-10"));

        // Enrolled without a date, the participant is enrolled on the site's today, not the UTC date.
        var defaulted = await (await investigator.PostAsJsonAsync("/api/v1/participants", Participant("WAW", null))).JsonAsync(HttpStatusCode.Created);
        Assert.That(defaulted["enrolledDate"]!.GetValue<string>(), Is.EqualTo("2026-03-10"));
    }

    [Test]
    public async Task Warsaw_HalfAnHourBeforeLocalMidnight_TomorrowIsStillFuture()
    {
        // 22:30 UTC on 9 March is 23:30 on 9 March in Warsaw.
        var (host, investigator, _) = await StartAsync("WAW", "Europe/Warsaw", new DateTimeOffset(2026, 3, 9, 22, 30, 0, TimeSpan.Zero));
        await using var _ = host;
        await (await investigator.PostAsJsonAsync("/api/v1/participants", Participant("WAW", "2026-03-10"))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await investigator.PostAsJsonAsync("/api/v1/participants", Participant("WAW", "2026-03-09"))).JsonAsync(HttpStatusCode.Created);
    }

    [Test]
    public async Task NewYork_WindowClosesAtLocalMidnight_NotAtUtcMidnight()
    {
        // INF1 on 2 March; POST24's window is 3 to 4 March. At 02:00 UTC on 5 March it is still 4 March (21:00) in New York.
        var (host, investigator, monitor) = await StartAsync("NYC", "America/New_York", new DateTimeOffset(2026, 3, 2, 18, 0, 0, TimeSpan.Zero));
        await using var _ = host;
        var code = (await (await investigator.PostAsJsonAsync("/api/v1/participants", Participant("NYC", "2026-02-20"))).JsonAsync(HttpStatusCode.Created))["code"]!.GetValue<string>();
        await TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 2, 27));
        await TrialHost.RecordVisitAsync(investigator, code, "INF1", new DateOnly(2026, 3, 2));

        async Task<string> Post24StatusAsync()
        {
            using (var scope = host.Services.CreateScope())
                await scope.ServiceProvider.GetRequiredService<ScheduleJobs>().DetectMissedVisitsAsync();
            var visit = await (await investigator.GetAsync($"/api/v1/participants/{code}/visits/POST24")).JsonAsync(HttpStatusCode.OK);
            return visit["status"]!.GetValue<string>();
        }

        host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 5, 2, 0, 0, TimeSpan.Zero));
        Assert.That(await Post24StatusAsync(), Is.EqualTo("scheduled"), "21:00 on 4 March in New York: the window is still open");
        Assert.That((await SettledAlertsAsync(host, monitor, code)).Select(Rule), Does.Not.Contain("VISIT_MISSED"));

        host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 5, 5, 30, 0, TimeSpan.Zero));
        Assert.That(await Post24StatusAsync(), Is.EqualTo("missed"), "00:30 on 5 March in New York: the window has closed");
        await Eventually.HoldsAsync(async () => (await AlertsAsync(monitor, code)).Any(a => Rule(a) == "VISIT_MISSED"), "VISIT_MISSED for POST24");
    }

    [Test]
    public async Task Site_WithUnknownTimeZone_Is422NamingIt()
    {
        await using var host = TrialHost.Start();
        var problem = await (await host.Admin.PostAsJsonAsync("/api/v1/sites", new { code = "XYZ", name = "Nowhere", timeZone = "Mars/Olympus" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "timeZone" }));
        var site = await (await host.Admin.PostAsJsonAsync("/api/v1/sites", new { code = "KRK", name = "Krakow" })).JsonAsync(HttpStatusCode.Created);
        Assert.That(site["timeZone"]!.GetValue<string>(), Is.EqualTo("UTC"), "the configured default");
    }
}
