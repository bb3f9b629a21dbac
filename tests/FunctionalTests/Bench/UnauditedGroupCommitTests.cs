using System.Reflection;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Bench;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Bench;

/// <summary>
/// The benchmark's write path without the audit trail: it must be the application's write path less the trail and nothing
/// else, or the audit trail's cost it measures is not the trail's.
/// </summary>
public class UnauditedGroupCommitTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Test]
    public void Settings_AreTheApplicationWritersOwn()
    {
        // The application's writer is internal to Trial.Db; its settings are read here so the bench's copy cannot drift from them.
        var groupCommit = typeof(Database).Assembly.GetType("Trial.Db.Infrastructure.GroupCommit", throwOnError: true)!;
        object? Setting(string name) =>
            groupCommit.GetField(name, BindingFlags.Public | BindingFlags.Static) is { } field ? field.IsLiteral ? field.GetRawConstantValue() : field.GetValue(null) : null;

        Assert.That(Setting(nameof(UnauditedGroupCommit.MaxBatch)), Is.EqualTo(UnauditedGroupCommit.MaxBatch));
        Assert.That(Setting(nameof(UnauditedGroupCommit.CheckpointInterval)), Is.EqualTo(UnauditedGroupCommit.CheckpointInterval));
        Assert.That(Setting(nameof(UnauditedGroupCommit.WriterCheckpointPages)), Is.EqualTo(UnauditedGroupCommit.WriterCheckpointPages));
    }

    [Test]
    public async Task WriteAsync_WritesQueuedBehindOne_CommitInOneTransactionWithoutAuditRows_AFailingOneAlone()
    {
        using var folder = new TempFolder();
        await using var db = Trial.Bench.Sqlite.Create(folder.File("u.db"));
        await using var writer = new UnauditedGroupCommit(db);

        // The first write holds the writer until the others are queued behind it, so they form one batch. Its work has
        // started only once the writer took its batch (the first write alone), so the others queue behind it.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource();
        var first = writer.WriteAsync(async c =>
        {
            await AddSiteAsync(c, "AAA");
            started.SetResult();
            await release.Task;
        });
        await started.Task;
        var before = writer.Statistics;

        var ok1 = writer.WriteAsync(c => AddSiteAsync(c, "BBB"));
        var duplicate = writer.WriteAsync(c => AddSiteAsync(c, "AAA")); // primary key: fails at the database
        var ok2 = writer.WriteAsync(c => AddSiteAsync(c, "CCC"));
        release.SetResult();

        await first;
        await ok1;
        await Assert.ThrowsAsync<SqliteException>(async () => await duplicate);
        await ok2;

        var sites = await db.ReadAsync(c => c.QueryAsync<string>("SELECT Code FROM Site ORDER BY Code"));
        Assert.That(sites, Is.EqualTo(new[] { "AAA", "BBB", "CCC" }));
        var after = writer.Statistics;
        Assert.That(after.Batches - before.Batches, Is.EqualTo(2), "the first write's batch, then one for the three queued behind it");
        Assert.That(after.Writes - before.Writes, Is.EqualTo(3), "AAA, BBB and CCC committed; the duplicate did not");
        Assert.That(await AuditVerifier.VerifyAsync(db), Is.EqualTo(new AuditVerification(0, true, null)), "no audit row, the chain's end unmoved");
        Assert.That(await db.ReadAsync(c => c.ExecuteScalarAsync<string>("PRAGMA journal_mode;")), Is.EqualTo("wal"));
    }

    [Test]
    public async Task DirectWriters_WithAndWithoutTheAuditRow_StoreTheSameRowsButTheAuditRows()
    {
        const int writes = 60;
        var slots = Workload.Slots(ProtocolLoader.LoadDefault(), WriteBenchmark.Participants, DateTime.UtcNow);
        await using var audited = await DirectWriter.ThroughDatabaseWriteAsync(slots, writers: 8);
        await using var unaudited = await DirectWriter.WithoutAuditAsync(slots, writers: 8);

        var (_, auditedLatencies) = await audited.WriteAsync(0, writes);
        var (_, unauditedLatencies) = await unaudited.WriteAsync(0, writes);

        Assert.That((auditedLatencies.Length, unauditedLatencies.Length), Is.EqualTo((writes, writes)));
        var (assessments, items, scores, auditRows) = await audited.RowCountsAsync();
        Assert.That((assessments, auditRows), Is.EqualTo(((long)writes, (long)writes)), "one audit row per assessment through the application's path");
        Assert.That(await unaudited.RowCountsAsync(), Is.EqualTo((assessments, items, scores, 0L)), "the same rows, and no audit row");
        Assert.That(items, Is.GreaterThan(assessments));
        Assert.That(audited.WriteStatistics!.Value.Writes, Is.EqualTo(writes));
        Assert.That(unaudited.WriteStatistics!.Value.Writes, Is.EqualTo(writes));
    }

    private static Task<int> AddSiteAsync(DbSession c, string code) =>
        AccessQueries.InsertSiteAsync(c, new SiteRow { Code = code, Name = code, CreatedUtc = Now });
}
