using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Audit;
using Trial.Hosting.Audit;

namespace Trial.Tests.Api.Audit;

/// <summary>
/// The trail against the database's owner, through the real host: rows are chained with a key the database does not hold,
/// and the chain's end is anchored outside the database. Each test breaks its own host's trail as someone who can switch
/// the triggers off would (a plain connection to the SQLite file), and reads what GET /audit/verify says.
/// </summary>
public class AuditChainKeyTests
{
    private const string Columns =
        "Id, AtUtc, UserId, UserName, Role, TokenId, SiteCode, EntityType, EntityId, ParticipantCode, Action, OldValue, NewValue, Reason, Flag, RequestId, PreviousHash, Hash";

    /// <summary>A host with some trail: two sites, an investigator, two participants.</summary>
    private static async Task<TrialHost> StartWithTrailAsync()
    {
        var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        await host.CreateSiteAsync("KRK");
        var investigator = await host.UserAsync("investigator", "WAW");
        await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.EnrolAsync(investigator, "WAW");
        return host;
    }

    private static async Task<JsonObject> VerifyAsync(TrialHost host) => await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);

    private static SqliteConnection Owner(TrialHost host)
    {
        var c = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        c.Open();
        return c;
    }

    [Test]
    public async Task Verify_AKeyedTrail_IsIntactKeyedFromItsFirstRow_WithTheKeyInAnOwnerOnlyFile()
    {
        await using var host = await StartWithTrailAsync();

        var verify = await VerifyAsync(host);

        Assert.That(verify["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
        Assert.That(verify["rows"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(5));
        Assert.That(verify["firstBrokenId"], Is.Null);
        Assert.That(verify["keyed"]!.GetValue<bool>(), Is.True);
        Assert.That(verify["keyedFromId"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(verify["plainRowsBeforeKey"]!.GetValue<long>(), Is.Zero);
        Assert.That(verify["anchorsChecked"]!.GetValue<int>(), Is.Zero, "no anchor taken yet");
        Assert.That(verify["problem"], Is.Null);
        var keyFile = Path.Combine(host.DataFolder, AuditKeys.FileName);
        Assert.That(File.Exists(keyFile), Is.True);
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(keyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task Verify_LastRowsDeletedAndTheChainRecomputedWithPlainSha256_ReportsTheFirstRowNotKeyed()
    {
        await using var host = await StartWithTrailAsync();
        long kept;
        using (var c = Owner(host))
        {
            using var tx = c.BeginTransaction();
            c.Execute("DROP TRIGGER TR_AuditEvent_NoUpdate; DROP TRIGGER TR_AuditEvent_NoDelete; DROP TRIGGER TR_AuditChainHead_AppendOnly;", transaction: tx);
            kept = c.ExecuteScalar<long>("SELECT MAX(Id) FROM AuditEvent", transaction: tx) - 2;
            c.Execute("DELETE FROM AuditEvent WHERE Id > @kept", new { kept }, tx);
            // The whole chain recomputed with the plain SHA-256, as it was before the key, and the head set to its new end.
            var previous = "";
            foreach (var row in c.Query<AuditEventRow>($"SELECT {Columns} FROM AuditEvent ORDER BY Id", transaction: tx).AsList())
            {
                var recomputed = new AuditEventRow
                {
                    Id = row.Id, AtUtc = row.AtUtc, UserId = row.UserId, UserName = row.UserName, Role = row.Role, TokenId = row.TokenId, SiteCode = row.SiteCode,
                    EntityType = row.EntityType, EntityId = row.EntityId, ParticipantCode = row.ParticipantCode, Action = row.Action, OldValue = row.OldValue,
                    NewValue = row.NewValue, Reason = row.Reason, Flag = row.Flag, RequestId = row.RequestId, PreviousHash = previous,
                };
                recomputed.Hash = AuditHash.Of(recomputed);
                c.Execute("UPDATE AuditEvent SET PreviousHash = @PreviousHash, Hash = @Hash WHERE Id = @Id", recomputed, tx);
                previous = recomputed.Hash;
            }
            c.Execute("UPDATE AuditChainHead SET LastId = @kept, LastHash = @previous", new { kept, previous }, tx);
            tx.Commit();
        }

        var verify = await VerifyAsync(host);

        Assert.That(verify["intact"]!.GetValue<bool>(), Is.False, verify.ToJsonString());
        Assert.That(verify["firstBrokenId"]!.GetValue<long>(), Is.EqualTo(1), "the first keyed row no longer carries its keyed hash");
        Assert.That(verify["problem"]!.GetValue<string>(), Does.Contain("recomputed without the key"));
    }

    [Test]
    public async Task Verify_LastRowsDeletedAndTheHeadRewound_TheAnchorsNameTheFirstMissingRow()
    {
        await using var host = await StartWithTrailAsync();
        var anchored = await host.Services.GetRequiredService<AuditJobs>().WriteAnchorAsync();
        Assert.That(anchored, Is.Not.Null);
        Assert.That(File.ReadAllLines(Path.Combine(host.DataFolder, AuditOptions.AnchorFileName)), Has.Some.EqualTo(anchored!.ToJson()));

        // What needs no key at all: the last rows removed, the head set back to the last row left, whose hash is untouched.
        using (var c = Owner(host))
        {
            c.Execute("DROP TRIGGER TR_AuditEvent_NoDelete; DROP TRIGGER TR_AuditChainHead_AppendOnly;");
            c.Execute("DELETE FROM AuditEvent WHERE Id > @kept", new { kept = anchored.LastId - 2 });
            c.Execute("UPDATE AuditChainHead SET LastId = (SELECT MAX(Id) FROM AuditEvent), LastHash = (SELECT Hash FROM AuditEvent ORDER BY Id DESC LIMIT 1)");
        }

        var verify = await VerifyAsync(host);

        Assert.That(verify["intact"]!.GetValue<bool>(), Is.False, verify.ToJsonString());
        Assert.That(verify["firstBrokenId"]!.GetValue<long>(), Is.EqualTo(anchored.LastId - 1));
        Assert.That(verify["anchorsChecked"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(1));
        Assert.That(verify["problem"]!.GetValue<string>(), Does.Contain($"rows from {anchored.LastId - 1} on were removed"));
    }

    [Test]
    public async Task Head_DeleteOrRewind_IsRefusedByTheDatabase_AndTheTrailStaysIntact()
    {
        await using var host = await StartWithTrailAsync();
        using (var c = Owner(host))
        {
            Assert.That(() => c.Execute("DELETE FROM AuditChainHead"), Throws.TypeOf<SqliteException>());
            Assert.That(() => c.Execute("UPDATE AuditChainHead SET LastId = LastId - 2"), Throws.TypeOf<SqliteException>());
        }

        var verify = await VerifyAsync(host);
        Assert.That(verify["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
    }
}
