using Dapper;
using NUnit.Framework;
using Trial.Application.Health;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Application.Health;

/// <summary>Ready: the database answers and every migration is applied.</summary>
public class ReadinessTests
{
    [Test]
    public async Task CheckAsync_EveryMigrationApplied_IsReady()
    {
        await using var database = new UseCaseDatabase();

        Assert.That(await new CheckReadiness(database.Db).CheckAsync(), Is.EqualTo(new Readiness(true)));
    }

    [Test]
    public async Task CheckAsync_AMigrationMissing_IsNotReadySayingHowMany()
    {
        await using var database = new UseCaseDatabase();
        var expected = Migrator.Scripts(DatabaseProvider.Sqlite).Count;
        await using (var connection = await database.Db.OpenAsync())
            await connection.ExecuteAsync("DELETE FROM SchemaVersions WHERE SchemaVersionID = (SELECT MAX(SchemaVersionID) FROM SchemaVersions)");

        Assert.That(await new CheckReadiness(database.Db).CheckAsync(), Is.EqualTo(new Readiness(false, $"{expected - 1} of {expected} migrations applied.")));
    }

    [Test]
    public async Task CheckAsync_ADatabaseNeverMigrated_IsNotReady()
    {
        using var folder = new TempFolder();
        await using var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("empty.db")}" });

        Assert.That(await new CheckReadiness(db).CheckAsync(), Is.EqualTo(new Readiness(false, "The database does not answer.")));
    }
}
