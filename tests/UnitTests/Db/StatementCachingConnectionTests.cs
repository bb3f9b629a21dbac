using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// Statements kept prepared on a connection, and the read connections kept open to keep them: the same results and the
/// same errors as a fresh statement on a fresh connection, one snapshot per read, and nothing of one read carried into
/// the next.
/// </summary>
public class StatementCachingConnectionTests
{
    private const string ValueOfSql = "SELECT Value FROM Numbers WHERE Id = @id";

    private TempFolder _folder = null!;
    private StatementCachingConnection _connection = null!;

    [SetUp]
    public async Task OpenAsync()
    {
        _folder = new TempFolder();
        _connection = new StatementCachingConnection($"Data Source={_folder.File("c.db")}");
        await _connection.OpenAsync();
        await _connection.ExecuteAsync("CREATE TABLE Numbers (Id INTEGER PRIMARY KEY, Value TEXT NOT NULL UNIQUE)");
        await _connection.ExecuteAsync("INSERT INTO Numbers (Id, Value) VALUES (@Id, @Value)",
            Enumerable.Range(1, 5).Select(i => new { Id = i, Value = $"n{i}" }));
    }

    [TearDown]
    public async Task CloseAsync()
    {
        await _connection.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<(int Prepared, int Reused)> StatisticsAfterAsync(Func<Task> work)
    {
        var before = _connection.Statistics;
        await work();
        return (_connection.Statistics.Prepared - before.Prepared, _connection.Statistics.Reused - before.Reused);
    }

    [Test]
    public async Task Query_SameSqlWithOtherParameters_PreparedOnceAndEachRunGetsItsOwnRow()
    {
        var values = new List<string?>();

        var counted = await StatisticsAfterAsync(async () =>
        {
            foreach (var id in new[] { 3, 1, 5, 2 }) values.Add(await _connection.QuerySingleOrDefaultAsync<string>(ValueOfSql, new { id }));
        });

        Assert.That(values, Is.EqualTo(new[] { "n3", "n1", "n5", "n2" }));
        Assert.That(counted, Is.EqualTo((1, 3)));
    }

    [Test]
    public async Task Query_ParameterMissingOnALaterRun_FailsAsWithoutTheCacheAndTheNextRunWorks()
    {
        Assert.That(await _connection.QuerySingleAsync<string>(ValueOfSql, new { id = 2 }), Is.EqualTo("n2"));

        // The earlier run's binding must not stand in for the missing parameter.
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => _connection.QuerySingleAsync<string>(ValueOfSql, new { other = 2 }));

        Assert.That(missing!.Message, Does.Contain("@id"));
        Assert.That(await _connection.QuerySingleAsync<string>(ValueOfSql, new { id = 4 }), Is.EqualTo("n4"));
    }

    [Test]
    public async Task Query_SameSqlWhileItsReaderIsOpen_RunsOnItsOwnStatement()
    {
        await using var outer = _connection.CreateCommand();
        outer.CommandText = ValueOfSql;
        outer.Parameters.AddWithValue("@id", 1);
        await using var reader = await outer.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);

        var inner = await _connection.QuerySingleAsync<string>(ValueOfSql, new { id = 5 });

        Assert.That(inner, Is.EqualTo("n5"));
        Assert.That(reader.GetString(0), Is.EqualTo("n1"), "the open reader still reads its own row");
    }

    [Test]
    public async Task Execute_InsideAndOutsideATransaction_TheTransactionIsTheCallersEachTime()
    {
        const string insert = "INSERT INTO Numbers (Id, Value) VALUES (@id, @value)";
        await _connection.ExecuteAsync(insert, new { id = 10, value = "n10" });
        await using (var rolledBack = await _connection.BeginTransactionAsync())
        {
            await _connection.ExecuteAsync(insert, new { id = 11, value = "n11" }, rolledBack);
            // As Microsoft.Data.Sqlite does without the cache: a command made while a transaction is open runs in it.
            await _connection.ExecuteAsync(insert, new { id = 12, value = "n12" });
            await rolledBack.RollbackAsync();
        }
        await _connection.ExecuteAsync(insert, new { id = 13, value = "n13" });

        Assert.That(await _connection.QueryAsync<int>("SELECT Id FROM Numbers WHERE Id >= 10 ORDER BY Id"), Is.EqualTo(new[] { 10, 13 }));
    }

    [Test]
    public async Task Execute_RunFailsOnAConstraint_TheErrorIsTheCallersAndTheStatementIsPreparedAfresh()
    {
        const string insert = "INSERT INTO Numbers (Id, Value) VALUES (@id, @value)";
        await _connection.ExecuteAsync(insert, new { id = 20, value = "n20" });

        await Assert.ThrowsAsync<SqliteException>(() => _connection.ExecuteAsync(insert, new { id = 21, value = "n20" }));
        var counted = await StatisticsAfterAsync(() => _connection.ExecuteAsync(insert, new { id = 22, value = "n22" }));

        Assert.That(counted, Is.EqualTo((1, 0)), "the failed statement was not kept");
        Assert.That(await _connection.QueryAsync<int>("SELECT Id FROM Numbers WHERE Id >= 20 ORDER BY Id"), Is.EqualTo(new[] { 20, 22 }));
    }

    [Test]
    public async Task Query_InListsOfManyLengths_AtMostTheLimitIsKeptAndEveryAnswerIsRight()
    {
        // Dapper writes one SQL text per list length.
        for (var length = 1; length <= StatementCachingConnection.MaxStatements + 20; length++)
        {
            var ids = Enumerable.Range(1, length).Select(i => i % 5 + 1).ToList();
            Assert.That(await _connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Numbers WHERE Id IN @ids", new { ids }), Is.EqualTo(Math.Min(length, 5)));
            Assert.That(_connection.CachedStatements, Is.LessThanOrEqualTo(StatementCachingConnection.MaxStatements));
        }
    }

    [Test]
    public async Task Close_ThenOpenAgain_StatementsAreFinalisedAndPreparedAgain()
    {
        Assert.That(await _connection.QuerySingleAsync<string>(ValueOfSql, new { id = 1 }), Is.EqualTo("n1"));
        await _connection.CloseAsync();
        Assert.That(_connection.CachedStatements, Is.Zero);
        await _connection.OpenAsync();

        var counted = await StatisticsAfterAsync(async () => Assert.That(await _connection.QuerySingleAsync<string>(ValueOfSql, new { id = 2 }), Is.EqualTo("n2")));

        Assert.That(counted, Is.EqualTo((1, 0)));
    }

    [Test]
    public async Task ReadAsync_OneReadAfterAnother_TheSecondGetsTheFirstsConnectionWithItsStatementPrepared()
    {
        var (db, folder) = Database();
        await using var _ = db;
        using var _f = folder;

        var first = await db.ReadAsync(async c => (Connection: c.Connection, Count: await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Site")));
        var second = await db.ReadAsync(async c => (Connection: c.Connection, Count: await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM Site")));

        Assert.That(second.Connection, Is.SameAs(first.Connection));
        Assert.That(((StatementCachingConnection)second.Connection).Statistics.Reused, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task ReadAsync_WriteCommitsBetweenTwoQueriesOfARead_BothSeeTheDatabaseAsTheReadBegan()
    {
        var (db, folder) = Database();
        await using var _ = db;
        using var _f = folder;
        var now = new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        const string count = "SELECT COUNT(*) FROM Site";

        var (before, after) = await db.ReadAsync(async c =>
        {
            var first = await c.ExecuteScalarAsync<int>(count);
            await db.WriteDerivedAsync(now, w => AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = now }));
            return (first, await c.ExecuteScalarAsync<int>(count));
        });

        Assert.That(after, Is.EqualTo(before), "one snapshot for the whole read");
        Assert.That(await db.ReadAsync(c => c.ExecuteScalarAsync<int>(count)), Is.EqualTo(before + 1), "the next read sees the write");
    }

    [Test]
    public async Task ReadAsync_ReadThrew_ItsConnectionIsClosedNotHandedOutAgain()
    {
        var (db, folder) = Database();
        await using var _ = db;
        using var _f = folder;
        System.Data.Common.DbConnection? failed = null;

        await Assert.ThrowsAsync<SqliteException>(() => db.ReadAsync(async c =>
        {
            failed = c.Connection;
            return await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM NoSuchTable");
        }));
        var next = await db.ReadAsync(c => Task.FromResult(c.Connection));

        Assert.That(next, Is.Not.SameAs(failed));
        Assert.That(failed!.State, Is.EqualTo(System.Data.ConnectionState.Closed));
    }

    [Test]
    public async Task DisposeAsync_ConnectionsKeptForReads_AreClosed()
    {
        var (db, folder) = Database();
        using var _f = folder;
        var kept = await db.ReadAsync(c => Task.FromResult(c.Connection));
        Assert.That(kept.State, Is.EqualTo(System.Data.ConnectionState.Open));

        await db.DisposeAsync();

        Assert.That(kept.State, Is.EqualTo(System.Data.ConnectionState.Closed));
    }

    private static (Database Db, TempFolder Folder) Database()
    {
        var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("r.db")}" });
        Migrator.Apply(db);
        return (db, folder);
    }
}
