using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// The screening migration on SQLite: participants enrolled before it get their eligible screening, numbered per site in
/// the order of their numbers, and the sites' next screening numbers follow them; a screening enrols at most one participant.
/// </summary>
public class ScreeningMigrationTests
{
    private const string Migration = "2026-12-04_10_Screening.sql";

    [Test]
    public void Screening_OnADatabaseInUse_GivesEveryParticipantItsEligibleScreening()
    {
        using var folder = new TempFolder();
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = folder.File("s.db"), ForeignKeys = true }.ToString());
        c.Open();
        var scripts = Migrator.Scripts(DatabaseProvider.Sqlite);
        Assert.That(scripts.Select(s => s.Name), Does.Contain(Migration));
        foreach (var script in scripts.TakeWhile(s => s.Name != Migration)) c.Execute(script.Contents);
        c.Execute("INSERT INTO Site (Code, Name, CreatedUtc) VALUES ('WAW', 'Warsaw', '2026-01-01T00:00:00Z'), ('KRK', 'Krakow', '2026-01-01T00:00:00Z'), ('GDA', 'Gdansk', '2026-01-01T00:00:00Z')");
        foreach (var (id, code, site, number, trials, date) in new[]
                 {
                     ("p2", "WAW-0002", "WAW", 2, 4, "2026-02-20"), ("p1", "WAW-0001", "WAW", 1, 2, "2026-02-16"), ("p3", "KRK-0001", "KRK", 1, 3, "2026-02-18"),
                 })
        {
            c.Execute("""
                INSERT INTO Participant (Id, Code, SiteCode, Number, Sex, BirthYear, WeightKg, FailedAntidepressantTrials, PsychotherapyWithoutResponse, BpdDiagnosis,
                                         PsychoticPersonalityOrganisation, HighSuicideRisk, Status, EnrolledDate, EnrolledUtc, ProtocolVersion, CreatedBy)
                VALUES (@id, @code, @site, @number, 'F', 1990, 61.5, @trials, 1, 1, 0, 1, 'enrolled', @date, @date || 'T10:00:00Z', '2.0.0', 'u1')
                """, new { id, code, site, number, trials, date });
        }

        c.Execute(scripts.Single(s => s.Name == Migration).Contents);
        foreach (var script in scripts.SkipWhile(s => s.Name != Migration).Skip(1)) c.Execute(script.Contents);

        var linked = c.Query<string>("""
            SELECT p.Code || ' ' || s.ScreeningNumber || ' ' || s.ScreeningDate || ' ' || s.Outcome || ' ' || s.FailedAntidepressantTrials || ' ' || s.HighSuicideRisk
            FROM Participant p JOIN Screening s ON s.ScreeningNumber = p.ScreeningNumber ORDER BY p.Code
            """);
        Assert.That(linked, Is.EqualTo(new[]
        {
            "KRK-0001 KRK-S0001 2026-02-18 eligible 3 1", "WAW-0001 WAW-S0001 2026-02-16 eligible 2 1", "WAW-0002 WAW-S0002 2026-02-20 eligible 4 1",
        }));
        Assert.That(c.Query<string>("SELECT Code || ' ' || NextScreeningNumber FROM Site ORDER BY Code"), Is.EqualTo(new[] { "GDA 1", "KRK 2", "WAW 3" }));
        Assert.That(() => c.Execute("UPDATE Participant SET ScreeningNumber = 'WAW-S0001' WHERE Code = 'WAW-0002'"),
            Throws.InstanceOf<SqliteException>(), "a screening enrols one participant");
    }

    [Test]
    public void Screening_SqlServer_DeclaresTheSameColumns()
    {
        Assert.That(TSql.DeclaredColumns(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents)),
            Is.SupersetOf(new[] { "Screening.ScreeningNumber", "Screening.FailedCriteria", "Screening.Reason", "Participant.ScreeningNumber", "Site.NextScreeningNumber" }));
    }
}
