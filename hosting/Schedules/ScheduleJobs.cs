using Hangfire;
using Trial.Application.Schedules;
using Trial.Hosting.Sweeps;

namespace Trial.Hosting.Schedules;

/// <summary>
/// The Hangfire jobs that keep each participant's stored visit plan equal to what the protocol computes from the
/// database; the work is <see cref="RebuildSchedule"/>'s. Jobs take ids only and recompute everything, so running one
/// twice changes nothing. The job ids and method names are stored in Hangfire's storage: they do not change.
/// </summary>
public sealed class ScheduleJobs(RebuildSchedule schedules, TimeProvider clock, ParticipantSweeps sweeps)
{
    public const string SweepJobId = "schedules:sweep-stale";
    public const string MissedJobId = "schedules:detect-missed";

    /// <summary>The job of the participants whose writes were gathered together: each rebuilt as <see cref="RebuildScheduleAsync"/> does, one's failure not holding up the others.</summary>
    [AutomaticRetry(Attempts = 3)]
    public Task RebuildSchedulesAsync(Guid[] participantIds) => ParticipantBatch.RunAsync(participantIds, "schedule rebuild", RebuildScheduleAsync);

    [AutomaticRetry(Attempts = 3)]
    public Task RebuildScheduleAsync(Guid participantId) => schedules.RebuildAsync(participantId, clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Rebuilds every schedule the database marks stale: the safety net for a job that was lost. One participant whose
    /// rebuild throws is skipped and retried later (<see cref="ParticipantSweeps"/>).
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> SweepStaleSchedulesAsync()
    {
        var stale = await schedules.StaleAsync();
        return await sweeps.RunAsync(SweepJobId, stale, RebuildScheduleAsync);
    }

    /// <summary>Windows close with the passing of time, not with a write: rebuild those whose window closed so they read missed.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SweepOutcome> DetectMissedVisitsAsync()
    {
        var due = await schedules.WithClosedWindowsAsync(clock.GetUtcNow().UtcDateTime);
        return await sweeps.RunAsync(MissedJobId, due, RebuildScheduleAsync);
    }
}
