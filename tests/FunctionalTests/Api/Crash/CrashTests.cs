using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace Trial.Tests.Api.Crash;

/// <summary>
/// Nothing acknowledged is ever lost: the API, a process of its own on a SQLite file, is killed with SIGKILL while clients
/// of every kind write (<see cref="CrashStudy"/>), at three points: seconds into the load, in the middle of a burst of
/// concurrent writes, and while a recurring sweep catches up on work a lost job queue left undone. It is then started again
/// on the same file, every write whose answer was lost is sent again with its Idempotency-Key, and
/// <see cref="CrashChecks"/> asserts that every acknowledged write is there exactly once with its exact values, that
/// nothing is half-written, and that within a bounded time every record has been evaluated by the safety rules and every
/// stored schedule is current.
/// </summary>
[NonParallelizable]
public class CrashTests
{
    /// <summary>Participants the load writes to (twelve assessments each, a POST24 visit, corrections and adverse events).</summary>
    private const int Active = 40;

    /// <summary>Participants only the sweeps evaluate in the sweep test: enough that the sweep takes a while.</summary>
    private const int Idle = 500;

    [Test]
    public async Task Sigkill_SecondsIntoTheLoad_EveryAcknowledgedWriteThereOnceNothingHalfWrittenAllEvaluatedAfterRestart()
    {
        using var folder = new TempFolder();
        var study = new CrashStudy();
        await using (var api = await ApiProcess.StartAsync(folder.Path))
        {
            await study.SeedAsync(api, Active, idle: 0);
            var seeded = study.Acknowledged;
            await study.RunUntilKilledAsync(api, () => Task.Delay(TimeSpan.FromMilliseconds(1000 + Random.Shared.Next(1000))));
            Report($"killed {study.Acknowledged - seeded} acknowledged writes into the load; {study.Unanswered.Count} unanswered");
            Assert.That(study.Acknowledged - seeded, Is.GreaterThan(20), "the kill came after writes of the load were acknowledged");
        }

        await RestartAndCheckAsync(folder, study);
    }

    [Test]
    public async Task Sigkill_MidBurstOfConcurrentWrites_EveryAcknowledgedWriteThereOnceNothingHalfWrittenAllEvaluatedAfterRestart()
    {
        using var folder = new TempFolder();
        var study = new CrashStudy();
        await using (var api = await ApiProcess.StartAsync(folder.Path))
        {
            await study.SeedAsync(api, Active, idle: 0);
            var seeded = study.Acknowledged;
            // Mid-burst: well into the load, at a moment when at least six of the eight writers wait for an answer.
            var inFlight = await study.RunUntilKilledAsync(api, () => UntilAsync(() => study.Acknowledged - seeded >= 150 && study.InFlight >= 6, "a burst of writes in flight"));
            Report($"killed with {inFlight} writes in flight after {study.Acknowledged - seeded} acknowledged; {study.Unanswered.Count} unanswered");
            Assert.That(inFlight, Is.GreaterThanOrEqualTo(6));
            Assert.That(study.SlotsLeft, Is.GreaterThan(0), "the kill came before the load ran out");
        }

        await RestartAndCheckAsync(folder, study);
    }

    /// <summary>
    /// How the kill is made to land during a sweep. First the API runs without a job server (it only enqueues, and its
    /// in-memory queue dies with it), so every participant is left unevaluated, as after a crash that lost the job queue.
    /// Five hundred of them are idle: no writer touches them afterwards, and no job for them exists in the next process, so
    /// only a sweep can evaluate them. The API is then started with its job server, which triggers the safety sweep at
    /// start; while the writers run again, the test watches the idle participants' evaluated versions in the database file,
    /// and once the sweep has evaluated the first of them it takes the database's write lock itself (trying without pause:
    /// see <see cref="TakeWriteLock"/>): from then on no evaluation can commit, however fast the machine, and the process
    /// is killed while the sweep waits for the lock. Reading the file after the kill shows that some were evaluated and
    /// some not: the kill landed part way through the sweep, whatever the load.
    /// </summary>
    [Test]
    public async Task Sigkill_WhileTheSweepCatchesUp_EveryAcknowledgedWriteThereOnceNothingHalfWrittenAllEvaluatedAfterRestart()
    {
        using var folder = new TempFolder();
        var database = folder.File("trial.db");
        var study = new CrashStudy();
        await using (var api = await ApiProcess.StartAsync(folder.Path, new Dictionary<string, string> { ["Jobs__RunServer"] = "false" }))
        {
            await study.SeedAsync(api, Active, Idle);
            await study.RunUntilKilledAsync(api, () => Task.Delay(TimeSpan.FromMilliseconds(500)));
        }
        Assert.That(CrashStudy.Unevaluated(database, study.Idle), Is.EqualTo(Idle), "no job server ran: every idle participant waits for the sweep");

        int seenAtKill;
        using (var writeLock = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await using (var api = await ApiProcess.StartAsync(folder.Path))
            {
                await study.ResendUnansweredAsync(api);
                writeLock.Open();
                await study.RunUntilKilledAsync(api, async () =>
                {
                    await UntilAsync(() => CrashStudy.Unevaluated(database, study.Idle) < Idle, "the sweep's first idle participant");
                    var waited = System.Diagnostics.Stopwatch.StartNew();
                    TakeWriteLock(writeLock);
                    // The API's writers now wait for the lock (their busy timeout is 30 s): nothing more commits before the kill.
                    Report($"the test took the write lock {waited.ElapsedMilliseconds} ms after the sweep's first idle participant was seen");
                });
                seenAtKill = CrashStudy.Unevaluated(database, study.Idle);
                Report($"killed when {seenAtKill} of {Idle} idle participants waited for the sweep; {study.Unanswered.Count} writes unanswered");
            }
        }
        var waiting = CrashStudy.Unevaluated(database, study.Idle);
        Report($"{waiting} of {Idle} idle participants still waited after the kill");
        Assert.That(waiting, Is.EqualTo(seenAtKill), "nothing committed while the test held the write lock");
        Assert.That(waiting, Is.InRange(1, Idle - 1), "the kill landed part way through the sweep: some idle participants evaluated, some not");

        await RestartAndCheckAsync(folder, study);
    }

    /// <summary>
    /// Takes the database's write lock by trying again at once whenever it is busy. Microsoft.Data.Sqlite sleeps 150 ms
    /// between tries, and a process that commits transaction after transaction, as the API's writer does under load,
    /// takes the lock back in every gap: waiting that way let the sweep finish first. The raw call returns SQLITE_BUSY
    /// at once (no busy handler is set on this connection), so the loop tries again within microseconds of a commit.
    /// </summary>
    private static void TakeWriteLock(SqliteConnection connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var result = SQLitePCL.raw.sqlite3_exec(connection.Handle, "BEGIN IMMEDIATE");
            if (result == SQLitePCL.raw.SQLITE_OK) return;
            if (result != SQLitePCL.raw.SQLITE_BUSY || DateTime.UtcNow > deadline)
                Assert.Fail($"Could not take the database's write lock: SQLite result {result}.");
        }
    }

    private static async Task RestartAndCheckAsync(TempFolder folder, CrashStudy study)
    {
        await using var api = await ApiProcess.StartAsync(folder.Path);
        try
        {
            await study.ResendUnansweredAsync(api);
            await CrashChecks.AssertAllAsync(study, api, folder.File("trial.db"));
        }
        catch
        {
            Report("The restarted API's console:\n" + await api.KillAndReadOutputAsync());
            throw;
        }
        Report($"checked {study.Acknowledged} acknowledged writes: {study.Enrolled.Count} enrolments, {study.Assessments.Count} assessments, " +
               $"{study.Corrected.Values.Sum(v => v.Count - 1)} corrections, {study.Visits.Count} visits, {study.AdverseEvents.Values.Sum(v => v.Count)} adverse event versions, " +
               $"{study.AlertActions.Values.Sum(a => a.Count)} alert actions; of the unanswered writes sent again, {study.CommittedBeforeTheCrash} had been committed before the crash " +
               $"and {study.RunAfterTheRestart} ran after the restart");
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(5);
        }
    }

    private static void Report(string line) => TestContext.Out.WriteLine(line);
}
