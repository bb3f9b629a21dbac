using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>Users: a role and sites, checked; created with a one-time activation code (no token) that is never recorded; listed with their sites.</summary>
public class UserTests
{
    private UseCaseDatabase _database = null!;
    private readonly CreateUser _users = new(new AccessOptions { TokenLifetimeDays = 30, ActivationCodeLifetimeHours = 72 });

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
        Assert.That((await new ListUsers(_database.Db).ListAsync()).Value!.Items, Is.Empty);
        Assert.That(await _database.TrailAsync(), Has.Count.EqualTo(2), "the two sites' rows only");
    }

    [Test]
    public async Task WriteAsync_ANewUser_IsStoredWithAnActivationCodeOnlyAndAudited()
    {
        var created = (await _database.WriteAsync(UseCaseDatabase.Admin, w => _users.WriteAsync(w, new CreateUser.Checked("Mo", Roles.Monitor, ["KRK", "WAW"])))).Value!;

        Assert.That(created.ActivationCode, Does.Match("^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$"));
        Assert.That((created.CreatedUtc, created.ActivationExpiresUtc), Is.EqualTo((UseCaseDatabase.StartUtc, new DateTime(2026, 3, 13, 12, 0, 0, DateTimeKind.Utc))), "72 hours");
        Assert.That(await _database.Db.ReadAsync(c => AccessQueries.UserTokensAsync(c, created.Id)), Is.Empty, "no token until the user activates");
        Assert.That((await new ListUsers(_database.Db).ListAsync()).Value!.Items, Is.EqualTo(new[] { new User(created.Id, "Mo", Roles.Monitor, ["KRK", "WAW"], UseCaseDatabase.StartUtc) })
            .Using<User>((a, b) => (a.Id, a.Name, a.Role, a.CreatedUtc) == (b.Id, b.Name, b.Role, b.CreatedUtc) && a.Sites.SequenceEqual(b.Sites)));

        var rows = (await _database.TrailAsync()).Skip(2).ToList();
        Assert.That(rows.Select(r => (r.EntityType, r.Action)), Is.EqualTo(new[] { ("user", "create"), ("activation-code", "create") }));
        Assert.That(rows[0].NewValue, Is.EqualTo($$"""{"createdUtc":"2026-03-10T12:00:00Z","id":"{{created.Id}}","name":"Mo","role":"monitor","sites":["KRK","WAW"]}"""));
        Assert.That(rows[1].NewValue, Is.EqualTo($$"""{"codesReplaced":0,"expiresUtc":"2026-03-13T12:00:00Z","id":"{{rows[1].EntityId}}","userId":"{{created.Id}}"}"""));
        Assert.That(rows.Select(r => r.NewValue), Has.None.Contains(created.ActivationCode).And.None.Contains(created.ActivationCode.Replace("-", "")),
            "a code itself is never recorded");
    }

    private static bool SameUser(CreateUser.Checked a, CreateUser.Checked b) => (a.Name, a.Role) == (b.Name, b.Role) && a.Sites.SequenceEqual(b.Sites);

    internal static bool SameOwner(TokenOwner a, TokenOwner b) =>
        (a.UserId, a.TokenId, a.Name, a.Role, a.ExpiresUtc) == (b.UserId, b.TokenId, b.Name, b.Role, b.ExpiresUtc) && a.Sites.SequenceEqual(b.Sites);
}
