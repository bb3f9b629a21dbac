using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>Tokens: listed and revoked one by one by their owner, all at once by an admin, and every step audited.</summary>
public class TokenTests
{
    private UseCaseDatabase _database = null!;
    private readonly AccessOptions _options = new() { TokenLifetimeDays = 365 };
    private CreatedUser _monitor = null!;
    private IssuedToken _first = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        _monitor = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new CreateUser(_options).WriteAsync(w, new CreateUser.Checked("Mo", Roles.Monitor, ["WAW"])))).Value!;
        _first = await TokenAsync(_monitor.ActivationCode);
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<TokenOwner?> OwnerAsync(string token) =>
        _database.Db.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash(token), _database.NowUtc));

    /// <summary>The user's token for a code: an admin cannot make one, so a second token comes from a second code.</summary>
    private async Task<IssuedToken> TokenAsync(string code) =>
        (await new Activate(_database.Db, _database.Clock, _options).ActivateAsync(code, null)).Value!;

    private async Task<IssuedToken> SecondTokenAsync()
    {
        var code = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueActivationCode(_options).WriteAsync(w, _monitor.Id))).Value!;
        return await TokenAsync(code.Code);
    }

    private async Task<Actor> ActorOfAsync(string token)
    {
        var owner = (await OwnerAsync(token))!;
        return new Actor(owner.UserId, owner.TokenId, owner.Name, owner.Role, owner.Sites);
    }

    [Test]
    public async Task RevokeUserTokens_ForAnUnknownUser_IsNotFoundAndRevokesNothing()
    {
        var id = Guid.Parse("0191c3a4-0000-7000-8000-000000000002");

        var revoked = await _database.WriteAsync(UseCaseDatabase.Admin, w => new RevokeUserTokens().WriteAsync(w, id));

        Assert.That(revoked.Refusal, Is.EqualTo(new NotFound("No user with id 0191c3a4-0000-7000-8000-000000000002.")));
        Assert.That(await OwnerAsync(_first.Token), Is.Not.Null);
    }

    [Test]
    public async Task RevokeUserTokens_ForAUser_RevokesEveryTokenAndUnusedCodeOfTheirsAndAuditsHowMany()
    {
        var second = await SecondTokenAsync();
        var pending = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueActivationCode(_options).WriteAsync(w, _monitor.Id))).Value!;

        var revoked = await _database.WriteAsync(UseCaseDatabase.Admin, w => new RevokeUserTokens().WriteAsync(w, _monitor.Id));

        Assert.That(revoked.Value, Is.EqualTo(2));
        Assert.That(await OwnerAsync(_first.Token), Is.Null);
        Assert.That(await OwnerAsync(second.Token), Is.Null);
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.EntityId, row.Action), Is.EqualTo(("user", _monitor.Id.ToString(), "token-revoked")));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"activationCodesReplaced":1,"revokedUtc":"2026-03-10T12:00:00Z","tokensRevoked":2,"userId":"{{_monitor.Id}}"}"""));
        var late = await new Activate(_database.Db, _database.Clock, _options).ActivateAsync(pending.Code, null);
        Assert.That(late.Refusal, Is.EqualTo(Invalid.Field("activationCode", Activate.NotValid)).Using<Invalid>(SiteTests.SameInvalid),
            "a code given out before the lock-out no longer lets the user in");
    }

    [Test]
    public async Task RevokeOwnToken_RevokesTheTokenItActsWithOnly()
    {
        var second = await SecondTokenAsync();
        var monitor = await ActorOfAsync(second.Token);

        var revoked = await _database.WriteAsync(monitor, new RevokeOwnToken().WriteAsync);

        Assert.That(revoked.Value, Is.EqualTo(monitor.TokenId));
        Assert.That(await OwnerAsync(second.Token), Is.Null);
        Assert.That(await OwnerAsync(_first.Token), Is.Not.Null, "the user's other token still works");
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.EntityId, row.Action, row.Reason, row.UserId), Is.EqualTo(("token", monitor.TokenId.ToString(), "token-revoked", "Revoked by its owner.", _monitor.Id)));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"revokedUtc":"2026-03-10T12:00:00Z","tokenId":"{{monitor.TokenId}}","userId":"{{_monitor.Id}}"}"""));
    }

    [Test]
    public async Task ListOwnTokens_ListsTheCallersTokensOnly_OldestFirst_MarkingTheCurrentOne()
    {
        _database.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await SecondTokenAsync();
        var other = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new CreateUser(_options).WriteAsync(w, new CreateUser.Checked("Ot", Roles.Monitor, ["WAW"])))).Value!;
        await TokenAsync(other.ActivationCode);
        var monitor = await ActorOfAsync(second.Token);
        var firstId = (await ActorOfAsync(_first.Token)).TokenId;

        var listed = await new ListOwnTokens(_database.Db).ListAsync(monitor);

        Assert.That(listed, Is.EqualTo(new[]
        {
            new OwnToken(firstId, UseCaseDatabase.StartUtc, _first.ExpiresUtc, null, false),
            new OwnToken(monitor.TokenId, UseCaseDatabase.StartUtc.AddMinutes(1), second.ExpiresUtc, null, true),
        }));
    }

    [Test]
    public async Task RevokeOwnTokenById_AnotherOfTheirTokens_IsRevokedAndAudited()
    {
        var second = await SecondTokenAsync();
        var monitor = await ActorOfAsync(second.Token);
        var firstId = (await ActorOfAsync(_first.Token)).TokenId;

        var revoked = await _database.WriteAsync(monitor, w => new RevokeOwnToken().WriteAsync(w, firstId));

        Assert.That(revoked.Value, Is.EqualTo(firstId));
        Assert.That(await OwnerAsync(_first.Token), Is.Null);
        Assert.That(await OwnerAsync(second.Token), Is.Not.Null, "the token the request is made with still works");
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.EntityId, row.Action, row.TokenId), Is.EqualTo(("token", firstId.ToString(), "token-revoked", (Guid?)monitor.TokenId)));
        var again = await _database.WriteAsync(monitor, w => new RevokeOwnToken().WriteAsync(w, firstId));
        Assert.That(again.Refusal, Is.TypeOf<Conflict>());
    }

    [Test]
    public async Task RevokeOwnTokenById_AnotherUsersToken_IsNotFoundAndRevokesNothing()
    {
        var other = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new CreateUser(_options).WriteAsync(w, new CreateUser.Checked("Ot", Roles.Monitor, ["WAW"])))).Value!;
        var othersToken = await TokenAsync(other.ActivationCode);
        var othersId = (await ActorOfAsync(othersToken.Token)).TokenId;
        var rows = (await _database.TrailAsync()).Count;

        var revoked = await _database.WriteAsync(await ActorOfAsync(_first.Token), w => new RevokeOwnToken().WriteAsync(w, othersId));

        Assert.That(revoked.Refusal, Is.EqualTo(new NotFound($"You have no token with id {othersId}.")));
        Assert.That(await OwnerAsync(othersToken.Token), Is.Not.Null);
        Assert.That(await _database.TrailAsync(), Has.Count.EqualTo(rows));
    }
}
