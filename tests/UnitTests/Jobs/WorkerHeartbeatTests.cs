using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Trial.Application.Health;
using Trial.Hosting.Health;
using Trial.Tests.Application;

namespace Trial.Tests.Jobs;

/// <summary>The worker's health as its container sees it: a file touched only while its database is ready.</summary>
public class WorkerHeartbeatTests
{
    [Test]
    public async Task Beat_DatabaseReady_TouchesTheFile()
    {
        await using var database = new UseCaseDatabase();
        using var folder = new TempFolder();
        var file = folder.File("alive");
        var heartbeat = new WorkerHeartbeat(new WorkerHeartbeatOptions { HeartbeatFile = file }, new CheckReadiness(database.Db), NullLogger<WorkerHeartbeat>.Instance);

        Assert.That(await heartbeat.BeatAsync(), Is.True);
        Assert.That(File.GetLastWriteTimeUtc(file), Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task Beat_AMigrationMissing_LeavesTheFileAlone()
    {
        await using var database = new UseCaseDatabase();
        await using (var connection = await database.Db.OpenAsync())
            await connection.ExecuteAsync("DELETE FROM SchemaVersions WHERE SchemaVersionID = (SELECT MAX(SchemaVersionID) FROM SchemaVersions)");
        using var folder = new TempFolder();
        var file = folder.File("alive");
        var heartbeat = new WorkerHeartbeat(new WorkerHeartbeatOptions { HeartbeatFile = file }, new CheckReadiness(database.Db), NullLogger<WorkerHeartbeat>.Instance);

        Assert.That(await heartbeat.BeatAsync(), Is.False);
        Assert.That(File.Exists(file), Is.False, "an unhealthy worker's file goes stale");
    }
}
