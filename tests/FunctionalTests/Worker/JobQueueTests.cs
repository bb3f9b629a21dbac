using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Trial.Hosting;
using Trial.Hosting.Audit;
using Trial.Hosting.Safety;
using Trial.Tests.Api;

namespace Trial.Tests.Worker;

/// <summary>
/// Which queue each job goes to, the order a job server takes them in, and the recurring jobs' lock against running twice at
/// once: with a real Hangfire (its client, storage, server and filter providers).
/// </summary>
public class JobQueueTests
{
    [Test]
    public async Task DerivedWork_SafetyEvaluationGoesToCritical_ScheduleRebuildToDefault()
    {
        using var storage = new InMemoryStorage();
        var client = new BackgroundJobClient(storage);
        using var work = new HangfireDerivedWork(client, new JobOptions { DerivedWorkWindowMilliseconds = 0 }, NullLogger<HangfireDerivedWork>.Instance);
        var participant = Guid.NewGuid();
        work.SafetyDataChanged(participant);
        work.ScheduleDataChanged(participant);

        var monitoring = storage.GetMonitoringApi();
        await Eventually.HoldsAsync(() => Task.FromResult(monitoring.Queues().Sum(q => q.Length) == 2), "both jobs enqueued");
        var methodsByQueue = monitoring.Queues().ToDictionary(
            q => q.Name, q => monitoring.EnqueuedJobs(q.Name, 0, 10).Select(j => j.Value.Job.Method.Name).ToList());
        Assert.That(methodsByQueue, Is.EqualTo(new Dictionary<string, List<string>>
        {
            [TrialJobs.CriticalQueue] = ["EvaluateParticipantsAsync"],
            [TrialJobs.DefaultQueue] = ["RebuildSchedulesAsync"],
        }));
    }

    [Test]
    public async Task JobServer_ListensOnCriticalBeforeDefault()
    {
        await using var host = TrialHost.Start();
        var monitoring = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await Eventually.HoldsAsync(() => Task.FromResult(monitoring.Servers().Count > 0), "the job server to announce itself");
        Assert.That(monitoring.Servers().Single().Queues, Is.EqualTo(new[] { "critical", "default" }));
    }

    [Test]
    public async Task RecurringJobs_RegisteredTwice_AreHeldOnce_EachLockedAgainstConcurrentRuns()
    {
        await using var host = TrialHost.Start(settings: JobRuns.NeverOnTheirOwn());
        var storage = host.Services.GetRequiredService<JobStorage>();
        // A second process starting (a worker beside the API, or a second worker) registers them again.
        TrialJobs.RegisterRecurringJobs(host.Services.GetRequiredService<IRecurringJobManager>(), host.Services.GetRequiredService<JobOptions>(),
            host.Services.GetRequiredService<AuditOptions>());

        using var connection = storage.GetConnection();
        var recurring = connection.GetRecurringJobs();
        Assert.That(recurring.Select(j => j.Id).ToList(), Is.Unique.And.Count.EqualTo(6));
        foreach (var job in recurring)
        {
            // As Hangfire's performer finds them when it runs the job: the lock is taken in the shared storage, so a run on one
            // worker waits for a run of the same job on another to finish.
            var filters = JobFilterProviders.Providers.GetFilters(job.Job).Select(f => f.Instance).ToList();
            Assert.That(filters.OfType<DisableConcurrentExecutionAttribute>().Count(), Is.EqualTo(1), job.Id);
        }
        Assert.That(recurring.Select(j => $"{j.Id} on {j.Job.Queue}"), Is.EquivalentTo(new[]
        {
            $"{SafetyJobs.SweepJobId} on {TrialJobs.CriticalQueue}",
            $"{SafetyJobs.SaeClockJobId} on {TrialJobs.CriticalQueue}",
            $"{Trial.Hosting.Schedules.ScheduleJobs.SweepJobId} on {TrialJobs.DefaultQueue}",
            $"{Trial.Hosting.Schedules.ScheduleJobs.MissedJobId} on {TrialJobs.DefaultQueue}",
            $"{Trial.Hosting.Maintenance.MaintenanceJobs.PurgeIdempotencyJobId} on {TrialJobs.DefaultQueue}",
            $"{Trial.Hosting.Audit.AuditJobs.AnchorJobId} on {TrialJobs.DefaultQueue}",
        }));
    }
}
