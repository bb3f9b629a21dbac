using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>The database's one write path: no write without its audit row, refusals roll back, derived work only after a commit.</summary>
public class WritePathTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly Actor Someone = new(Guid.NewGuid(), Guid.NewGuid(), "Dr A. Nowak", Roles.Admin, []);

    private sealed class RecordedWork : IDerivedWorkQueue
    {
        public List<string> Signals { get; } = [];
        public void SafetyDataChanged(Guid participantId) => Signals.Add($"safety {participantId}");
        public void ScheduleDataChanged(Guid participantId) => Signals.Add($"schedule {participantId}");
    }

    private static (Database Db, RecordedWork Work, TempFolder Folder) Create()
    {
        var folder = new TempFolder();
        var work = new RecordedWork();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("w.db")}" }, work);
        Migrator.Apply(db);
        return (db, work, folder);
    }

    private static Task<int> SitesAsync(Database db) => db.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Site"));

    [Test]
    public async Task Write_WhileConnectionsOpenedConcurrentlyHoldReadTransactions_CommitsWithoutWaiting()
    {
        // The first connections of a process race to be opened; none may start reading before the file is in WAL mode,
        // or the file stays in rollback mode and every open read (an extract) holds the writer off until the busy timeout.
        var (db, _, folder) = Create();
        using var _f = folder;
        using var start = new ManualResetEventSlim();
        var opening = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            var connection = (SqliteConnection)await db.OpenAsync();
            var transaction = connection.BeginTransaction(deferred: true);
            await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Site", transaction: transaction);
            return (connection, transaction);
        })).ToList();
        start.Set();
        var readers = await Task.WhenAll(opening);
        try
        {
            var write = db.WriteAsync(Someone, Now, async w =>
            {
                await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = Now });
                await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, "WAW", new { code = "WAW" }, "WAW", null));
            });
            Assert.That(await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(write), "the write waited on the open reads");
            await write;
            Assert.That(await readers[0].connection.ExecuteScalarAsync<string>("PRAGMA journal_mode;"), Is.EqualTo("wal"));
        }
        finally
        {
            foreach (var (connection, transaction) in readers)
            {
                transaction.Dispose();
                await connection.DisposeAsync();
            }
        }
        Assert.That(await SitesAsync(db), Is.EqualTo(1));
    }

    [Test]
    public async Task Write_WithoutAnAuditRow_IsRolledBackAndThrows()
    {
        var (db, _, folder) = Create();
        using var _f = folder;
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.WriteAsync(Someone, Now, w =>
            AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = Now })));
        Assert.That(await SitesAsync(db), Is.EqualTo(0));
    }

    [Test]
    public async Task Write_Refused_RollsBackItsChangesAuditAndSignals()
    {
        var (db, work, folder) = Create();
        using var _f = folder;
        var participant = Guid.NewGuid();
        await db.WriteAsync(Someone, Now, async w =>
        {
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = Now });
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, "WAW", new { code = "WAW" }, "WAW", null));
            await w.ScheduleDataChangedAsync(participant);
            w.Refuse();
        });
        Assert.That(await SitesAsync(db), Is.EqualTo(0));
        Assert.That(work.Signals, Is.Empty);
        Assert.That(await AuditVerifier.VerifyAsync(db), Is.EqualTo(new AuditVerification(0, true, null)), "the chain's end did not move");
    }

    [Test]
    public async Task Write_Committed_SignalsItsDerivedWorkOnceEach_AndExtendsTheChain()
    {
        var (db, work, folder) = Create();
        using var _f = folder;
        var participant = Guid.NewGuid();
        await db.WriteAsync(Someone, Now, async w =>
        {
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = Now });
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, "WAW", new { code = "WAW" }, "WAW", null));
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, "WAW", new { code = "WAW", again = true }, "WAW", null));
            await w.SafetyDataChangedAsync(participant);
            await w.SafetyDataChangedAsync(participant);
            await w.ScheduleDataChangedAsync(participant);
        });
        Assert.That(work.Signals, Is.EquivalentTo(new[] { $"safety {participant}", $"schedule {participant}" }));
        Assert.That(await AuditVerifier.VerifyAsync(db), Is.EqualTo(new AuditVerification(2, true, null) { PlainRows = 2 }), "a database without a key chains with the plain hash");
    }

    [Test]
    public async Task Write_Throwing_SignalsNothing()
    {
        var (db, work, folder) = Create();
        using var _f = folder;
        await Assert.ThrowsAsync<TimeoutException>(() => db.WriteAsync(Someone, Now, async w =>
        {
            await w.ScheduleDataChangedAsync(Guid.NewGuid());
            throw new TimeoutException();
        }));
        Assert.That(work.Signals, Is.Empty);
    }

    [Test]
    public async Task AuditEvent_UpdateAndDelete_AreRefusedByTheDatabase()
    {
        var (db, _, folder) = Create();
        using var _f = folder;
        await db.WriteAsync(Someone, Now, w => w.AuditAsync(AuditEntry.Created(AuditEntities.Site, "WAW", new { code = "WAW" }, "WAW", null)));
        using var c = new SqliteConnection(db.ConnectionString);
        var update = Assert.Throws<SqliteException>(() => c.Execute("UPDATE AuditEvent SET Reason = 'edited' WHERE Id = 1"));
        Assert.That(update!.Message, Does.Contain("append-only"));
        var delete = Assert.Throws<SqliteException>(() => c.Execute("DELETE FROM AuditEvent"));
        Assert.That(delete!.Message, Does.Contain("append-only"));
        Assert.That(c.ExecuteScalar<int>("SELECT COUNT(*) FROM AuditEvent"), Is.EqualTo(1));
    }
}

/// <summary>Group commit on SQLite: concurrent writes share one transaction and one flush, and each still succeeds or fails alone.</summary>
public class GroupCommitTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly Actor Someone = new(Guid.NewGuid(), Guid.NewGuid(), "Dr A. Nowak", Roles.Admin, []);

    private static Task<int> AddSiteAsync(WriteScope w, string code, Func<Task>? before = null) => AddSiteCoreAsync(w, code, before);

    private static async Task<int> AddSiteCoreAsync(WriteScope w, string code, Func<Task>? before)
    {
        if (before is not null) await before();
        await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = code, Name = code, CreatedUtc = Now });
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, code, new { code }, code, null));
        return 1;
    }

    [Test]
    public async Task Batch_WithAFailingAndARefusedWriteInTheMiddle_CommitsTheOthersInOneTransaction()
    {
        using var folder = new TempFolder();
        await using var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("g.db")}" });
        Migrator.Apply(db);

        // The first write holds the writer until the others are queued behind it, so they form one batch. Its work has
        // started only once the writer took its batch (the first write alone), so the others queue behind it.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource();
        var first = db.WriteAsync(Someone, Now, w => AddSiteAsync(w, "AAA", () =>
        {
            started.SetResult();
            return release.Task;
        }));
        await started.Task;
        var before = db.WriteStatistics!.Value;

        var ok1 = db.WriteAsync(Someone, Now, w => AddSiteAsync(w, "BBB"));
        var duplicate = db.WriteAsync(Someone, Now, w => AddSiteAsync(w, "AAA")); // primary key: fails at the database
        var refused = db.WriteAsync(Someone, Now, async w => { await AddSiteAsync(w, "CCC"); w.Refuse(); return 0; });
        var ok2 = db.WriteAsync(Someone, Now, w => AddSiteAsync(w, "DDD"));
        release.SetResult();

        await first;
        Assert.That(await ok1, Is.EqualTo(1));
        await Assert.ThrowsAsync<SqliteException>(async () => await duplicate);
        Assert.That(await refused, Is.EqualTo(0));
        Assert.That(await ok2, Is.EqualTo(1));

        var sites = await db.ReadAsync(c => c.QueryAsync<string>("SELECT Code FROM Site ORDER BY Code"));
        Assert.That(sites, Is.EqualTo(new[] { "AAA", "BBB", "DDD" }));
        var after = db.WriteStatistics!.Value;
        Assert.That(after.Batches - before.Batches, Is.EqualTo(2), "the first write's batch, then one for the four queued behind it");
        Assert.That(after.Writes - before.Writes, Is.EqualTo(3), "AAA, BBB and DDD committed; the duplicate and the refused write did not");
        Assert.That(await AuditVerifier.VerifyAsync(db), Is.EqualTo(new AuditVerification(3, true, null) { PlainRows = 3 }), "the failed writes' audit rows left the chain");
    }

    [Test]
    public async Task Write_FirstOnAFreshDatabaseBeforeAnyRead_IsWrittenToTheWriteAheadLog()
    {
        using var folder = new TempFolder();
        var file = folder.File("first.db");
        await using var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={file}" });
        Migrator.Apply(db);

        await db.WriteAsync(Someone, Now, w => AddSiteAsync(w, "WAW"));

        // In rollback-journal mode there is no log file, and an extract's open read would hold every write off.
        Assert.That(File.Exists(file + "-wal"), Is.True, "the file is in WAL mode from the first write on");
    }

    [Test]
    public async Task Writes_OnSqlite_TheCheckpointBesideTheWriterCopiesTheWholeLogIntoTheDatabase()
    {
        using var folder = new TempFolder();
        await using var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("c.db")}" });
        Migrator.Apply(db);
        for (var i = 0; i < 20; i++)
            await db.WriteAsync(Someone, Now, w => AddSiteAsync(w, $"S{i:00}"));

        await Eventually.HoldsAsync(() => Task.FromResult(db.LastCheckpoint is { LogFrames: > 0 } c && c.Checkpointed == c.LogFrames),
            () => $"a checkpoint of the whole log; the last: {db.LastCheckpoint}", TimeSpan.FromSeconds(10));
        Assert.That(await db.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Site")), Is.EqualTo(20));
    }
}
