using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Hosting.Safety;
using Trial.Hosting.Schedules;
using Trial.Hosting.Sweeps;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Safety;

/// <summary>
/// Alerts that come with time or from the safety net rather than from a write: the SAE reporting clock, missed visits,
/// and the sweep that evaluates what a lost job did not. Each test moves its own host's clock or replaces its job client.
/// No recurring job runs on its own (<see cref="JobRuns.NeverOnTheirOwn"/>) and each test waits for the start-up
/// sweeps before it writes, so the only runs are those the test makes, and each is checked for what it did itself.
/// </summary>
public class SafetyJobTests
{
    /// <summary>A host whose recurring jobs run only when the test runs them, its start-up sweeps finished (they found nothing).</summary>
    private static async Task<TrialHost> StartAsync(Action<IServiceCollection>? services = null)
    {
        var host = TrialHost.Start(services, JobRuns.NeverOnTheirOwn());
        var startUp = await JobRuns.StartUpSweepsAsync(host);
        Assert.That(startUp.Safety.Found, Is.Zero, "the start-up safety sweep ran on an empty study");
        return host;
    }

    private static AdverseEventBody SeriousEvent(string term) => AdverseEvent(term) with
    {
        Serious = true,
        SeriousCriteria = ["hospitalisation"],
        Severity = "severe",
        Relatedness = "not-related",
        Expected = false,
    };

    [Test]
    public async Task SaeClock_SeriousEventUnreportedPast24Hours_RaisesCriticalAlertButNotBeforeOrWhenReportedOnTime()
    {
        await using var host = await StartAsync();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var monitor = await host.UserAsync("monitor", "WAW");
        var late = await TrialHost.EnrolAsync(investigator, "WAW");
        var onTime = await TrialHost.EnrolAsync(investigator, "WAW");
        var unreported = await RecordAdverseEventAsync(investigator, late, SeriousEvent("Pneumonia"));
        var unreportedSource = Source(Guid.Parse(unreported["id"]!.GetValue<string>()));
        Assert.That(unreported["saeReportDueUtc"]!.GetValue<DateTime>(), Is.EqualTo(new DateTime(2026, 3, 11, 0, 0, 0, DateTimeKind.Utc)));

        var response = await investigator.PostAsJsonAsync($"/api/v1/participants/{onTime}/adverse-events", SeriousEvent("Fractured wrist after a fall"));
        var reported = await response.JsonAsync(HttpStatusCode.Created);
        host.Clock.Advance(TimeSpan.FromHours(5)); // 17:00
        var put = await investigator.SendAsync(Put($"/api/v1/adverse-events/{reported["id"]}",
            SeriousEvent("Fractured wrist after a fall") with
            {
                SponsorReportedUtc = new DateTime(2026, 3, 10, 16, 45, 0, DateTimeKind.Utc),
                Reason = "Reported to the sponsor's safety desk.",
            }, response.Headers.ETag!.ToString()));
        Assert.That((await put.JsonAsync(HttpStatusCode.OK))["sponsorReportedUtc"]!.GetValue<DateTime>(),
            Is.EqualTo(new DateTime(2026, 3, 10, 16, 45, 0, DateTimeKind.Utc)));

        Assert.That((await SettledAlertsAsync(host, monitor, late)).Select(Rule), Is.EqualTo(new[] { "SAE_REPORTED" }));
        Assert.That((await SettledAlertsAsync(host, monitor, onTime)).Select(Rule), Is.EqualTo(new[] { "SAE_REPORTED" }));

        host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 23, 59, 59, TimeSpan.Zero)); // one second before the deadline
        using (var scope = host.Services.CreateScope())
            Assert.That((await scope.ServiceProvider.GetRequiredService<SafetyJobs>().CheckSaeClocksAsync()).Found, Is.EqualTo(1), "only the unreported SAE is on the clock");
        Assert.That((await SettledAlertsAsync(host, monitor, late)).Select(Rule), Is.EqualTo(new[] { "SAE_REPORTED" }), "not before the deadline");

        host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 11, 0, 0, 1, TimeSpan.Zero));
        Assert.That(await JobRuns.RunAsync(host, SafetyJobs.SaeClockJobId), Is.EqualTo(new SweepOutcome(Found: 1, Processed: 1, Failed: 0, Deferred: 0)),
            "the recurring SAE clock job, run on Hangfire, re-evaluated the participant with the unreported SAE");
        Assert.That((await AlertsAsync(monitor, late)).Select(Rule), Does.Contain("SAE_CLOCK"), "raised by that run");

        var alerts = await SettledAlertsAsync(host, monitor, late);
        Assert.That(alerts.Select(Rule), Is.EquivalentTo(new[] { "SAE_REPORTED", "SAE_CLOCK" }));
        AssertAlert(alerts.Single(a => Rule(a) == "SAE_CLOCK"), "SAE_CLOCK", "critical", late, null, unreportedSource,
            "'Pneumonia' has not been reported to the sponsor", "aware on 2026-03-10", "24 h deadline was 2026-03-11 00:00 UTC");

        // Evaluated after the deadline, the event reported on time still has no clock alert.
        using (var scope = host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SafetyJobs>().EvaluateParticipantAsync(await ParticipantIdAsync(host, onTime));
        Assert.That((await AlertsAsync(monitor, onTime, includeSuperseded: true)).Select(Rule), Is.EqualTo(new[] { "SAE_REPORTED" }));

        // Reporting late does not make the breach go away: the alert stays, now saying when the report was made.
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 11, 1, 0, 0, TimeSpan.Zero));
        await (await investigator.SendAsync(Put($"/api/v1/adverse-events/{unreported["id"]}",
            SeriousEvent("Pneumonia") with { SponsorReportedUtc = new DateTime(2026, 3, 11, 0, 30, 0, DateTimeKind.Utc), Reason = "Reported late." },
            ifMatch: "\"1\""))).JsonAsync(HttpStatusCode.OK);
        var afterReport = await SettledAlertsAsync(host, monitor, late);
        Assert.That(afterReport.Select(Rule), Is.EquivalentTo(new[] { "SAE_REPORTED", "SAE_CLOCK" }));
        AssertAlert(afterReport.Single(a => Rule(a) == "SAE_CLOCK"), "SAE_CLOCK", "critical", late, null, unreportedSource,
            "reported to the sponsor late, at 2026-03-11 00:30 UTC");
    }

    [Test]
    public async Task VisitMissed_WindowsClosed_RaisesOneLowAlertPerMissedVisit()
    {
        await using var host = await StartAsync();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var monitor = await host.UserAsync("monitor", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var id = await ParticipantIdAsync(host, code);
        await JobRuns.RebuildsSucceededAsync(host, id, 1);
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/BL", new { actualDate = "2026-03-05" })).EnsureSuccessStatusCode();
        await JobRuns.RebuildsSucceededAsync(host, id, 2);
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();
        // Every write's rebuild has run before the clock moves: none is left to find the closed windows before the detection does.
        await JobRuns.RebuildsSucceededAsync(host, id, 3);
        var db = host.Services.GetRequiredService<Database>();
        Assert.That(await db.ReadAsync(c => c.ExecuteScalarAsync<bool>("SELECT ScheduleVersion = DataVersion FROM Participant WHERE Code = @code", new { code })), Is.True,
            "the stored schedule follows the visits");
        using (var scope = host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SafetyJobs>().EvaluateParticipantAsync(id);
        Assert.That(await SettledAlertsAsync(host, monitor, code), Is.Empty, "no window has closed yet");

        host.Clock.Advance(TimeSpan.FromDays(4)); // 03-14: POST24 (03-10..03-11) and INF2 (03-11..03-13) have closed; INF3 opens 03-15
        using (var scope = host.Services.CreateScope())
            Assert.That((await scope.ServiceProvider.GetRequiredService<ScheduleJobs>().DetectMissedVisitsAsync()).Processed, Is.EqualTo(1));

        var alerts = await SettledAlertsAsync(host, monitor, code);
        Assert.That(alerts.Select(a => $"{Rule(a)} {a!["sourceId"]}"), Is.EquivalentTo(new[] { "VISIT_MISSED POST24", "VISIT_MISSED INF2" }), alerts.ToJsonString());
        AssertAlert(alerts.Single(a => a!["sourceId"]!.GetValue<string>() == "POST24"), "VISIT_MISSED", "low", code, "POST24", "POST24",
            "Visit POST24 (24 hours after infusion 1) was missed", "closed on 2026-03-11");
        AssertAlert(alerts.Single(a => a!["sourceId"]!.GetValue<string>() == "INF2"), "VISIT_MISSED", "low", code, "INF2", "INF2",
            "Visit INF2 (Infusion 2) was missed", "closed on 2026-03-13");
    }

    [Test]
    public async Task Enrol_NoSweepRuns_NewParticipantEvaluatedByItsOwnJob()
    {
        // Found by the crash test: a participant enrolled after the start-up sweep waited, unevaluated, for the next minute's sweep.
        await using var host = await StartAsync();
        var startUpSweep = JobRuns.LastJobId(host, SafetyJobs.SweepJobId);
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");

        var code = await TrialHost.EnrolAsync(investigator, "WAW");

        // Evaluated (its evaluated version stamped) with the evaluation job its writes enqueued succeeded, and no sweep run since
        // the start-up one (which ran on an empty study): that job is the one that evaluated it.
        var id = await ParticipantIdAsync(host, code);
        await Eventually.HoldsAsync(async () => await IsEvaluatedAsync(host, code)
                                                && JobRuns.SucceededFor<SafetyJobs>(host, nameof(SafetyJobs.EvaluateParticipantsAsync), id).Count > 0,
            "the new participant's evaluation by the job its enrolment enqueued");
        Assert.That(JobRuns.LastJobId(host, SafetyJobs.SweepJobId), Is.EqualTo(startUpSweep), "no sweep ran after the start-up one");
    }

    [Test]
    public async Task LostEvaluationJob_SweepTriggered_RaisesTheMissingAlert()
    {
        await using var host = await StartAsync(s =>
        {
            s.RemoveAll<IBackgroundJobClient>();
            s.AddSingleton<IBackgroundJobClient, ForgetfulJobClient>();
        });
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var monitor = await host.UserAsync("monitor", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var id = await AssessAsync(investigator, code, "BL", null, "MADRS", Madrs(32, item10: 5));
        Assert.That(await IsEvaluatedAsync(host, code), Is.False);
        Assert.That(await AlertsAsync(monitor, code), Is.Empty, "the evaluation job was lost");

        Assert.That(await JobRuns.RunAsync(host, SafetyJobs.SweepJobId), Is.EqualTo(new SweepOutcome(Found: 1, Processed: 1, Failed: 0, Deferred: 0)),
            "the recurring sweep, run on Hangfire, found the participant the lost job left unevaluated and evaluated it");

        Assert.That(await IsEvaluatedAsync(host, code), Is.True, "evaluated by that run");
        var alerts = await AlertsAsync(monitor, code);
        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "MADRS10_HIGH", "high", code, "BL", Source(id), "MADRS item 10", "= 5");
    }
}
