using NUnit.Framework;
using Trial.Application;
using Trial.Application.Access;

namespace Trial.Tests.Application.Access;

/// <summary>Study sites: created once each, with a code, a name and a time zone, and audited; listed by code.</summary>
public class SiteTests
{
    private UseCaseDatabase _database = null!;
    private readonly CreateSite _sites = new(new SiteOptions { DefaultTimeZone = "Europe/Warsaw" });

    [SetUp]
    public void Create() => _database = new UseCaseDatabase();

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Test]
    public void Check_WithoutCodeOrName_IsInvalidNamingBoth()
    {
        var refusal = (Invalid)_sites.Check(new SiteInput(null, " ", null)).Refusal!;

        Assert.That(refusal.Detail, Is.EqualTo("One or more fields are invalid; nothing was stored."));
        Assert.That(refusal.Errors["code"], Is.EqualTo(new[] { "Site code is required." }));
        Assert.That(refusal.Errors["name"], Is.EqualTo(new[] { "Site name is required." }));
        Assert.That(refusal.Errors.Keys, Is.EqualTo(new[] { "code", "name" }));
    }

    [TestCase("waw")]
    [TestCase("W")]
    [TestCase("WAW-1")]
    [TestCase("ABCDEFGHIJK")]
    public void Check_ACodeNotOfCapitalLetters_IsInvalid(string code)
    {
        var refusal = _sites.Check(new SiteInput(code, "Warsaw", null)).Refusal;

        var message = $"Site code must be 2 to 10 capital letters (e.g. WAW); got '{code}'.";
        Assert.That(refusal, Is.EqualTo(Invalid.Field("code", message)).Using<Invalid>(SameInvalid));
    }

    [Test]
    public void Check_AnUnknownTimeZone_IsInvalid()
    {
        var refusal = _sites.Check(new SiteInput("WAW", "Warsaw", "Europe/Atlantis")).Refusal;

        Assert.That(refusal, Is.EqualTo(Invalid.Field("timeZone",
            "'Europe/Atlantis' is not an IANA time zone known here; use a name such as Europe/Warsaw, America/New_York or UTC.")).Using<Invalid>(SameInvalid));
    }

    [Test]
    public void Check_WithoutATimeZone_TakesTheConfiguredOne()
    {
        var site = _sites.Check(new SiteInput(" WAW ", " Warsaw ", "")).Value;

        Assert.That(site, Is.EqualTo(new CreateSite.Checked("WAW", "Warsaw", "Europe/Warsaw")));
    }

    [Test]
    public async Task WriteAsync_ANewSite_IsStoredAndAudited()
    {
        var site = await _database.WriteAsync(UseCaseDatabase.Admin, w => _sites.WriteAsync(w, new CreateSite.Checked("KRK", "Krakow", "Europe/Warsaw")));

        Assert.That(site.Value, Is.EqualTo(new Site("KRK", "Krakow", "Europe/Warsaw", UseCaseDatabase.StartUtc)));
        Assert.That(await new ListSites(_database.Db).ListAsync(), Is.EqualTo(new[] { site.Value }));
        var row = (await _database.TrailAsync()).Single();
        Assert.That((row.EntityType, row.EntityId, row.Action, row.SiteCode, row.UserId), Is.EqualTo(("site", "KRK", "create", "KRK", UseCaseDatabase.Admin.UserId)));
        Assert.That(row.NewValue, Is.EqualTo("""{"code":"KRK","createdUtc":"2026-03-10T12:00:00Z","name":"Krakow","timeZone":"Europe/Warsaw"}"""));
    }

    [Test]
    public async Task WriteAsync_ASiteThatExists_IsConflictAndStoresNothing()
    {
        await _database.AddSiteAsync("WAW");

        var site = await _database.WriteAsync(UseCaseDatabase.Admin, w => _sites.WriteAsync(w, new CreateSite.Checked("WAW", "again", "UTC")));

        Assert.That(site.Refusal, Is.EqualTo(new Conflict("Site WAW already exists.")));
        Assert.That((await new ListSites(_database.Db).ListAsync()).Single().Name, Is.EqualTo("WAW site"));
        Assert.That(await _database.TrailAsync(), Has.Count.EqualTo(1), "only the first site's row");
    }

    [Test]
    public async Task ListAsync_Sites_InOrderOfCode()
    {
        await _database.AddSiteAsync("WAW");
        await _database.AddSiteAsync("KRK", "Europe/Warsaw");

        var sites = await new ListSites(_database.Db).ListAsync();

        Assert.That(sites.Select(s => (s.Code, s.TimeZone)), Is.EqualTo(new[] { ("KRK", "Europe/Warsaw"), ("WAW", "UTC") }));
    }

    internal static bool SameInvalid(Invalid a, Invalid b) =>
        a.Detail == b.Detail && a.Errors.Count == b.Errors.Count && a.Errors.All(e => b.Errors.TryGetValue(e.Key, out var m) && m.SequenceEqual(e.Value));
}
