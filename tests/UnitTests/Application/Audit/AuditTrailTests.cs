using Dapper;
using NUnit.Framework;
using Trial.Application;
using Trial.Application.Audit;
using Trial.Core.Access;
using Trial.Db.Audit;

namespace Trial.Tests.Application.Audit;

/// <summary>Reading the audit trail: filters checked, a monitor's rows of their sites only, pages with a cursor; the chain verified.</summary>
public class AuditTrailTests
{
    private UseCaseDatabase _database = null!;
    private ReadAuditTrail _trail = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        _database = new UseCaseDatabase();
        _trail = new ReadAuditTrail(_database.Db);
        await _database.AddSiteAsync("WAW");   // row 1
        await _database.AddSiteAsync("KRK");   // row 2
        await _database.AddParticipantAsync("WAW-0001", "WAW"); // row 3
        await _database.AddParticipantAsync("KRK-0001", "KRK"); // row 4
        await _database.AddParticipantAsync("WAW-0002", "WAW"); // row 5
    }

    [TearDown]
    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static AuditQuery Query(string? entity = null, string? id = null, string? entityId = null, string? participant = null, DateTime? since = null,
        long? after = null, int? limit = null) => new(entity, id, entityId, participant, null, since, after, limit);

    [Test]
    public async Task PageAsync_BadFilters_IsInvalidNamingEach()
    {
        var page = await _trail.PageAsync(UseCaseDatabase.Admin, Query(entity: "patient", id: "a", entityId: "b", since: new DateTime(2026, 3, 1), after: -1, limit: 1001));

        var refusal = (Invalid)page.Refusal!;
        Assert.That(refusal.Detail, Is.EqualTo("One or more fields are invalid; nothing was stored."));
        Assert.That(refusal.Errors.Keys, Is.EqualTo(new[] { "entity", "id", "since", "after", "limit" }));
        Assert.That(refusal.Errors["entity"].Single(), Does.StartWith("Unknown entity 'patient'; the audit trail records site, user, token, participant,"));
        Assert.That(refusal.Errors["limit"], Is.EqualTo(new[] { "limit must be between 1 and 1000; got 1001." }));
        Assert.That(refusal.Errors["after"], Is.EqualTo(new[] { "after must be a cursor returned by an earlier page (a number of 0 or more)." }));
    }

    [Test]
    public async Task PageAsync_ALimitOfZero_IsInvalidNamingIt()
    {
        var page = await _trail.PageAsync(UseCaseDatabase.Admin, Query(limit: 0));

        Assert.That(page.Refusal, Is.EqualTo(Invalid.Field("limit", "limit must be between 1 and 1000; got 0.")).Using<Invalid>(Access.SiteTests.SameInvalid));
    }

    [Test]
    public async Task PageAsync_AMonitor_ReadsTheRowsOfTheirSitesOnly()
    {
        var page = (await _trail.PageAsync(UseCaseDatabase.User(Roles.Monitor, "WAW"), Query())).Value!;

        Assert.That(page.Items.Select(r => r.Id), Is.EqualTo(new long[] { 1, 3, 5 }));
        Assert.That(page.NextCursor, Is.Null, "fewer rows than a page: the last page");
    }

    [Test]
    public async Task PageAsync_FullPages_GiveTheCursorOfTheirLastRow()
    {
        var first = (await _trail.PageAsync(UseCaseDatabase.Admin, Query(entity: "participant", limit: 2))).Value!;
        var second = (await _trail.PageAsync(UseCaseDatabase.Admin, Query(entity: "participant", limit: 2, after: long.Parse(first.NextCursor!)))).Value!;

        Assert.That(first.Items.Select(r => r.Id), Is.EqualTo(new long[] { 3, 4 }));
        Assert.That(first.NextCursor, Is.EqualTo("4"));
        Assert.That(second.Items.Select(r => r.Id), Is.EqualTo(new long[] { 5 }));
        Assert.That(second.NextCursor, Is.Null);
    }

    [Test]
    public async Task PageAsync_ByParticipantAndSince_FiltersBoth()
    {
        var byParticipant = (await _trail.PageAsync(UseCaseDatabase.Admin, Query(participant: "KRK-0001"))).Value!;
        var later = (await _trail.PageAsync(UseCaseDatabase.Admin, Query(since: new DateTime(2026, 3, 10, 13, 0, 0, DateTimeKind.Utc)))).Value!;

        Assert.That(byParticipant.Items.Select(r => r.Id), Is.EqualTo(new long[] { 4 }));
        Assert.That(later.Items, Is.Empty, "every row was written at 12:00");
    }

    [Test]
    public async Task VerifyAsync_AnUntouchedTrail_IsIntact_AnEditedRowBreaksIt()
    {
        var verify = new VerifyAuditTrail(_database.Db, new AuditAnchorFile(Path.Combine(_database.Folder, "audit-anchors.log")));
        Assert.That(await verify.VerifyAsync(), Is.EqualTo(new AuditVerification(5, true, null) { KeyedFromId = 1 }), "keyed from its first row");

        // Behind the application's back, past the trigger that keeps the trail append-only.
        await using (var connection = await _database.Db.OpenAsync())
            await connection.ExecuteAsync("DROP TRIGGER TR_AuditEvent_NoUpdate; UPDATE AuditEvent SET Reason = 'edited' WHERE Id = 3;");

        var broken = await verify.VerifyAsync();
        Assert.That((broken.Rows, broken.Intact, broken.FirstBrokenId), Is.EqualTo((3L, false, (long?)3)));
        Assert.That(broken.Problem, Does.StartWith("Row 3 does not match its hash under the key"));
    }
}
