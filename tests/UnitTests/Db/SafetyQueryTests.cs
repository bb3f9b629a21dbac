using NUnit.Framework;
using Trial.Core.Participants;
using Trial.Db.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Safety;

namespace Trial.Tests.Db;

public class SafetyQueryTests
{
    [Test]
    public async Task ListAsync_WithEveryFilter_RunsOnSqlite()
    {
        // SQLite binds parameters by exact name: a filter whose name differs in case from the SQL text fails at run time.
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("s.db")}" });
        Migrator.Apply(db);
        var all = await db.ReadAsync(c => SafetyQueries.ListAsync(c, new AlertFilter(null, null, null, null, null, null, false, 1000, null, null)));
        var filtered = await db.ReadAsync(c => SafetyQueries.ListAsync(c,
            new AlertFilter(["WAW"], "open", "high", "WAW-0001", "MADRS10_HIGH", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), true, 1000, null, null)));
        Assert.That(all, Is.Empty);
        Assert.That(filtered, Is.Empty);
    }

    [Test]
    public async Task SetEvaluatedIfUnchangedAsync_AWriteMovedTheVersionOnSinceTheRead_ChangesNothing()
    {
        using var folder = new TempFolder();
        await using var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("v.db")}" });
        Migrator.Apply(db);
        var now = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var participant = Guid.NewGuid();
        await db.WriteDerivedAsync(now, async w =>
        {
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = now });
            await ParticipantQueries.InsertAsync(w.Session, new ParticipantRow
            {
                Id = participant, Code = "WAW-0001", SiteCode = "WAW", Number = 1, Sex = "F", BirthYear = 1990, WeightKg = 60,
                FailedAntidepressantTrials = 2, PsychotherapyWithoutResponse = true, BpdDiagnosis = true, Status = ParticipantStatuses.Enrolled,
                EnrolledDate = DateOnly.FromDateTime(now), EnrolledUtc = now, ProtocolVersion = "1",
            });
            await w.SafetyDataChangedAsync(participant, SafetyChange.Added);
        });
        var read = await db.ReadAsync(c => SafetyQueries.VersionsAsync(c, participant));
        await db.WriteDerivedAsync(now, w => w.SafetyDataChangedAsync(participant, SafetyChange.Added));

        var stale = await db.WriteDerivedAsync(now, w => SafetyQueries.SetEvaluatedIfUnchangedAsync(w.Session, participant, read.Version));
        var afterStale = await db.ReadAsync(c => SafetyQueries.VersionsAsync(c, participant));
        var current = await db.WriteDerivedAsync(now, w => SafetyQueries.SetEvaluatedIfUnchangedAsync(w.Session, participant, afterStale.Version));

        Assert.That(stale, Is.Zero);
        Assert.That(afterStale.EvaluatedVersion, Is.EqualTo(read.EvaluatedVersion), "the evaluation of the older data is not recorded");
        Assert.That(current, Is.EqualTo(1));
        Assert.That((await db.ReadAsync(c => SafetyQueries.VersionsAsync(c, participant))).EvaluatedVersion, Is.EqualTo(afterStale.Version));
    }
}
