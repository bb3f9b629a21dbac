using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Trial.Hosting;

namespace Trial.Tests.Worker;

/// <summary>Committed writes' derived work becomes jobs gathered over a short window, every participant signalled in exactly one of them.</summary>
public class HangfireDerivedWorkTests
{
    /// <summary>Keeps the jobs as Hangfire would have stored them: the method and its participants.</summary>
    private sealed class RecordingJobClient : IBackgroundJobClient
    {
        public ConcurrentQueue<(string Method, Guid[] Participants)> Jobs { get; } = new();

        public string Create(Job job, IState state)
        {
            Jobs.Enqueue((job.Method.Name, (Guid[])job.Args[0]));
            return Guid.NewGuid().ToString();
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }

    private static (HangfireDerivedWork Work, RecordingJobClient Jobs) Create(double windowMilliseconds)
    {
        var jobs = new RecordingJobClient();
        return (new HangfireDerivedWork(jobs, new JobOptions { DerivedWorkWindowMilliseconds = windowMilliseconds }, NullLogger<HangfireDerivedWork>.Instance), jobs);
    }

    [Test]
    public async Task Burst_OfWritesFromManyRequests_BecomesFewJobsHoldingEveryParticipantOnce()
    {
        var (work, jobs) = Create(windowMilliseconds: 200);
        var participants = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToArray();
        // Each participant signalled by two writes, from many threads at once, as concurrent requests do.
        await Parallel.ForEachAsync(participants.Concat(participants), new ParallelOptions { MaxDegreeOfParallelism = 8 }, (id, _) =>
        {
            work.SafetyDataChanged(id);
            return ValueTask.CompletedTask;
        });
        await Eventually.HoldsAsync(() => Task.FromResult(jobs.Jobs.Sum(j => j.Participants.Length) >= participants.Length), "the jobs to be enqueued");
        await Task.Delay(300); // and nothing more after the window

        var safetyJobs = jobs.Jobs.ToList();
        Assert.That(safetyJobs.Select(j => j.Method), Is.All.EqualTo("EvaluateParticipantsAsync"));
        Assert.That(safetyJobs.SelectMany(j => j.Participants), Is.EquivalentTo(participants), "every participant in exactly one job");
        Assert.That(safetyJobs.Select(j => j.Participants.Length), Is.All.InRange(1, HangfireDerivedWork.MaxParticipantsPerJob));
        Assert.That(safetyJobs, Has.Count.LessThan(participants.Length / 4), "gathered, not a job per write");
    }

    [Test]
    public async Task SignalAfterAHandOver_IsHandedOverToo()
    {
        var (work, jobs) = Create(windowMilliseconds: 0);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        work.ScheduleDataChanged(first);
        await Eventually.HoldsAsync(() => Task.FromResult(jobs.Jobs.Count == 1), "the first job");
        work.ScheduleDataChanged(second);
        work.SafetyDataChanged(second);
        await Eventually.HoldsAsync(() => Task.FromResult(jobs.Jobs.Count == 3), "the second write's jobs");
        Assert.That(jobs.Jobs.Select(j => (j.Method, j.Participants.Single())), Is.EquivalentTo(new[]
        {
            ("RebuildSchedulesAsync", first), ("RebuildSchedulesAsync", second), ("EvaluateParticipantsAsync", second),
        }));
    }

    [Test]
    public void Dispose_HandsOverWhatTheWindowStillHolds()
    {
        var (work, jobs) = Create(windowMilliseconds: 60_000);
        var id = Guid.NewGuid();
        work.SafetyDataChanged(id);
        Assert.That(jobs.Jobs, Is.Empty, "still gathering");
        work.Dispose();
        Assert.That(jobs.Jobs.Single(), Is.EqualTo(("EvaluateParticipantsAsync", new[] { id })));
    }

    [Test]
    public async Task ParticipantBatch_OneParticipantThrows_OthersStillDoneAndTheJobFailsNamingIt()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        var done = new List<Guid>();
        var failure = await Assert.ThrowsAsync<AggregateException>(() => ParticipantBatch.RunAsync(ids, "safety evaluation", id =>
        {
            if (id == ids[1]) throw new FormatException("unreadable date");
            done.Add(id);
            return Task.CompletedTask;
        }));
        Assert.That(done, Is.EqualTo(ids.Where(id => id != ids[1])));
        Assert.That(failure!.InnerExceptions.Single().Message, Does.Contain(ids[1].ToString()));
    }
}
