using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;

namespace Trial.Tests.Db;

public class SafetyQueryTests
{
    [Test]
    public async Task ListAsync_WithEveryFilter_RunsOnSqlite()
    {
        // SQLite binds parameters by exact name: a filter whose name differs in case from the SQL text fails at run time.
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("s.db")}" });
        Migrator.Apply(db);
        var all = await db.ReadAsync(c => SafetyQueries.ListAsync(c, new AlertFilter(null, null, null, null, null, null, false)));
        var filtered = await db.ReadAsync(c => SafetyQueries.ListAsync(c,
            new AlertFilter(["WAW"], "open", "high", "WAW-0001", "MADRS10_HIGH", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), true)));
        Assert.That(all, Is.Empty);
        Assert.That(filtered, Is.Empty);
    }
}
