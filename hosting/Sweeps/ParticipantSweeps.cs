using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Trial.Hosting.Sweeps;

/// <summary>What one run of a recurring sweep did with the participants it found.</summary>
/// <param name="Found">Participants the database listed as needing the work.</param>
/// <param name="Processed">Those whose work ran to its end.</param>
/// <param name="Failed">Those whose work threw this time; each is retried by a later sweep.</param>
/// <param name="Deferred">Those skipped because they failed recently and their next attempt is not due yet.</param>
public sealed record SweepOutcome(int Found, int Processed, int Failed, int Deferred);

/// <summary>
/// Runs a recurring sweep's work one participant at a time, so that one participant whose data makes the work throw (a
/// row damaged behind the application's back, a case of the rules no test foresaw) cannot stop the work for everyone
/// after it, on every run of the sweep. Such a participant is logged (its id, the kind of failure and where in the code it
/// arose; never the exception's message, which can quote the data: Dapper's names the value it could not read), counted
/// in the <see cref="WorkerMetrics.SweepFailuresName"/> metric, skipped, and retried by a later run after a delay that
/// doubles with every failure in a row (<see cref="JobOptions.SweepRetryFirstMinutes"/> up to
/// <see cref="JobOptions.SweepRetryMaxMinutes"/>); everyone else is processed as usual.
/// <para>
/// The failures are remembered in this process's memory, not in the database. The database still says what is pending
/// (a failing participant stays unevaluated or stale, so every run finds it again), so losing the memory loses no work:
/// after a restart each failing participant is tried once more at once and then backed off again, and two worker
/// processes each keep their own count, which at worst doubles the attempts on a participant that fails anyway. Writing
/// the count to the database would add a write per failure to the data the failure may come from.
/// </para>
/// </summary>
public sealed class ParticipantSweeps
{
    private readonly JobOptions _options;
    private readonly TimeProvider _clock;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<ParticipantSweeps> _log;
    private readonly ConcurrentDictionary<(string Job, Guid Participant), Failures> _failing = new();
    private readonly ConcurrentDictionary<string, int> _lastFound = new();

    public ParticipantSweeps(JobOptions options, TimeProvider clock, WorkerMetrics metrics, ILogger<ParticipantSweeps> log)
    {
        (_options, _clock, _metrics, _log) = (options, clock, metrics, log);
        metrics.Meter.CreateObservableGauge(WorkerMetrics.SweepFailingName, ObserveFailing, unit: "{participant}",
            description: "Participants whose work failed in their last attempt by a recurring sweep and who wait for their next attempt, by job.");
        metrics.Meter.CreateObservableGauge(WorkerMetrics.SweepBacklogName, ObserveBacklog, unit: "{participant}",
            description: "Participants the last run of each recurring sweep found needing its work: the work the jobs after writes left undone.");
    }

    private sealed record Failures(int InARow, DateTime NextAttemptUtc);

    /// <summary>Runs <paramref name="work"/> for each participant in turn, except those whose next attempt is not due yet.</summary>
    /// <param name="job">The recurring job's stable id: its failures are counted, logged and backed off under it.</param>
    /// <param name="participants">The participants the database lists as needing the work.</param>
    /// <param name="work">The work for one participant.</param>
    public async Task<SweepOutcome> RunAsync(string job, IReadOnlyList<Guid> participants, Func<Guid, Task> work)
    {
        ForgetAllBut(job, participants);
        _lastFound[job] = participants.Count;
        int processed = 0, failed = 0, deferred = 0;
        foreach (var participant in participants)
        {
            var key = (job, participant);
            _failing.TryGetValue(key, out var earlier);
            if (earlier is not null && _clock.GetUtcNow().UtcDateTime < earlier.NextAttemptUtc)
            {
                deferred++;
                continue;
            }
            try
            {
                await work(participant);
                _failing.TryRemove(key, out _);
                processed++;
            }
            catch (Exception ex)
            {
                failed++;
                var inARow = (earlier?.InARow ?? 0) + 1;
                var next = _clock.GetUtcNow().UtcDateTime + DelayAfter(inARow);
                _failing[key] = new Failures(inARow, next);
                _metrics.SweepFailed(job);
                _log.LogWarning(
                    "The {Job} sweep failed for participant {ParticipantId} ({Failures} failure(s) in a row): {Failure}. The participant is skipped until {NextAttemptUtc:yyyy-MM-ddTHH:mm:ssZ}; the others are processed.",
                    job, participant, inARow, Describe(ex), next);
            }
        }
        return new SweepOutcome(participants.Count, processed, failed, deferred);
    }

    /// <summary>How long to wait after the <paramref name="inARow"/>th failure in a row: the first delay, doubled each time, up to the cap.</summary>
    public TimeSpan DelayAfter(int inARow)
    {
        var first = TimeSpan.FromMinutes(_options.SweepRetryFirstMinutes);
        var max = TimeSpan.FromMinutes(_options.SweepRetryMaxMinutes);
        var doublings = Math.Min(inARow - 1, 30);
        var delay = first * Math.Pow(2, doublings);
        return delay < max ? delay : max;
    }

    /// <summary>
    /// The kind of each exception in the chain and the first place in this application's code it passed through; not the
    /// messages, which can quote the participant's data.
    /// </summary>
    public static string Describe(Exception ex)
    {
        var kinds = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException) kinds.Add(e.GetType().FullName ?? e.GetType().Name);
        var where = ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at Trial.", StringComparison.Ordinal));
        return string.Join(" <- ", kinds) + (where is null ? "" : $", {where}");
    }

    // A participant the database no longer lists (fixed and processed by other work meanwhile) is forgotten, so the
    // memory holds only participants that are failing now.
    private void ForgetAllBut(string job, IReadOnlyList<Guid> participants)
    {
        var listed = participants.ToHashSet();
        foreach (var key in _failing.Keys.Where(k => k.Job == job && !listed.Contains(k.Participant)))
            _failing.TryRemove(key, out _);
    }

    private IEnumerable<Measurement<int>> ObserveBacklog() =>
        _lastFound.Select(j => new Measurement<int>(j.Value, new KeyValuePair<string, object?>(WorkerMetrics.JobTag, j.Key)));

    private IEnumerable<Measurement<int>> ObserveFailing() =>
        _failing.Keys.GroupBy(k => k.Job).Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>(WorkerMetrics.JobTag, g.Key)));
}
