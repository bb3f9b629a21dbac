using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Trial.Application;
using Trial.Application.Randomisation;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Visits;

namespace Trial.Tests.Application;

/// <summary>
/// What the use cases' fast tests run on: a real SQLite file in a temporary folder with the migrations applied, a clock the
/// test moves, and helpers to add sites and participants and read what a write left behind. No HTTP host.
/// </summary>
public sealed class UseCaseDatabase : IAsyncDisposable
{
    public static readonly DateTime StartUtc = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _folder = new();

    public UseCaseDatabase()
    {
        // Keyed as the hosts' databases are: the use cases' audit rows are chained with HMAC-SHA256 from the first one.
        Db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={_folder.File("trial.db")}", DataFolder = _folder.Path }, auditKey: ChainKey);
        Migrator.Apply(Db);
    }

    public Database Db { get; }

    /// <summary>The audit chain's key of every such database (a fixed one: the tests need no secret).</summary>
    public static readonly AuditKey ChainKey = new([.. Enumerable.Range(1, AuditKey.MinimumBytes).Select(i => (byte)i)]);
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

    /// <summary>The day everything happens on: participants are enrolled on it and the writes are made at its noon.</summary>
    public static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    public static readonly DateOnly Today = DateOnly.FromDateTime(Now);

    public static readonly ProtocolDefinition Blinded = ProtocolLoader.LoadDefault();

    public static readonly ProtocolDefinition OpenLabel = ProtocolLoader.Load(ProtocolLoader.OpenLabelName);

    /// <summary>The allocation sequence of the tests' study secret.</summary>
    public static readonly ConcealedSequence Sequence = new(Encoding.UTF8.GetBytes("use-case-tests-randomisation-secret-0123456789"));

    private int _participants;

    /// <summary>A database with the sites WAW and KRK, as the randomisation, safety and report tests start from.</summary>
    public static async Task<UseCaseDatabase> CreateAsync()
    {
        var database = new UseCaseDatabase();
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

    /// <summary>An assessment of the participant, scored as the assessments' endpoint scores it, administered now.</summary>
    public Task RecordAssessmentAsync(ParticipantRow participant, string visitCode, string instrument, IReadOnlyList<decimal?> items, string timepoint = "")
    {
        var definition = InstrumentCatalog.Get(instrument);
        var score = Scorer.Score(definition, items);
        var row = new AssessmentRow
        {
            Id = Guid.NewGuid(), ParticipantId = participant.Id, ParticipantCode = participant.Code, VisitCode = visitCode, Instrument = instrument, Timepoint = timepoint,
            AdministeredUtc = Now, ReceivedUtc = Now, Complete = score.Complete, SeverityBand = score.SeverityBand, DefinitionVersion = definition.Version,
            ProtocolVersion = Blinded.Version, RowVersion = 1,
        };
        return Db.WriteDerivedAsync(Now, w => AssessmentQueries.InsertAsync(w.Session, row, items, score.Scores));
    }

    /// <summary>Ready to be randomised: the baseline visit recorded with a complete MADRS of <paramref name="madrsTotal"/> (at most 60).</summary>
    public async Task RecordBaselineAsync(ParticipantRow participant, int madrsTotal)
    {
        await RecordVisitAsync(participant, "BL");
        await RecordAssessmentAsync(participant, "BL", InstrumentCatalog.Madrs, [.. Enumerable.Range(0, 10).Select(i => (decimal?)(madrsTotal / 10 + (i < madrsTotal % 10 ? 1 : 0)))]);
    }

    /// <summary>An infusion of the participant at <paramref name="visitCode"/>, given this morning, at <paramref name="weightKg"/>.</summary>
    public Task RecordInfusionAsync(ParticipantRow participant, string visitCode, decimal weightKg, DateTime? startUtc = null) =>
        Db.WriteDerivedAsync(Now, w => InfusionAndVitalsQueries.InsertInfusionAsync(w.Session, new InfusionRow
        {
            Id = Guid.NewGuid(), ParticipantId = participant.Id, VisitCode = visitCode, WeightKg = weightKg, DoseMgPerKg = 0.5m, TotalDoseMg = weightKg / 2, Route = "IV",
            StartUtc = startUtc ?? Now.AddHours(-3), EndUtc = (startUtc ?? Now.AddHours(-3)).AddMinutes(40), RecordedUtc = Now,
        }));

    /// <summary>Randomises the participant (baseline recorded first) as their site's investigator, through the use case the API calls.</summary>
    public async Task<RandomisedParticipant> RandomiseAsync(ParticipantRow participant, int madrsTotal = 30)
    {
        await RecordBaselineAsync(participant, madrsTotal);
        var investigator = Person(Roles.Investigator, participant.SiteCode);
        var randomise = new Randomise(Db, Blinded, Sequence);
        var checkedParticipant = await randomise.CheckAsync(investigator, participant.Code);
        return (await Db.RunAsync(investigator, Now, w => randomise.WriteAsync(w, checkedParticipant.Value!))).Value!;
    }

    /// <summary>The audit rows of one kind of record, oldest first.</summary>
    public Task<IReadOnlyList<AuditEventRow>> AuditAsync(string entityType) =>
        Db.ReadAsync(c => AuditQueries.PageAsync(c, new AuditFilter(null, entityType, null, null, null, null, 0, 1000)));

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        _folder.Dispose();
    }
}
