using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Trial.Application.Audit;
using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Hosting.Audit;

namespace Trial.Tests.Db;

/// <summary>
/// The audit chain keyed with HMAC-SHA256 (a key held outside the database), the head's triggers, and the anchors taken
/// outside the database: what each shows when the trail is edited by someone who can switch the triggers off.
/// </summary>
public class AuditChainKeyTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly Actor Someone = new(Guid.NewGuid(), Guid.NewGuid(), "Dr A. Nowak", Roles.Admin, []);
    private static readonly AuditKey Key = new([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))]);
    private static readonly AuditKey OtherKey = new([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1))]);

    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void RemoveFolder() => _folder.Dispose();

    private string File => _folder.File("chain.db");

    private Database Open(AuditKey? key)
    {
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={File}", DataFolder = _folder.Path }, auditKey: key);
        Migrator.Apply(db);
        return db;
    }

    private static Task AddSitesAsync(Database db, params string[] codes) => Task.WhenAll(codes.Select(code => db.WriteAsync(Someone, Now, async w =>
    {
        await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = code, Name = code, CreatedUtc = Now });
        await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, code, new { code }, code, null));
    })));

    /// <summary>A plain connection to the file, as its owner has: the triggers can be dropped.</summary>
    private SqliteConnection Owner()
    {
        var c = new SqliteConnection($"Data Source={File};Pooling=False");
        c.Open();
        return c;
    }

    private static List<AuditEventRow> Rows(SqliteConnection c) =>
        c.Query<AuditEventRow>("SELECT Id, AtUtc, UserId, UserName, Role, TokenId, SiteCode, EntityType, EntityId, ParticipantCode, Action, OldValue, NewValue, " +
                               "Reason, Flag, RequestId, PreviousHash, Hash FROM AuditEvent ORDER BY Id").AsList();

    /// <summary>
    /// What an attacker without the key does: removes the rows after <paramref name="keep"/>, recomputes every remaining row
    /// with the plain SHA-256 and sets the head to the new end.
    /// </summary>
    private void CutAndRecomputeWithoutKey(long keep)
    {
        using var c = Owner();
        c.Execute("DROP TRIGGER TR_AuditEvent_NoUpdate; DROP TRIGGER TR_AuditEvent_NoDelete; DROP TRIGGER TR_AuditChainHead_AppendOnly;");
        c.Execute("DELETE FROM AuditEvent WHERE Id > @keep", new { keep });
        var previous = "";
        foreach (var row in Rows(c))
        {
            var recomputed = Copy(row, previous);
            recomputed.Hash = AuditHash.Of(recomputed);
            c.Execute("UPDATE AuditEvent SET PreviousHash = @PreviousHash, Hash = @Hash WHERE Id = @Id", recomputed);
            previous = recomputed.Hash;
        }
        c.Execute("UPDATE AuditChainHead SET LastId = @keep, LastHash = @previous", new { keep, previous });
    }

    private static AuditEventRow Copy(AuditEventRow r, string previousHash, string? reason = null) => new()
    {
        Id = r.Id, AtUtc = r.AtUtc, UserId = r.UserId, UserName = r.UserName, Role = r.Role, TokenId = r.TokenId, SiteCode = r.SiteCode, EntityType = r.EntityType,
        EntityId = r.EntityId, ParticipantCode = r.ParticipantCode, Action = r.Action, OldValue = r.OldValue, NewValue = r.NewValue, Reason = reason ?? r.Reason,
        Flag = r.Flag, RequestId = r.RequestId, PreviousHash = previousHash, Hash = r.Hash,
    };

    [Test]
    public async Task Verify_AKeyedChain_IsIntactAndKeyedFromItsFirstRow()
    {
        await using var db = Open(Key);
        await AddSitesAsync(db, "WAW", "KRK", "GDA");

        var verification = await AuditVerifier.VerifyAsync(db);

        Assert.That(verification, Is.EqualTo(new AuditVerification(3, true, null) { KeyedFromId = 1 }));
        using var c = Owner();
        var first = Rows(c)[0];
        Assert.That(first.Hash, Is.EqualTo(AuditHash.Of(first, Key)).And.Not.EqualTo(AuditHash.Of(first)), "hashed with the key, not plain");
    }

    [Test]
    public async Task Verify_RowsChainedBeforeTheKey_AreCheckedWithThePlainHashAndCounted()
    {
        await using (var plain = Open(null))
            await AddSitesAsync(plain, "WAW", "KRK");
        await using var keyed = Open(Key);
        Assert.That(await keyed.KeyAuditChainAsync(Now), Is.EqualTo(3), "the switch applies from the row after the current end");
        await AddSitesAsync(keyed, "GDA");

        Assert.That(await AuditVerifier.VerifyAsync(keyed), Is.EqualTo(new AuditVerification(3, true, null) { KeyedFromId = 3, PlainRows = 2 }));
    }

    [Test]
    public async Task Verify_ThePlainRowsAfterTheSwitch_AreNeverAccepted()
    {
        await using (var db = Open(Key))
            await AddSitesAsync(db, "WAW", "KRK", "GDA", "POZ");

        CutAndRecomputeWithoutKey(keep: 2);

        await using var verifier = Open(Key);
        var verification = await AuditVerifier.VerifyAsync(verifier);
        Assert.That((verification.Intact, verification.FirstBrokenId), Is.EqualTo((false, (long?)1)), verification.Problem);
        Assert.That(verification.Problem, Does.Contain("recomputed without the key"));
    }

    [Test]
    public async Task Verify_TheKeysSwitchRemovedAndTheChainRecomputedWithoutIt_IsNotIntact()
    {
        await using (var db = Open(Key))
            await AddSitesAsync(db, "WAW", "KRK", "GDA");
        CutAndRecomputeWithoutKey(keep: 2);
        using (var c = Owner())
            c.Execute("UPDATE AuditChainHead SET KeyedFromId = NULL, KeyMarker = NULL");

        await using var verifier = Open(Key);
        var verification = await AuditVerifier.VerifyAsync(verifier);

        Assert.That(verification.Intact, Is.False);
        Assert.That(verification.KeyedFromId, Is.Null);
        Assert.That(verification.Problem, Does.Contain("does not say from which row the key applies"));
    }

    [Test]
    public async Task Verify_TheSwitchMovedPastTheRowsRecomputedWithoutTheKey_IsNotIntact()
    {
        await using (var db = Open(Key))
            await AddSitesAsync(db, "WAW", "KRK", "GDA");
        CutAndRecomputeWithoutKey(keep: 2);
        // The switch moved beyond the end, with a marker made up without the key: the rows before it now look plain.
        using (var c = Owner())
            c.Execute("UPDATE AuditChainHead SET KeyedFromId = 3, KeyMarker = @marker", new { marker = OtherKey.MarkerFor(3) });

        await using var verifier = Open(Key);
        var verification = await AuditVerifier.VerifyAsync(verifier);

        Assert.That(verification.Intact, Is.False);
        Assert.That(verification.Problem, Does.Contain("which the configured key does not confirm"));
    }

    [Test]
    public async Task Append_ToAKeyedChain_WithoutTheKeyOrWithAnother_IsRefused()
    {
        await using (var db = Open(Key))
            await AddSitesAsync(db, "WAW");

        await using (var keyless = Open(null))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AddSitesAsync(keyless, "KRK"));
            Assert.That(refused!.Message, Does.Contain("has none (Audit:ChainKey)"));
        }
        await using (var other = Open(OtherKey))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => other.KeyAuditChainAsync(Now));
            Assert.That(refused!.Message, Does.Contain("is not the one the trail has been chained with since row 1"));
        }
        await using var verifier = Open(Key);
        Assert.That(await AuditVerifier.VerifyAsync(verifier), Is.EqualTo(new AuditVerification(1, true, null) { KeyedFromId = 1 }), "nothing was appended");
    }

    [Test]
    public async Task Head_DeleteRewindOrChangeInPlace_IsRefusedByTheDatabase()
    {
        await using (var db = Open(Key))
            await AddSitesAsync(db, "WAW", "KRK");
        using var c = Owner();

        Assert.That(() => c.Execute("DELETE FROM AuditChainHead"), Throws.TypeOf<SqliteException>().With.Message.Contains("cannot be deleted"));
        Assert.That(() => c.Execute("UPDATE AuditChainHead SET LastId = LastId - 1"), Throws.TypeOf<SqliteException>().With.Message.Contains("only moves forward"));
        Assert.That(() => c.Execute("UPDATE AuditChainHead SET LastHash = 'x'"), Throws.TypeOf<SqliteException>().With.Message.Contains("only moves forward"));
        Assert.That(() => c.Execute("UPDATE AuditChainHead SET KeyedFromId = 2"), Throws.TypeOf<SqliteException>().With.Message.Contains("only moves forward"));
        Assert.That(() => c.Execute("UPDATE AuditChainHead SET KeyedFromId = NULL, KeyMarker = NULL"), Throws.TypeOf<SqliteException>());
        Assert.That(c.QuerySingle<(long, long)>("SELECT LastId, KeyedFromId FROM AuditChainHead"), Is.EqualTo((2L, 1L)), "the head as the writes left it");
        // What the write path itself does still passes: the lock's no-op update, and moving forward.
        Assert.That(c.Execute("UPDATE AuditChainHead SET LastId = LastId WHERE Id = 1"), Is.EqualTo(1));
        Assert.That(c.Execute("UPDATE AuditChainHead SET LastId = LastId + 1, LastHash = 'next' WHERE Id = 1"), Is.EqualTo(1));
    }

    [Test]
    public async Task Head_TheKeysSwitch_IsSetOnlyAtTheRowAfterTheEnd()
    {
        await using (var db = Open(null))
            await AddSitesAsync(db, "WAW", "KRK");
        using var c = Owner();

        Assert.That(() => c.Execute("UPDATE AuditChainHead SET KeyedFromId = 1, KeyMarker = 'm'"), Throws.TypeOf<SqliteException>(),
            "rows already chained cannot be declared keyed");
        Assert.That(c.Execute("UPDATE AuditChainHead SET KeyedFromId = 3, KeyMarker = 'm'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Writes_InOneBatchOfTheSqliteWriter_ChainWithTheKeyAndMoveTheHeadForward()
    {
        // Many writes at once: the SQLite writer runs them in batches, each holding the chain's end and storing it once.
        await using (var db = Open(Key))
        {
            await AddSitesAsync(db, [.. Enumerable.Range(0, 40).Select(i => $"S{i:00}")]);
            Assert.That(db.WriteStatistics!.Value.Batches, Is.LessThan(40), "some writes shared a batch");
            Assert.That(await AuditVerifier.VerifyAsync(db), Is.EqualTo(new AuditVerification(40, true, null) { KeyedFromId = 1 }));
        }
        using var c = Owner();
        Assert.That(c.QuerySingle<long>("SELECT LastId FROM AuditChainHead"), Is.EqualTo(40));
    }

    [Test]
    public async Task Verify_AFirstRowReadBackPaddedAsACharColumnReturnsIt_Verifies()
    {
        // No SQL Server here. While AuditEvent.PreviousHash was CHAR(64), SQL Server returned the first row's empty value as
        // 64 spaces; the same values are made here at the row level, by the query, and materialised as the verifier's are.
        await using (var db = Open(Key))
            await AddSitesAsync(db, "WAW", "KRK");
        using var c = Owner();

        var padded = c.Query<AuditEventRow>(
            "SELECT Id, AtUtc, UserId, UserName, Role, TokenId, SiteCode, EntityType, EntityId, ParticipantCode, Action, OldValue, NewValue, Reason, Flag, " +
            "RequestId, substr(PreviousHash || '" + new string(' ', 64) + "', 1, 64) AS PreviousHash, Hash FROM AuditEvent ORDER BY Id").AsList();

        Assert.That(c.ExecuteScalar<string>("SELECT substr(PreviousHash || '" + new string(' ', 64) + "', 1, 64) FROM AuditEvent WHERE Id = 1"),
            Has.Length.EqualTo(64), "the value as a CHAR(64) column holds it");
        Assert.That(padded[0].PreviousHash, Is.Empty);
        Assert.That(padded[0].Hash, Is.EqualTo(AuditHash.Of(padded[0], Key)), "the first row verifies");
        Assert.That(padded[1].PreviousHash, Is.EqualTo(padded[0].Hash), "and the second still links to it");
    }

    [Test]
    public async Task AnchorJob_WritesEachNewEndOnce_AndSkipsAnEndAlreadyAnchored()
    {
        await using var db = Open(Key);
        var anchors = new AuditAnchorFile(_folder.File("anchors/audit-anchors.log"));
        var clock = new FakeTimeProvider(new DateTimeOffset(Now));
        var job = new AuditJobs(new WriteAuditAnchor(db, anchors, clock));

        Assert.That(await job.WriteAnchorAsync(), Is.Null, "an empty trail has nothing to anchor");
        Assert.That(System.IO.File.Exists(anchors.Path), Is.False);

        await AddSitesAsync(db, "WAW", "KRK");
        var headThen = await db.ReadAsync(AuditQueries.HeadAsync);
        var first = await job.WriteAnchorAsync();
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await job.WriteAnchorAsync(), Is.Null, "the same end again: skipped");
        await AddSitesAsync(db, "GDA");
        var second = await job.WriteAnchorAsync();

        var head = await db.ReadAsync(AuditQueries.HeadAsync);
        Assert.That(first, Is.EqualTo(new AuditAnchor(2, headThen.LastHash, Now)));
        Assert.That(second, Is.EqualTo(new AuditAnchor(3, head.LastHash, Now.AddMinutes(5))));
        Assert.That(anchors.ReadAll(), Is.EqualTo(new[] { first, second }));
        Assert.That(System.IO.File.ReadAllLines(anchors.Path), Is.EqualTo(new[] { first!.ToJson(), second!.ToJson() }), "one JSON line per new end");
        if (!OperatingSystem.IsWindows())
            Assert.That(System.IO.File.GetUnixFileMode(anchors.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task AnchorFile_ALineTornByACrash_IsPassedOverAndTheNextAnchorIsALineOfItsOwn()
    {
        var anchors = new AuditAnchorFile(_folder.File("audit-anchors.log"));
        var first = new AuditAnchor(4, new string('a', 64), Now);
        await anchors.WriteAsync(first);
        await System.IO.File.AppendAllTextAsync(anchors.Path, "{\"lastId\":5,\"lastH");

        Assert.That(await anchors.LastAsync(), Is.EqualTo(first));
        var second = new AuditAnchor(6, new string('b', 64), Now.AddMinutes(5));
        await anchors.WriteAsync(second);

        Assert.That(anchors.ReadAll(), Is.EqualTo(new[] { first, second }));
        Assert.That(await anchors.LastAsync(), Is.EqualTo(second));
    }

    [Test]
    public async Task Verify_RowsRemovedFromTheEndAndTheHeadRewound_AreFoundByTheAnchors()
    {
        // Someone with the key, or who needs none: the rows left are untouched, so the chain itself still holds.
        await using var db = Open(Key);
        var anchors = new AuditAnchorFile(_folder.File("audit-anchors.log"));
        await AddSitesAsync(db, "WAW", "KRK", "GDA", "POZ");
        await new WriteAuditAnchor(db, anchors, new FakeTimeProvider(new DateTimeOffset(Now))).WriteAsync();
        using (var c = Owner())
        {
            c.Execute("DROP TRIGGER TR_AuditEvent_NoDelete; DROP TRIGGER TR_AuditChainHead_AppendOnly; DELETE FROM AuditEvent WHERE Id > 2;");
            c.Execute("UPDATE AuditChainHead SET LastId = 2, LastHash = (SELECT Hash FROM AuditEvent WHERE Id = 2)");
        }

        Assert.That((await AuditVerifier.VerifyAsync(db)).Intact, Is.True, "without the anchors, nothing shows");
        var verification = await new VerifyAuditTrail(db, anchors).VerifyAsync();

        Assert.That((verification.Intact, verification.FirstBrokenId, verification.AnchorsChecked), Is.EqualTo((false, (long?)3, 1)));
        Assert.That(verification.Problem, Does.Contain("names row 4, and the stored chain ends at row 2: rows from 3 on were removed"));
    }

    [Test]
    public async Task Verify_ARowChangedAndTheChainRecomputedWithTheKey_IsFoundByTheAnchors()
    {
        await using var db = Open(Key);
        var anchors = new AuditAnchorFile(_folder.File("audit-anchors.log"));
        var clock = new FakeTimeProvider(new DateTimeOffset(Now));
        await AddSitesAsync(db, "WAW", "KRK");
        await new WriteAuditAnchor(db, anchors, clock).WriteAsync();
        await AddSitesAsync(db, "GDA", "POZ");
        clock.Advance(TimeSpan.FromMinutes(5));
        await new WriteAuditAnchor(db, anchors, clock).WriteAsync();

        // Row 2 changed, and every row from it recomputed with the stolen key: the chain itself holds again.
        using (var c = Owner())
        {
            c.Execute("DROP TRIGGER TR_AuditEvent_NoUpdate; DROP TRIGGER TR_AuditChainHead_AppendOnly;");
            var rows = Rows(c);
            var previous = rows[0].Hash;
            foreach (var row in rows.Skip(1))
            {
                var changed = Copy(row, previous, row.Id == 2 ? "edited" : null);
                changed.Hash = AuditHash.Of(changed, Key);
                c.Execute("UPDATE AuditEvent SET Reason = @Reason, PreviousHash = @PreviousHash, Hash = @Hash WHERE Id = @Id", changed);
                previous = changed.Hash;
            }
            c.Execute("UPDATE AuditChainHead SET LastHash = @previous", new { previous });
        }

        Assert.That((await AuditVerifier.VerifyAsync(db)).Intact, Is.True, "with the key, the chain alone cannot show it");
        var verification = await new VerifyAuditTrail(db, anchors).VerifyAsync();

        Assert.That((verification.Intact, verification.FirstBrokenId, verification.AnchorsChecked), Is.EqualTo((false, (long?)2, 2)));
        Assert.That(verification.Problem, Does.StartWith("Row 2 differs from the anchor taken at 2026-03-10 12:00:00 UTC"));
    }
}
