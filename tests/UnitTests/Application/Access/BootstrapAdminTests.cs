using NUnit.Framework;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;

namespace Trial.Tests.Application.Access;

/// <summary>The first admin of a new installation: made once, with the configured token or a random one kept in an owner-only file.</summary>
public class BootstrapAdminTests
{
    private UseCaseDatabase _database = null!;
    private BootstrapAdmin _bootstrap = null!;

    [SetUp]
    public void Create()
    {
        _database = new UseCaseDatabase();
        _bootstrap = new BootstrapAdmin(_database.Db, _database.Clock, new AccessOptions { TokenLifetimeDays = 10 });
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    private string TokenFile => Path.Combine(_database.Folder, "data", BootstrapAdmin.TokenFileName);

    [Test]
    public async Task EnsureAsync_WithAConfiguredToken_MakesAnAdminWithItAndWritesNoFile()
    {
        var created = await _bootstrap.EnsureAsync(" trial_configured-5b8e1f3a9c7d2460 ", Path.GetDirectoryName(TokenFile)!);

        Assert.That(created, Is.EqualTo(new CreatedBootstrapAdmin("trial_configured-5b8e1f3a9c7d2460", null)));
        Assert.That(File.Exists(TokenFile), Is.False);
        var owner = await _database.Db.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, ApiTokens.Hash("trial_configured-5b8e1f3a9c7d2460"), _database.NowUtc));
        Assert.That((owner?.Name, owner?.Role, owner?.Sites.Count, owner?.ExpiresUtc),
            Is.EqualTo(("bootstrap admin", Roles.Admin, 0, new DateTime(2026, 3, 20, 12, 0, 0, DateTimeKind.Utc))));
        var rows = await _database.TrailAsync();
        Assert.That(rows.Select(r => (r.EntityType, r.Action, r.Role)), Is.EqualTo(new[] { ("user", "create", "system"), ("token", "token-issued", "system") }));
        Assert.That(rows[0].NewValue, Is.EqualTo($$"""{"createdUtc":"2026-03-10T12:00:00Z","id":"{{owner!.UserId}}","name":"bootstrap admin","role":"admin","sites":[]}"""));
    }

    [Test]
    public async Task EnsureAsync_WithoutAToken_SavesARandomOneOwnerOnly()
    {
        var created = (await _bootstrap.EnsureAsync(null, Path.GetDirectoryName(TokenFile)!))!;

        Assert.That(created.TokenFile, Is.EqualTo(TokenFile));
        Assert.That(created.Token, Does.StartWith(ApiTokens.Prefix));
        Assert.That(await File.ReadAllTextAsync(TokenFile), Is.EqualTo(created.Token + Environment.NewLine));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(TokenFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [TestCase("trial_short")]
    [TestCase("abababababababababababababababababababab")]
    [TestCase("0123456789a0123456789a0123456789a")]
    public async Task EnsureAsync_WithAWeakConfiguredToken_RefusesAndCreatesNobody(string token)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _bootstrap.EnsureAsync(token, Path.GetDirectoryName(TokenFile)!));
        Assert.That(refused!.Message, Does.Contain(BootstrapAdmin.EnvironmentVariable).And.Contain("too weak"));
        Assert.That(await _database.TrailAsync(), Is.Empty, "no admin, no token");
    }

    [Test]
    public async Task EnsureAsync_WhenThereAreUsers_DoesNothing()
    {
        await _bootstrap.EnsureAsync("trial_first-admin-0c4f8a2e6b9d1357", _database.Folder);

        var again = await _bootstrap.EnsureAsync(null, Path.GetDirectoryName(TokenFile)!);

        Assert.That(again, Is.Null);
        Assert.That(File.Exists(TokenFile), Is.False);
        Assert.That(await _database.TrailAsync(), Has.Count.EqualTo(2), "the first admin's rows only");
    }
}
