using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Trial.Application;
using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Tests.Db;

namespace Trial.Tests.Application;

/// <summary>
/// A real SQLite file in a temporary folder with the migrations applied, and a clock the test moves: what a use case is
/// tested against without an HTTP host.
/// </summary>
public sealed class UseCaseDatabase : IAsyncDisposable
{
    public static readonly DateTime StartUtc = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _folder = new();

    public UseCaseDatabase()
    {
        Db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={_folder.File("trial.db")}", DataFolder = _folder.Path });
        Migrator.Apply(Db);
    }

    public Database Db { get; }
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(StartUtc));
    public DateTime NowUtc => Clock.GetUtcNow().UtcDateTime;

    /// <summary>A folder of its own, removed with the database.</summary>
    public string Folder => _folder.Path;

    public static readonly Actor Admin = new(Guid.Parse("00000000-0000-0000-0000-00000000a001"), Guid.Parse("00000000-0000-0000-0000-00000000b001"), "Ada Admin", Roles.Admin, []);

    public static Actor User(string role, params string[] sites) => new(Guid.NewGuid(), Guid.NewGuid(), $"{role} of {string.Join(",", sites)}", role, sites);

    /// <summary>A use case's write in one transaction, rolled back when it refuses.</summary>
    public Task<Outcome<T>> WriteAsync<T>(Actor actor, Func<WriteScope, Task<Outcome<T>>> work) => Db.RunAsync(actor, NowUtc, work);

    /// <summary>A site as an earlier write left it.</summary>
    public Task AddSiteAsync(string code, string timeZone = "UTC") =>
        Db.WriteAsync(Admin, NowUtc, async w =>
        {
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = code, Name = code + " site", TimeZone = timeZone, CreatedUtc = w.NowUtc });
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, code, new { code }, code, null));
        });

    /// <summary>A participant enrolled by an earlier write (with its audit row), numbered in its site as the code says (WAW-0001: 1).</summary>
    public Task AddParticipantAsync(string code, string site) =>
        Db.WriteAsync(Admin, NowUtc, async w =>
        {
            var participant = new ParticipantRow
            {
                Id = SequentialGuid.New(w.NowUtc), Code = code, SiteCode = site, Number = int.Parse(code[(code.IndexOf('-') + 1)..], CultureInfo.InvariantCulture),
                Sex = "F", BirthYear = 1990, WeightKg = 61.5m, FailedAntidepressantTrials = 2, PsychotherapyWithoutResponse = true, BpdDiagnosis = true,
                Status = ParticipantStatuses.Enrolled, EnrolledDate = DateOnly.FromDateTime(w.NowUtc), EnrolledUtc = w.NowUtc, ProtocolVersion = "test",
                CreatedBy = Admin.UserId,
            };
            await ParticipantQueries.InsertAsync(w.Session, participant);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Participant, participant.Id.ToString(), new { code }, site, code));
        });

    /// <summary>The whole audit trail, in order.</summary>
    public Task<IReadOnlyList<AuditEventRow>> TrailAsync() =>
        Db.ReadAsync(c => AuditQueries.PageAsync(c, new AuditFilter(null, null, null, null, null, null, 0, 1000)));

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        _folder.Dispose();
    }
}
