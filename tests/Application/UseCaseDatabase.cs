using Trial.Core.Access;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using TempFolder = Trial.Tests.Db.TempFolder;

namespace Trial.Tests.Application;

/// <summary>
/// What the use cases' fast tests run on: a real SQLite file in a temporary folder with the migrations applied, the sites
/// WAW and KRK, and helpers to enrol participants and read what a write left behind. No HTTP host.
/// </summary>
public sealed class UseCaseDatabase : IAsyncDisposable
{
    /// <summary>The day everything happens on: participants are enrolled on it and the writes are made at its noon.</summary>
    public static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    public static readonly DateOnly Today = DateOnly.FromDateTime(Now);

    public static readonly ProtocolDefinition Blinded = ProtocolLoader.LoadDefault();

    private readonly TempFolder _folder = new();
    private int _participants;

    private UseCaseDatabase() => Db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={_folder.File("use-cases.db")}" });

    public Database Db { get; }

    public static async Task<UseCaseDatabase> CreateAsync()
    {
        var database = new UseCaseDatabase();
        Migrator.Apply(database.Db);
        await database.Db.WriteDerivedAsync(Now, async w =>
        {
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", CreatedUtc = Now });
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "KRK", Name = "Krakow", CreatedUtc = Now });
        });
        return database;
    }

    /// <summary>Someone with <paramref name="role"/> at <paramref name="sites"/>, as the API would name them.</summary>
    public static Actor Person(string role, params string[] sites) => new(Guid.NewGuid(), Guid.NewGuid(), $"{role} {string.Join("+", sites)}", role, sites);

    /// <summary>An eligible participant of <paramref name="site"/>, enrolled today; <paramref name="change"/> adjusts the row.</summary>
    public async Task<ParticipantRow> EnrolAsync(string site = "WAW", Func<ParticipantRow, ParticipantRow>? change = null)
    {
        var number = Interlocked.Increment(ref _participants);
        var row = new ParticipantRow
        {
            Id = Guid.NewGuid(), Code = $"{site}-{number:0000}", SiteCode = site, Number = number, Sex = "F", BirthYear = 1990, WeightKg = 60,
            FailedAntidepressantTrials = 2, PsychotherapyWithoutResponse = true, BpdDiagnosis = true, Status = ParticipantStatuses.Enrolled,
            EnrolledDate = Today, EnrolledUtc = Now, ProtocolVersion = Blinded.Version,
        };
        row = change?.Invoke(row) ?? row;
        await Db.WriteDerivedAsync(Now, w => ParticipantQueries.InsertAsync(w.Session, row));
        return (await Db.ReadAsync(c => ParticipantQueries.FindByIdAsync(c, row.Id)))!;
    }

    /// <summary>Records a visit of the participant, as the visit's endpoint stores it.</summary>
    public Task RecordVisitAsync(ParticipantRow participant, string visitCode, DateOnly? date = null) =>
        Db.WriteDerivedAsync(Now, w => ParticipantQueries.InsertVisitRecordAsync(w.Session, new VisitRecordRow
        {
            Id = Guid.NewGuid(), ParticipantId = participant.Id, VisitCode = visitCode, ActualDate = date ?? Today, RecordedUtc = Now,
        }));

    /// <summary>The audit rows of one kind of record, oldest first.</summary>
    public Task<IReadOnlyList<AuditEventRow>> AuditAsync(string entityType) =>
        Db.ReadAsync(c => AuditQueries.PageAsync(c, new AuditFilter(null, entityType, null, null, null, null, 0, 1000)));

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        _folder.Dispose();
    }
}
