using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Hosting.Safety;
using Trial.Hosting.Schedules;
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
        // evaluation could outlast the retention and the first check would race it), short enough to wait for. The recurring
        // jobs never fire on their own here (their every-minute crons would add a finished job at each minute, and the list
        // could stay non-empty whatever the retention): the test triggers the one it needs.
        const string never = "0 0 31 2 *";
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?>
        {
            ["Jobs:FinishedJobRetentionMinutes"] = "0.2",
            ["Jobs:SweepCron"] = never, ["Jobs:SafetySweepCron"] = never, ["Jobs:SaeClockCron"] = never, ["Jobs:MissedVisitsCron"] = never, ["Jobs:PurgeCron"] = never,
        });
        var storage = host.Services.GetRequiredService<JobStorage>();
        var monitoring = storage.GetMonitoringApi();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await Eventually.HoldsAsync(async () => await IsEvaluatedAsync(host, code) && monitoring.SucceededListCount() > 0,
            "the enrolment's jobs, finished and kept for a while");

        // Kept 12 s after the last one finished, then gone at the storage's next expiry check.
        await Eventually.HoldsAsync(() => Task.FromResult(monitoring.SucceededListCount() == 0), "the finished jobs to leave memory", TimeSpan.FromSeconds(45));

        using (var connection = storage.GetConnection())
        {
            Assert.That(connection.GetRecurringJobs().Select(j => j.Id),
                Is.SupersetOf(new[] { SafetyJobs.SweepJobId, SafetyJobs.SaeClockJobId, ScheduleJobs.SweepJobId, ScheduleJobs.MissedJobId }), "recurring jobs do not expire");
        }

        var succeeded = monitoring.GetStatistics().Succeeded;
        host.Services.GetRequiredService<IRecurringJobManager>().Trigger(SafetyJobs.SweepJobId);
        await Eventually.HoldsAsync(() => Task.FromResult(monitoring.GetStatistics().Succeeded > succeeded), "the recurring sweep to run again");
    }
}
