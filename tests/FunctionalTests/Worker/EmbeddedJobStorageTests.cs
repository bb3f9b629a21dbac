using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Hosting.Safety;
using Trial.Hosting.Schedules;
using Trial.Hosting.Sweeps;
using Trial.Tests.Api;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Worker;

/// <summary>
/// The embedded mode keeps its jobs in memory. Found by the soak: finished jobs stayed for Hangfire.InMemory's default of
/// three hours, about 1 KB each, so the API's memory grew by over 5 MB a minute under a steady 60 writes/s.
/// </summary>
public class EmbeddedJobStorageTests
{
    [Test]
    public async Task FinishedJobs_RetentionPassed_LeaveMemoryWhileRecurringJobsKeepRunning()
    {
        // 12 s: long enough that the finished jobs are seen while they are kept, even on a loaded machine (with 3 s, a slow
        // evaluation could outlast the retention and the first check would race it), short enough to wait for. No recurring job
        // runs on its own: a cron firing on Hangfire's clock while the test waits for memory to empty would finish new jobs.
        var retention = TimeSpan.FromMinutes(0.2);
        var settings = JobRuns.NeverOnTheirOwn();
        settings["Jobs:FinishedJobRetentionMinutes"] = retention.TotalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var host = TrialHost.Start(settings: settings);
        await JobRuns.StartUpSweepsAsync(host);
        var storage = host.Services.GetRequiredService<JobStorage>();
        var monitoring = storage.GetMonitoringApi();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        // Its schedule rebuild first (a visit it finds missed has the participant evaluated again), then its evaluation: no job
        // of the enrolment is left to run.
        await JobRuns.RebuildsSucceededAsync(host, await ParticipantIdAsync(host, code), 1);
        await Eventually.HoldsAsync(async () => await IsEvaluatedAsync(host, code) && monitoring.SucceededListCount() > 0,
            "the enrolment's jobs, finished and kept for a while");

        // The last of them may have finished just now: it is kept for the retention, then the usual bound applies.
        await Eventually.HoldsAsync(() => Task.FromResult(monitoring.SucceededListCount() == 0), () => "Timed out waiting for: the finished jobs to leave memory",
            retention + Eventually.Bound);

        using (var connection = storage.GetConnection())
        {
            Assert.That(connection.GetRecurringJobs().Select(j => j.Id),
                Is.SupersetOf(new[] { SafetyJobs.SweepJobId, SafetyJobs.SaeClockJobId, ScheduleJobs.SweepJobId, ScheduleJobs.MissedJobId }), "recurring jobs do not expire");
        }

        var succeeded = monitoring.GetStatistics().Succeeded;
        Assert.That(await JobRuns.RunAsync(host, SafetyJobs.SweepJobId), Is.EqualTo(new SweepOutcome(Found: 0, Processed: 0, Failed: 0, Deferred: 0)),
            "the recurring sweep ran again, and found the participant evaluated");
        Assert.That(monitoring.GetStatistics().Succeeded, Is.GreaterThan(succeeded), "the recurring sweep to run again");
    }
}
