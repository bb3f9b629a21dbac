using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// The guess-timing migration on SQLite: guesses stored before it keep their values with the new columns empty, the
/// table stays append-only, and the new columns refuse impossible values.
/// </summary>
public class BlindingGuessMigrationTests
{
    private const string Migration = "2026-12-04_09_BlindingGuessTiming.sql";

    [Test]
    public void BlindingGuessTiming_OnADatabaseInUse_KeepsGuessesAppendOnlyWithTheNewColumnsEmpty()
    {
        using var folder = new TempFolder();
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = folder.File("g.db"), ForeignKeys = true }.ToString());
        c.Open();
        var scripts = Migrator.Scripts(DatabaseProvider.Sqlite);
        Assert.That(scripts.Select(s => s.Name), Does.Contain(Migration));
        foreach (var script in scripts.TakeWhile(s => s.Name != Migration)) c.Execute(script.Contents);
        c.Execute("INSERT INTO Site (Code, Name, CreatedUtc) VALUES ('WAW', 'Warsaw', '2026-03-01T00:00:00Z')");
        c.Execute("""
            INSERT INTO Participant (Id, Code, SiteCode, Number, Sex, BirthYear, WeightKg, FailedAntidepressantTrials, PsychotherapyWithoutResponse, BpdDiagnosis,
                                     PsychoticPersonalityOrganisation, HighSuicideRisk, Status, EnrolledDate, EnrolledUtc, ProtocolVersion, CreatedBy)
            VALUES ('p1', 'WAW-0001', 'WAW', 1, 'F', 1990, 61.5, 2, 1, 1, 0, 0, 'enrolled', '2026-02-16', '2026-02-16T10:00:00Z', '2.0.0', 'u1')
            """);
        c.Execute("""
            INSERT INTO BlindingGuess (Id, ParticipantId, VisitCode, Guesser, Guess, RecordedUtc, RecordedBy)
            VALUES ('g1', 'p1', 'INF1', 'rater', 'unknown', '2026-03-02T12:00:00Z', 'u1')
            """);

        c.Execute(scripts.Single(s => s.Name == Migration).Contents);
        foreach (var script in scripts.SkipWhile(s => s.Name != Migration).Skip(1)) c.Execute(script.Contents);

        Assert.That(c.QuerySingle<string>("SELECT Id || '/' || Guess || '/' || COALESCE(InfusionNumber, 'none') || '/' || COALESCE(GuessedUtc, 'none') FROM BlindingGuess"),
            Is.EqualTo("g1/unknown/none/none"));
        c.Execute("""
            INSERT INTO BlindingGuess (Id, ParticipantId, VisitCode, Guesser, Guess, RecordedUtc, RecordedBy, GuessedUtc, InfusionNumber, MinutesAfterInfusionEnd)
            VALUES ('g2', 'p1', 'FU-D7', 'rater', 'unknown', '2026-03-09T12:00:00Z', 'u1', '2026-03-09T11:00:00Z', 1, 10060)
            """);
        Assert.That(() => c.Execute("UPDATE BlindingGuess SET InfusionNumber = 4 WHERE Id = 'g1'"), Throws.InstanceOf<SqliteException>().With.Message.Contains("append-only"));
        Assert.That(() => c.Execute("DELETE FROM BlindingGuess WHERE Id = 'g2'"), Throws.InstanceOf<SqliteException>().With.Message.Contains("append-only"));
        Assert.That(() => c.Execute("""
            INSERT INTO BlindingGuess (Id, ParticipantId, VisitCode, Guesser, Guess, RecordedUtc, RecordedBy, InfusionNumber)
            VALUES ('g3', 'p1', 'INF2', 'rater', 'unknown', '2026-03-05T12:00:00Z', 'u1', 0)
            """), Throws.InstanceOf<SqliteException>(), "there is no infusion number 0");
        Assert.That(() => c.Execute("""
            INSERT INTO BlindingGuess (Id, ParticipantId, VisitCode, Guesser, Guess, RecordedUtc, RecordedBy, MinutesAfterInfusionEnd)
            VALUES ('g4', 'p1', 'INF3', 'rater', 'unknown', '2026-03-09T12:00:00Z', 'u1', -5)
            """), Throws.InstanceOf<SqliteException>(), "a guess is made after the infusion ended");
    }

    [Test]
    public void BlindingGuessTiming_SqlServer_KeepsTheAppendOnlyTriggerOnBlindingGuess()
    {
        var triggers = Migrator.Scripts(DatabaseProvider.SqlServer).SelectMany(s => TSql.Triggers(s.Contents)).Where(t => t.Table == "BlindingGuess").ToList();

        Assert.That(triggers, Has.Count.EqualTo(1));
        Assert.That((triggers[0].InsteadOf, triggers[0].Throws), Is.EqualTo((true, true)));
        Assert.That(triggers[0].Actions, Is.EquivalentTo(new[] { "Update", "Delete" }));
        Assert.That(TSql.DeclaredColumns(Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Contents)),
            Is.SupersetOf(new[] { "BlindingGuess.GuessedUtc", "BlindingGuess.InfusionNumber", "BlindingGuess.MinutesAfterInfusionEnd" }));
    }
}
