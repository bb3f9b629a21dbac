using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>Users: a role and sites, checked; created with a first token that works and is never recorded; listed with their sites.</summary>
public class UserTests
{
    private UseCaseDatabase _database = null!;
    private readonly CreateUser _users = new(new AccessOptions { TokenLifetimeDays = 30 });

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        await _database.AddSiteAsync("WAW");
        await _database.AddSiteAsync("KRK");
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Test]
    public void Check_AnEmptyNameAndAnUnknownRole_IsInvalidNamingEach()
    {
        var refusal = (Invalid)_users.Check(new UserInput("", "surgeon", ["WAW"])).Refusal!;

        Assert.That(refusal.Detail, Is.EqualTo("One or more fields are invalid; nothing was stored."));
        Assert.That(refusal.Errors["name"], Is.EqualTo(new[] { "Name is required." }));
        Assert.That(refusal.Errors["role"], Is.EqualTo(new[] { "Role must be one of admin, investigator, monitor, statistician, pharmacist, unblinded-statistician, coder; got 'surgeon'." }));
    }

    [Test]
    public void Check_AnInvestigatorWithoutSites_IsInvalid()
    {
        var refusal = _users.Check(new UserInput("Dr A. Nowak", "investigator", null)).Refusal;

        Assert.That(refusal, Is.EqualTo(Invalid.Field("sites", "A investigator must be given at least one site.")).Using<Invalid>(SiteTests.SameInvalid));
    }

    [Test]
    public void Check_AnEmptySiteCode_IsInvalid()
    {
        var refusal = _users.Check(new UserInput("Dr A. Nowak", "monitor", ["WAW", null])).Refusal;

        Assert.That(refusal, Is.EqualTo(Invalid.Field("sites", "Site codes must not be empty.")).Using<Invalid>(SiteTests.SameInvalid));
    }

    [Test]
    public void Check_AnAdminWithoutSites_IsAccepted_SitesAreDistinctAndInOrder()
    {
        Assert.That(_users.Check(new UserInput("Ada", "admin", null)).Value, Is.EqualTo(new CreateUser.Checked("Ada", "admin", [])).Using<CreateUser.Checked>(SameUser));
        Assert.That(_users.Check(new UserInput(" Mo ", "monitor", ["WAW", " KRK", "WAW"])).Value!.Sites, Is.EqualTo(new[] { "KRK", "WAW" }));
    }

    [Test]
    public async Task WriteAsync_AnUnknownSite_IsInvalidAndCreatesNobody()
    {
        var user = await _database.WriteAsync(UseCaseDatabase.Admin, w => _users.WriteAsync(w, new CreateUser.Checked("x", Roles.Monitor, ["GDA", "WAW", "ZZZ"])));

        Assert.That(user.Refusal, Is.EqualTo(Invalid.Field("sites", "Unknown site(s): GDA, ZZZ.")).Using<Invalid>(SiteTests.SameInvalid));
        Assert.That(await new ListUsers(_database.Db).ListAsync(), Is.Empty);
        Assert.That(await _database.TrailAsync(), Has.Count.EqualTo(2), "the two sites' rows only");
    }

    [Test]
    public async Task WriteAsync_ANewUser_IsStoredWithAWorkingTokenAndAudited()
    {
        var created = (await _database.WriteAsync(UseCaseDatabase.Admin, w => _users.WriteAsync(w, new CreateUser.Checked("Mo", Roles.Monitor, ["KRK", "WAW"])))).Value!;

        Assert.That(created.Token, Does.StartWith("trial_"));
        Assert.That(created.TokenExpiresUtc, Is.EqualTo(new DateTime(2026, 4, 9, 12, 0, 0, DateTimeKind.Utc)), "30 days");
        var owner = await _database.Db.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash(created.Token), _database.NowUtc));
        Assert.That(owner, Is.EqualTo(new TokenOwner(created.Id, owner!.TokenId, "Mo", Roles.Monitor, ["KRK", "WAW"], created.TokenExpiresUtc)).Using<TokenOwner>(SameOwner));
        Assert.That(await new ListUsers(_database.Db).ListAsync(), Is.EqualTo(new[] { new User(created.Id, "Mo", Roles.Monitor, ["KRK", "WAW"], UseCaseDatabase.StartUtc) })
            .Using<User>((a, b) => (a.Id, a.Name, a.Role, a.CreatedUtc) == (b.Id, b.Name, b.Role, b.CreatedUtc) && a.Sites.SequenceEqual(b.Sites)));

        var rows = (await _database.TrailAsync()).Skip(2).ToList();
        Assert.That(rows.Select(r => (r.EntityType, r.Action)), Is.EqualTo(new[] { ("user", "create"), ("token", "token-issued") }));
        Assert.That(rows[0].NewValue, Is.EqualTo($$"""{"createdUtc":"2026-03-10T12:00:00Z","id":"{{created.Id}}","name":"Mo","role":"monitor","sites":["KRK","WAW"]}"""));
        Assert.That(rows[1].NewValue, Is.EqualTo($$"""{"expiresUtc":"2026-04-09T12:00:00Z","tokenId":"{{owner.TokenId}}","userId":"{{created.Id}}"}"""));
        Assert.That(rows.Select(r => r.NewValue), Has.None.Contains(created.Token), "a token itself is never recorded");
    }

    private static bool SameUser(CreateUser.Checked a, CreateUser.Checked b) => (a.Name, a.Role) == (b.Name, b.Role) && a.Sites.SequenceEqual(b.Sites);

    internal static bool SameOwner(TokenOwner a, TokenOwner b) =>
        (a.UserId, a.TokenId, a.Name, a.Role, a.ExpiresUtc) == (b.UserId, b.TokenId, b.Name, b.Role, b.ExpiresUtc) && a.Sites.SequenceEqual(b.Sites);
}
