using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>Tokens: issued for a user that exists, revoked all at once by an admin or one by its owner, and every step audited.</summary>
public class TokenTests
{
    private UseCaseDatabase _database = null!;
    private readonly AccessOptions _options = new() { TokenLifetimeDays = 365 };
    private CreatedUser _monitor = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        _monitor = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new CreateUser(_options).WriteAsync(w, new CreateUser.Checked("Mo", Roles.Monitor, ["WAW"])))).Value!;
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<TokenOwner?> OwnerAsync(string token) =>
        _database.Db.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash(token), _database.NowUtc));

    [Test]
    public async Task IssueToken_ForAnUnknownUser_IsNotFound()
    {
        var id = Guid.Parse("0191c3a4-0000-7000-8000-000000000001");

        var issued = await _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueToken(_options).WriteAsync(w, id));

        Assert.That(issued.Refusal, Is.EqualTo(new NotFound("No user with id 0191c3a4-0000-7000-8000-000000000001.")));
    }

    [Test]
    public async Task IssueToken_ForAUser_GivesASecondTokenBothWork()
    {
        _database.Clock.Advance(TimeSpan.FromDays(1));

        var issued = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueToken(_options).WriteAsync(w, _monitor.Id))).Value!;

        Assert.That((issued.UserId, issued.ExpiresUtc), Is.EqualTo((_monitor.Id, new DateTime(2027, 3, 11, 12, 0, 0, DateTimeKind.Utc))));
        Assert.That(issued.Token, Is.Not.EqualTo(_monitor.Token));
        Assert.That((await OwnerAsync(issued.Token))?.UserId, Is.EqualTo(_monitor.Id));
        Assert.That((await OwnerAsync(_monitor.Token))?.UserId, Is.EqualTo(_monitor.Id), "earlier tokens stay valid");
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.Action, row.UserId), Is.EqualTo(("token", "token-issued", UseCaseDatabase.Admin.UserId)));
    }

    [Test]
    public async Task RevokeUserTokens_ForAnUnknownUser_IsNotFoundAndRevokesNothing()
    {
        var id = Guid.Parse("0191c3a4-0000-7000-8000-000000000002");

        var revoked = await _database.WriteAsync(UseCaseDatabase.Admin, w => new RevokeUserTokens().WriteAsync(w, id));

        Assert.That(revoked.Refusal, Is.EqualTo(new NotFound("No user with id 0191c3a4-0000-7000-8000-000000000002.")));
        Assert.That(await OwnerAsync(_monitor.Token), Is.Not.Null);
    }

    [Test]
    public async Task RevokeUserTokens_ForAUser_RevokesEveryTokenOfTheirsAndAuditsHowMany()
    {
        var second = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueToken(_options).WriteAsync(w, _monitor.Id))).Value!;

        var revoked = await _database.WriteAsync(UseCaseDatabase.Admin, w => new RevokeUserTokens().WriteAsync(w, _monitor.Id));

        Assert.That(revoked.Value, Is.EqualTo(2));
        Assert.That(await OwnerAsync(_monitor.Token), Is.Null);
        Assert.That(await OwnerAsync(second.Token), Is.Null);
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.EntityId, row.Action), Is.EqualTo(("user", _monitor.Id.ToString(), "token-revoked")));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"revokedUtc":"2026-03-10T12:00:00Z","tokensRevoked":2,"userId":"{{_monitor.Id}}"}"""));
    }

    [Test]
    public async Task RevokeOwnToken_RevokesTheTokenItActsWithOnly()
    {
        var second = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueToken(_options).WriteAsync(w, _monitor.Id))).Value!;
        var owner = (await OwnerAsync(second.Token))!;
        var monitor = new Actor(owner.UserId, owner.TokenId, owner.Name, owner.Role, owner.Sites);

        var revoked = await _database.WriteAsync(monitor, new RevokeOwnToken().WriteAsync);

        Assert.That(revoked.Value, Is.EqualTo(owner.TokenId));
        Assert.That(await OwnerAsync(second.Token), Is.Null);
        Assert.That(await OwnerAsync(_monitor.Token), Is.Not.Null, "the user's other token still works");
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.EntityId, row.Action, row.Reason, row.UserId), Is.EqualTo(("token", owner.TokenId.ToString(), "token-revoked", "Revoked by its owner.", _monitor.Id)));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"revokedUtc":"2026-03-10T12:00:00Z","tokenId":"{{owner.TokenId}}","userId":"{{_monitor.Id}}"}"""));
    }
}
