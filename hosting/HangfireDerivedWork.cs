using System.Collections.Concurrent;
using Hangfire;
using Trial.Db.Infrastructure;
using Trial.Hosting.Safety;
using Trial.Hosting.Schedules;

namespace Trial.Hosting;

/// <summary>
/// Turns committed writes' derived work into Hangfire jobs, gathered: the participants signalled within
/// <see cref="JobOptions.DerivedWorkWindowMilliseconds"/> go to one job of each kind (at most
/// <see cref="MaxParticipantsPerJob"/> each), not one job per write. A job costs more to create, store, fetch and
/// finish than evaluating one new assessment does, so under load most of the background work was Hangfire's own;
/// gathered, the per-write cost falls as the load rises, and a participant signalled twice in the window is done once.
/// <para>
/// Nothing is lost by waiting: the write has already recorded the work in the database (the participant's version
/// markers) before it is signalled here, so if this process stops before the window closes, or the job storage refuses
/// the job, the recurring sweeps do the work from what the database says.
/// </para>
/// </summary>
public sealed class HangfireDerivedWork : IDerivedWorkQueue, IDisposable
{
    /// <summary>The most participants one job handles, so one job's retry repeats little and jobs spread over the workers.</summary>
    public const int MaxParticipantsPerJob = 32;

    private readonly IBackgroundJobClient _jobs;
    private readonly ILogger<HangfireDerivedWork> _log;
    private readonly TimeSpan _window;
    private readonly ConcurrentDictionary<Guid, byte> _safety = new(), _schedules = new();
    private int _handOverScheduled;

    public HangfireDerivedWork(IBackgroundJobClient jobs, JobOptions options, ILogger<HangfireDerivedWork> log)
    {
        _jobs = jobs;
        _log = log;
        _window = TimeSpan.FromMilliseconds(Math.Max(0, options.DerivedWorkWindowMilliseconds));
    }

    public void SafetyDataChanged(Guid participantId)
    {
        _safety.TryAdd(participantId, 0);
        ScheduleHandOver();
    }

    public void ScheduleDataChanged(Guid participantId)
    {
        _schedules.TryAdd(participantId, 0);
        ScheduleHandOver();
    }

    private void ScheduleHandOver()
    {
        if (Interlocked.Exchange(ref _handOverScheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            if (_window > TimeSpan.Zero) await Task.Delay(_window);
            // Cleared before taking: a signal from now on schedules the next hand-over, so none is left behind.
            Volatile.Write(ref _handOverScheduled, 0);
            HandOver();
        });
    }

    /// <summary>
    /// Enqueues what was signalled so far: one job per kind and <see cref="MaxParticipantsPerJob"/> participants; the safety
    /// evaluation on <see cref="TrialJobs.CriticalQueue"/>, which workers take first.
    /// </summary>
    private void HandOver()
    {
        foreach (var ids in Take(_schedules).Chunk(MaxParticipantsPerJob))
            Enqueue(() => _jobs.Enqueue<ScheduleJobs>(TrialJobs.DefaultQueue, j => j.RebuildSchedulesAsync(ids)), "schedule rebuild", ids);
        foreach (var ids in Take(_safety).Chunk(MaxParticipantsPerJob))
            Enqueue(() => _jobs.Enqueue<SafetyJobs>(TrialJobs.CriticalQueue, j => j.EvaluateParticipantsAsync(ids)), "safety evaluation", ids);
    }

    private static List<Guid> Take(ConcurrentDictionary<Guid, byte> signalled)
    {
        var taken = new List<Guid>();
        foreach (var id in signalled.Keys)
            if (signalled.TryRemove(id, out _)) taken.Add(id);
        return taken;
    }

    private void Enqueue(Action enqueue, string what, Guid[] participantIds)
    {
        try
        {
            enqueue();
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Could not enqueue the {Work} of {Count} participant(s) ({ParticipantIds}); the recurring sweep will do it.",
                what, participantIds.Length, string.Join(", ", participantIds));
        }
    }

    /// <summary>On shutdown, hands over what the window still holds, so a stopping process leaves as little as it can to the sweeps.</summary>
    public void Dispose() => HandOver();
}
