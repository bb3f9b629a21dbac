using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// The randomisation migration rebuilds AppUser (for its role constraint) and Infusion (for the blinded infusion) on
/// SQLite: on a database already in use, every user, token, site grant and infusion must come through, with their keys.
/// </summary>
public class RandomisationMigrationTests
{
    private const string Migration = "2026-11-30_07_Randomisation.sql";

    [Test]
    public void Randomisation_OnADatabaseInUse_KeepsUsersTokensGrantsAndInfusionsAndTakesTheNewRoles()
    {
        using var folder = new TempFolder();
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = folder.File("m.db"), ForeignKeys = true }.ToString());
        c.Open();
        var scripts = Migrator.Scripts(DatabaseProvider.Sqlite);
        Assert.That(scripts.Select(s => s.Name), Does.Contain(Migration));
        foreach (var script in scripts.TakeWhile(s => s.Name != Migration)) Run(c, script.Contents);

        c.Execute("INSERT INTO Site (Code, Name, CreatedUtc) VALUES ('WAW', 'Warsaw', '2026-03-01T00:00:00Z')");
        c.Execute("INSERT INTO AppUser (Id, Name, Role, CreatedUtc) VALUES ('u1', 'Dr A', 'investigator', '2026-03-01T00:00:00Z')");
        c.Execute("INSERT INTO UserSite (UserId, SiteCode) VALUES ('u1', 'WAW')");
        c.Execute("INSERT INTO ApiToken (Id, UserId, TokenHash, CreatedUtc, ExpiresUtc) VALUES ('t1', 'u1', 'hash', '2026-03-01T00:00:00Z', '2027-03-01T00:00:00Z')");
        c.Execute("""
            INSERT INTO Participant (Id, Code, SiteCode, Number, Sex, BirthYear, WeightKg, FailedAntidepressantTrials, PsychotherapyWithoutResponse, BpdDiagnosis,
                                     PsychoticPersonalityOrganisation, HighSuicideRisk, Status, EnrolledDate, EnrolledUtc, ProtocolVersion, CreatedBy)
            VALUES ('p1', 'WAW-0001', 'WAW', 1, 'F', 1990, 61.5, 2, 1, 1, 0, 0, 'enrolled', '2026-02-16', '2026-02-16T10:00:00Z', '1.0.0', 'u1')
            """);
        c.Execute("""
            INSERT INTO Infusion (Id, ParticipantId, VisitCode, WeightKg, DoseMgPerKg, TotalDoseMg, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy, RowVersion)
            VALUES ('i1', 'p1', 'INF1', 61.5, 0.5, 30.75, 'IV', '2026-03-02T08:00:00Z', '2026-03-02T08:40:00Z', '2026-03-02T09:00:00Z', 'u1', 2)
            """);
        Assert.That(() => c.Execute("INSERT INTO AppUser (Id, Name, Role, CreatedUtc) VALUES ('u2', 'P', 'pharmacist', '2026-03-01T00:00:00Z')"),
            Throws.InstanceOf<SqliteException>(), "before the migration the role is refused");

        Run(c, scripts.Single(s => s.Name == Migration).Contents);

        Assert.That(c.Query<string>("SELECT Id || '/' || Role FROM AppUser"), Is.EqualTo(new[] { "u1/investigator" }));
        Assert.That(c.Query<string>("SELECT UserId || '/' || SiteCode FROM UserSite"), Is.EqualTo(new[] { "u1/WAW" }));
        Assert.That(c.Query<string>("SELECT Id || '/' || UserId || '/' || TokenHash FROM ApiToken"), Is.EqualTo(new[] { "t1/u1/hash" }));
        Assert.That(c.Query<string>("SELECT Id || '/' || DoseMgPerKg || '/' || TotalDoseMg || '/' || RowVersion FROM Infusion"), Is.EqualTo(new[] { "i1/0.5/30.75/2" }));
        Assert.That(c.Query("PRAGMA foreign_key_check"), Is.Empty);
        c.Execute("INSERT INTO AppUser (Id, Name, Role, CreatedUtc) VALUES ('u2', 'P', 'pharmacist', '2026-03-01T00:00:00Z')");
        c.Execute("INSERT INTO AppUser (Id, Name, Role, CreatedUtc) VALUES ('u3', 'S', 'unblinded-statistician', '2026-03-01T00:00:00Z')");
        Assert.That(() => c.Execute("INSERT INTO AppUser (Id, Name, Role, CreatedUtc) VALUES ('u4', 'X', 'surgeon', '2026-03-01T00:00:00Z')"), Throws.InstanceOf<SqliteException>());
        // The foreign keys still point at the rebuilt tables.
        Assert.That(() => c.Execute("INSERT INTO UserSite (UserId, SiteCode) VALUES ('nobody', 'WAW')"), Throws.InstanceOf<SqliteException>());
        Assert.That(() => c.Execute("""
            INSERT INTO Infusion (Id, ParticipantId, VisitCode, WeightKg, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy, PreparationId, VolumeMl)
            VALUES ('i2', 'p1', 'INF2', 61.5, 'IV', '2026-03-05T08:00:00Z', '2026-03-05T08:40:00Z', '2026-03-05T09:00:00Z', 'u1', 'NOT-PREPARED', 50)
            """), Throws.InstanceOf<SqliteException>(), "an infusion names a preparation that exists");
        Assert.That(() => c.Execute("""
            INSERT INTO Infusion (Id, ParticipantId, VisitCode, WeightKg, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy)
            VALUES ('i3', 'p1', 'INF3', 61.5, 'IV', '2026-03-09T08:00:00Z', '2026-03-09T08:40:00Z', '2026-03-09T09:00:00Z', 'u1')
            """), Throws.InstanceOf<SqliteException>(), "an infusion carries a dose or a preparation");
    }

    [Test]
    public void Randomisation_ArmRecords_AreAppendOnly()
    {
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("a.db")}" });
        Migrator.Apply(db);
        using var c = new SqliteConnection(db.ConnectionString);
        c.Open();
        c.Execute("INSERT INTO Site (Code, Name, CreatedUtc) VALUES ('WAW', 'Warsaw', '2026-03-01T00:00:00Z')");
        c.Execute("""
            INSERT INTO Participant (Id, Code, SiteCode, Number, Sex, BirthYear, WeightKg, FailedAntidepressantTrials, PsychotherapyWithoutResponse, BpdDiagnosis,
                                     PsychoticPersonalityOrganisation, HighSuicideRisk, Status, EnrolledDate, EnrolledUtc, ProtocolVersion, CreatedBy)
            VALUES ('p1', 'WAW-0001', 'WAW', 1, 'F', 1990, 61.5, 2, 1, 1, 0, 0, 'enrolled', '2026-02-16', '2026-02-16T10:00:00Z', '2.0.0', 'u1')
            """);
        c.Execute("""
            INSERT INTO Allocation (ParticipantId, RandomisationNumber, Stratum, SequenceNumber, Arm, Method, RandomisedUtc, RandomisedBy, ProtocolVersion)
            VALUES ('p1', 1, 'WAW/MADRS<35', 1, 'KET', 'permuted-blocks', '2026-03-01T10:00:00Z', 'u1', '2.0.0')
            """);

        Assert.That(() => c.Execute("UPDATE Allocation SET Arm = 'MDZ'"), Throws.InstanceOf<SqliteException>().With.Message.Contains("append-only"));
        Assert.That(() => c.Execute("DELETE FROM Allocation"), Throws.InstanceOf<SqliteException>().With.Message.Contains("append-only"));
    }

    private static void Run(SqliteConnection c, string sql)
    {
        using var transaction = c.BeginTransaction();
        c.Execute(sql, transaction: transaction);
        transaction.Commit();
    }
}
