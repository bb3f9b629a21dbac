using NUnit.Framework;
using Trial.Application.Access;
using Trial.Core.Access;

namespace Trial.Tests.Application.Access;

/// <summary>A refused request, as the audit trail records it: who, what was asked and the answer.</summary>
public class RecordDeniedAccessTests
{
    private UseCaseDatabase _database = null!;

    [SetUp]
    public void Create() => _database = new UseCaseDatabase();

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Test]
    public async Task RecordAsync_AnUnauthenticatedRequest_IsRecordedAsAnonymous()
    {
        await new RecordDeniedAccess(_database.Db, _database.Clock).RecordAsync(Actor.Anonymous("req-1"),
            new DeniedRequest(401, "GET", "GET /api/v1/participants", "/api/v1/participants", null));

        var row = (await _database.TrailAsync()).Single();
        Assert.That((row.EntityType, row.EntityId, row.Action, row.Role, row.RequestId, row.AtUtc),
            Is.EqualTo(("access", "GET /api/v1/participants", "access-denied", "anonymous", "req-1", UseCaseDatabase.StartUtc)));
        Assert.That(row.NewValue, Is.EqualTo("""{"method":"GET","path":"/api/v1/participants","role":null,"status":401}"""));
    }

    [Test]
    public async Task RecordAsync_ALongRequest_IsCutTo100CharactersInTheEntityId()
    {
        var path = "/api/v1/participants/" + new string('x', 120);
        var monitor = UseCaseDatabase.User(Roles.Monitor, "WAW");

        await new RecordDeniedAccess(_database.Db, _database.Clock).RecordAsync(monitor, new DeniedRequest(403, "GET", "GET " + path, path, Roles.Monitor));

        var row = (await _database.TrailAsync()).Single();
        Assert.That(row.EntityId, Is.EqualTo(("GET " + path)[..100]));
        Assert.That(row.UserId, Is.EqualTo(monitor.UserId));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"method":"GET","path":"{{path}}","role":"monitor","status":403}"""));
    }
}
