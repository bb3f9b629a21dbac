using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// The unblinded-access approval migration on SQLite: accounts with a role that sees arms made before it keep their access,
/// approved as of their creation; blinded accounts have nothing approved; a user has at most one pending request.
/// </summary>
public class UnblindedAccessApprovalMigrationTests
{
    private const string Migration = "2026-12-05_15_UnblindedAccessApproval.sql";

    [Test]
    public void UnblindedAccessApproval_OnADatabaseInUse_KeepsExistingUnblindedAccountsApproved()
    {
        using var folder = new TempFolder();
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = folder.File("s.db"), ForeignKeys = true }.ToString());
        c.Open();
        var scripts = Migrator.Scripts(DatabaseProvider.Sqlite);
        Assert.That(scripts.Select(s => s.Name), Does.Contain(Migration));
        foreach (var script in scripts.TakeWhile(s => s.Name != Migration)) c.Execute(script.Contents);
        c.Execute("INSERT INTO Site (Code, Name, CreatedUtc) VALUES ('WAW', 'Warsaw', '2026-01-01T00:00:00Z')");
        c.Execute("""
            INSERT INTO AppUser (Id, Name, Role, CreatedUtc) VALUES
                ('u1', 'P', 'pharmacist', '2026-02-01T00:00:00Z'), ('u2', 'S', 'unblinded-statistician', '2026-02-02T00:00:00Z'),
                ('u3', 'I', 'investigator', '2026-02-03T00:00:00Z')
            """);

        c.Execute(scripts.Single(s => s.Name == Migration).Contents);
        foreach (var script in scripts.SkipWhile(s => s.Name != Migration).Skip(1)) c.Execute(script.Contents);

        Assert.That(c.Query<string>("SELECT Id || ' ' || COALESCE(ArmAccessApprovedUtc, '-') FROM AppUser ORDER BY Id"),
            Is.EqualTo(new[] { "u1 2026-02-01T00:00:00Z", "u2 2026-02-02T00:00:00Z", "u3 -" }));
        c.Execute("INSERT INTO AccessRequest (Id, UserId, Role, Status, RequestedUtc, RequestedBy) VALUES ('r1', 'u3', 'pharmacist', 'pending', '2026-03-01T00:00:00Z', 'u0')");
        Assert.That(() => c.Execute("INSERT INTO AccessRequest (Id, UserId, Role, Status, RequestedUtc, RequestedBy) VALUES ('r2', 'u3', 'pharmacist', 'pending', '2026-03-02T00:00:00Z', 'u0')"),
            Throws.InstanceOf<SqliteException>(), "one pending request per user");
        Assert.That(() => c.Execute("INSERT INTO AccessRequest (Id, UserId, Role, Status, RequestedUtc, RequestedBy) VALUES ('r3', 'u1', 'investigator', 'pending', '2026-03-02T00:00:00Z', 'u0')"),
            Throws.InstanceOf<SqliteException>(), "only a role that sees arms is requested");
    }

    [Test]
    public void UnblindedAccessApproval_SqlServer_DeclaresTheSameColumns()
    {
        Assert.That(TSql.DeclaredColumns(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents)),
            Is.SupersetOf(new[] { "AccessRequest.Status", "AccessRequest.RequestedBy", "AccessRequest.DecidedBy", "AccessRequestSite.SiteCode", "AppUser.ArmAccessApprovedUtc" }));
    }
}
