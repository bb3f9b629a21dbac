using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Hosting.Safety;
using Trial.Hosting.Schedules;
using Trial.Hosting.Sweeps;

namespace Trial.Tests.Api;

/// <summary>
/// The jobs as a test drives them on a real Hangfire server. The recurring jobs' crons run on Hangfire's real clock, and the
/// host triggers the two sweeps at start, so a test that leaves them be cannot tell which run did the work it checks (or finds
/// it done before it looked). With <see cref="NeverOnTheirOwn"/> no cron fires; <see cref="StartUpSweepsAsync"/> waits for the
/// start-up sweeps to finish; <see cref="RunAsync"/> triggers one run and answers what that run, and no other, did;
/// <see cref="SucceededFor{TJobs}"/> names the finished jobs a participant's writes enqueued.
/// </summary>
internal static class JobRuns
{
    /// <summary>
    /// Host settings under which no recurring job runs on its own (<see cref="Cron.Never"/>: February 31st): only the start-up
    /// sweeps and the runs the test triggers. Finished jobs are kept long enough for the test to read their outcomes.
    /// </summary>
    public static Dictionary<string, string?> NeverOnTheirOwn() => new()
    {
        ["Jobs:SweepCron"] = Cron.Never(),
        ["Jobs:SafetySweepCron"] = Cron.Never(),
        ["Jobs:SaeClockCron"] = Cron.Never(),
        ["Jobs:MissedVisitsCron"] = Cron.Never(),
        ["Jobs:PurgeCron"] = Cron.Never(),
        ["Jobs:FinishedJobRetentionMinutes"] = "10",
    };

    /// <summary>
    /// Waits for the sweeps the host triggered at start (stale schedules, unevaluated participants) to finish, and returns what
    /// each did. Under <see cref="NeverOnTheirOwn"/> no sweep runs after them unless the test triggers one.
    /// </summary>
    public static async Task<(SweepOutcome Schedules, SweepOutcome Safety)> StartUpSweepsAsync(TrialHost host)
    {
        var schedules = LastJobId(host, ScheduleJobs.SweepJobId) ?? throw new AssertionException("The host triggered no stale-schedule sweep at start.");
        var safety = LastJobId(host, SafetyJobs.SweepJobId) ?? throw new AssertionException("The host triggered no safety sweep at start.");
        return (await OutcomeAsync(host, schedules, "the start-up stale-schedule sweep"), await OutcomeAsync(host, safety, "the start-up safety sweep"));
    }

    /// <summary>Triggers one run of the recurring job, waits for that run to succeed, and returns its outcome.</summary>
    public static async Task<SweepOutcome> RunAsync(TrialHost host, string recurringJobId)
    {
        var manager = (IRecurringJobManagerV2)host.Services.GetRequiredService<IRecurringJobManager>();
        var jobId = manager.TriggerJob(recurringJobId) ?? throw new AssertionException($"Triggering {recurringJobId} created no job.");
        return await OutcomeAsync(host, jobId, $"the triggered run of {recurringJobId}");
    }

    /// <summary>The id of the last run the recurring job was triggered for (by the start-up, a cron or a test).</summary>
    public static string? LastJobId(TrialHost host, string recurringJobId)
    {
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs([recurringJobId]).Single().LastJobId;
    }

    /// <summary>The succeeded jobs of the method <typeparamref name="TJobs"/>.<paramref name="method"/> whose participants include <paramref name="participantId"/>.</summary>
    public static IReadOnlyList<string> SucceededFor<TJobs>(TrialHost host, string method, Guid participantId)
    {
        var monitoring = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var succeeded = monitoring.SucceededJobs(0, (int)monitoring.SucceededListCount());
        return succeeded
            .Where(j => j.Value.Job is { } job && job.Type == typeof(TJobs) && job.Method.Name == method
                        && job.Args.Any(a => a is Guid id ? id == participantId : a is Guid[] ids && ids.Contains(participantId)))
            .Select(j => j.Key).ToList();
    }

    /// <summary>
    /// Waits until <paramref name="count"/> jobs of <see cref="ScheduleJobs.RebuildSchedulesAsync"/> have succeeded for the
    /// participant. A write's schedule rebuild runs in a job after the write has answered, and a rebuild still to run when the
    /// test moves the clock rebuilds as of the new time. Each write that changes the schedule's data (enrolment, visit,
    /// infusion, discontinuation, withdrawal) signals one rebuild, and a job holds the participant only for signals given
    /// since the last job was taken. So a test that waits after each such write for one more job than before (the nth after
    /// its nth write) knows that every one of its writes' rebuilds has run and none is left.
    /// </summary>
    public static Task RebuildsSucceededAsync(TrialHost host, Guid participantId, int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(SucceededFor<ScheduleJobs>(host, nameof(ScheduleJobs.RebuildSchedulesAsync), participantId).Count >= count),
            $"{count} schedule rebuild job(s) of the participant's writes to succeed");

    private static async Task<SweepOutcome> OutcomeAsync(TrialHost host, string jobId, string what)
    {
        var storage = host.Services.GetRequiredService<JobStorage>();
        StateData? state = null;
        await Eventually.HoldsAsync(() =>
        {
            using var connection = storage.GetConnection();
            state = connection.GetStateData(jobId);
            return Task.FromResult(state?.Name == SucceededState.StateName);
        }, () => $"Timed out waiting for {what} (job {jobId}) to succeed; its state: {state?.Name ?? "none"} {state?.Reason}", Eventually.Bound);
        var result = state!.Data.TryGetValue("Result", out var json) ? json : null;
        return SerializationHelper.Deserialize<SweepOutcome>(result, SerializationOption.User)
               ?? throw new AssertionException($"{what} (job {jobId}) succeeded without an outcome.");
    }
}
