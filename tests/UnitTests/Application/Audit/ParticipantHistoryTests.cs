using NUnit.Framework;
using Trial.Application;
using Trial.Application.Audit;
using Trial.Core.Access;

namespace Trial.Tests.Application.Audit;

/// <summary>A participant's history: their rows in order, for a reader of their site only.</summary>
public class ParticipantHistoryTests
{
    private UseCaseDatabase _database = null!;
    private ReadParticipantHistory _histories = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        _histories = new ReadParticipantHistory(_database.Db);
        await _database.AddSiteAsync("WAW");
        await _database.AddSiteAsync("KRK");
        await _database.AddParticipantAsync("WAW-0001", "WAW");
        await _database.AddParticipantAsync("KRK-0001", "KRK");
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Test]
    public async Task ReadAsync_AnUnknownParticipant_IsNotFound()
    {
        var history = await _histories.ReadAsync(UseCaseDatabase.Admin, "WAW-0009");

        Assert.That(history.Refusal, Is.EqualTo(new NotFound("No participant with code 'WAW-0009'.")));
    }

    [Test]
    public async Task ReadAsync_AParticipantOfAnotherSite_IsForbidden()
    {
        var history = await _histories.ReadAsync(UseCaseDatabase.User(Roles.Investigator, "WAW"), "KRK-0001");

        Assert.That(history.Refusal, Is.EqualTo(new Forbidden("Participant KRK-0001 belongs to site KRK, which is not one of your sites.")));
    }

    [Test]
    public async Task ReadAsync_AParticipantOfTheReadersSite_IsTheirRowsOnly()
    {
        var history = (await _histories.ReadAsync(UseCaseDatabase.User(Roles.Monitor, "WAW"), "WAW-0001")).Value!;

        Assert.That(history.ParticipantCode, Is.EqualTo("WAW-0001"));
        Assert.That(history.Events.Select(e => (e.Id, e.EntityType, e.ParticipantCode)), Is.EqualTo(new[] { (3L, "participant", (string?)"WAW-0001") }));
    }
}
