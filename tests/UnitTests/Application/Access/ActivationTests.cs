using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>
/// One-time activation codes: an admin gets a code, never a token; the user exchanges it once for a token of their own;
/// a used, expired, replaced or unknown code is refused alike, changes nothing and is audited without the code.
/// </summary>
public class ActivationTests
{
    private UseCaseDatabase _database = null!;
    private readonly AccessOptions _options = new() { TokenLifetimeDays = 365, ActivationCodeLifetimeHours = 72 };
    private CreatedUser _monitor = null!;
    private Activate _activate = null!;

    private static readonly Invalid NotValid = Invalid.Field("activationCode", Activate.NotValid);

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        _monitor = (await _database.WriteAsync(UseCaseDatabase.Admin, w => new CreateUser(_options).WriteAsync(w, new CreateUser.Checked("Mo", Roles.Monitor, ["WAW"])))).Value!;
        _activate = new Activate(_database.Db, _database.Clock, _options);
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<TokenOwner?> OwnerAsync(string token) =>
        _database.Db.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash(token), _database.NowUtc));

    private Task<Outcome<IssuedActivationCode>> NewCodeAsync(Guid userId) =>
        _database.WriteAsync(UseCaseDatabase.Admin, w => new IssueActivationCode(_options).WriteAsync(w, userId));

    [Test]
    public void New_Gives28SymbolsOfTheAlphabetInGroupsOfFour_NeverTheSame()
    {
        var codes = Enumerable.Range(0, 50).Select(_ => ActivationCodes.New()).ToList();

        Assert.That(codes, Is.All.Match("^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$"));
        Assert.That(codes, Is.Unique);
        Assert.That(ActivationCodes.Length * Math.Log2(ActivationCodes.Alphabet.Length), Is.GreaterThanOrEqualTo(128), "bits of entropy");
    }

    [Test]
    public void Hash_OfACodeTypedLoosely_IsTheHashOfTheCode()
    {
        Assert.That(ActivationCodes.Hash(" 7kq2 mx9d-oT4H-B8RW-3NCZ-5GJA-YPil "), Is.EqualTo(ActivationCodes.Hash("7KQ2-MX9D-0T4H-B8RW-3NCZ-5GJA-YP11")));
        Assert.That(ActivationCodes.Hash("7KQ2-MX9D-0T4H-B8RW-3NCZ-5GJA-YP12"), Is.Not.EqualTo(ActivationCodes.Hash("7KQ2-MX9D-0T4H-B8RW-3NCZ-5GJA-YP11")));
    }

    [Test]
    public void Check_WithoutACode_IsInvalidNamingIt()
    {
        Assert.That(_activate.Check(new ActivationInput("  ")).Refusal,
            Is.EqualTo(Invalid.Field("activationCode", "Activation code is required.")).Using<Invalid>(SiteTests.SameInvalid));
    }

    [Test]
    public async Task ActivateAsync_ANewUsersCode_GivesTheirOwnWorkingToken_WrittenAsThem()
    {
        var issued = (await _activate.ActivateAsync(_monitor.ActivationCode.ToLowerInvariant(), "request-1")).Value!;

        Assert.That((issued.UserId, issued.ExpiresUtc), Is.EqualTo((_monitor.Id, new DateTime(2027, 3, 10, 12, 0, 0, DateTimeKind.Utc))));
        var owner = await OwnerAsync(issued.Token);
        Assert.That(owner, Is.EqualTo(new TokenOwner(_monitor.Id, owner!.TokenId, "Mo", Roles.Monitor, ["WAW"], issued.ExpiresUtc)).Using<TokenOwner>(UserTests.SameOwner));
        var rows = (await _database.TrailAsync()).TakeLast(2).ToList();
        Assert.That(rows.Select(r => (r.EntityType, r.Action)), Is.EqualTo(new[] { ("token", "token-issued"), ("activation-code", "activation-code-used") }));
        Assert.That(rows.Select(r => (r.UserId, r.TokenId, r.RequestId)), Is.All.EqualTo((_monitor.Id, (Guid?)owner.TokenId, "request-1")),
            "the user activated, with the token they got");
        Assert.That(rows.Select(r => r.NewValue), Has.None.Contains(issued.Token).And.None.Contains(_monitor.ActivationCode));
    }

    [Test]
    public async Task ActivateAsync_TheSameCodeTwice_IsRefusedTheSecondTime_AuditedNamingTheUser()
    {
        var first = await _activate.ActivateAsync(_monitor.ActivationCode, null);
        var tokens = await _database.Db.ReadAsync(c => AccessQueries.UserTokensAsync(c, _monitor.Id));

        var second = await _activate.ActivateAsync(_monitor.ActivationCode, "request-2");

        Assert.That(first.IsRefused, Is.False);
        Assert.That(second.Refusal, Is.EqualTo(NotValid).Using<Invalid>(SiteTests.SameInvalid));
        Assert.That(await _database.Db.ReadAsync(c => AccessQueries.UserTokensAsync(c, _monitor.Id)), Has.Count.EqualTo(tokens.Count), "no second token");
        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.Action, row.Role, row.RequestId), Is.EqualTo(("activation-code", "access-denied", "anonymous", "request-2")));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"activationCodeId":"{{row.EntityId}}","reason":"used","userId":"{{_monitor.Id}}"}"""));
    }

    [Test]
    public async Task ActivateAsync_AnExpiredCode_IsRefusedAndGivesNoToken()
    {
        _database.Clock.Advance(TimeSpan.FromHours(72));

        var refused = await _activate.ActivateAsync(_monitor.ActivationCode, null);

        Assert.That(refused.Refusal, Is.EqualTo(NotValid).Using<Invalid>(SiteTests.SameInvalid));
        Assert.That(await _database.Db.ReadAsync(c => AccessQueries.UserTokensAsync(c, _monitor.Id)), Is.Empty);
        Assert.That((await _database.TrailAsync())[^1].NewValue, Does.Contain("\"reason\":\"expired\""));
    }

    [Test]
    public async Task ActivateAsync_ACodeReplacedByANewOne_IsRefused_TheNewOneWorks()
    {
        var reset = (await NewCodeAsync(_monitor.Id)).Value!;

        var old = await _activate.ActivateAsync(_monitor.ActivationCode, null);
        var reason = (await _database.TrailAsync())[^1].NewValue;
        var fresh = await _activate.ActivateAsync(reset.Code, null);

        Assert.That(old.Refusal, Is.EqualTo(NotValid).Using<Invalid>(SiteTests.SameInvalid));
        Assert.That(reason, Does.Contain("\"reason\":\"replaced\""));
        Assert.That(fresh.Value?.UserId, Is.EqualTo(_monitor.Id));
        Assert.That(reset.ExpiresUtc, Is.EqualTo(new DateTime(2026, 3, 13, 12, 0, 0, DateTimeKind.Utc)));
    }

    [Test]
    public async Task ActivateAsync_AnUnknownCode_IsRefusedAlike_AuditedWithoutTheCode()
    {
        const string guess = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG";
        var rows = (await _database.TrailAsync()).Count;

        var refused = await _activate.ActivateAsync(guess, "request-3");

        Assert.That(refused.Refusal, Is.EqualTo(NotValid).Using<Invalid>(SiteTests.SameInvalid));
        var trail = await _database.TrailAsync();
        Assert.That(trail, Has.Count.EqualTo(rows + 1), "the attempt alone");
        Assert.That((trail[^1].EntityType, trail[^1].EntityId, trail[^1].Action, trail[^1].Role, trail[^1].NewValue),
            Is.EqualTo(("activation-code", "unknown", "access-denied", "anonymous", """{"reason":"unknown"}""")));
        Assert.That(trail.Select(r => r.NewValue + r.EntityId), Has.None.Contains("AAAA"));
    }

    [Test]
    public async Task IssueActivationCode_ForAnUnknownUser_IsNotFound()
    {
        var issued = await NewCodeAsync(Guid.Parse("0191c3a4-0000-7000-8000-000000000001"));

        Assert.That(issued.Refusal, Is.EqualTo(new NotFound("No user with id 0191c3a4-0000-7000-8000-000000000001.")));
    }

    [Test]
    public async Task IssueActivationCode_AuditsHowManyCodesItReplaced_AsTheAdmin()
    {
        var reset = (await NewCodeAsync(_monitor.Id)).Value!;

        var row = (await _database.TrailAsync())[^1];
        Assert.That((row.EntityType, row.Action, row.UserId), Is.EqualTo(("activation-code", "create", UseCaseDatabase.Admin.UserId)));
        Assert.That(row.NewValue, Is.EqualTo($$"""{"codesReplaced":1,"expiresUtc":"2026-03-13T12:00:00Z","id":"{{row.EntityId}}","userId":"{{_monitor.Id}}"}"""));
        Assert.That(row.NewValue, Does.Not.Contain(reset.Code));
    }
}
