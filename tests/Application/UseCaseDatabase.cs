using System.Text;
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

    public static readonly ProtocolDefinition OpenLabel = ProtocolLoader.Load(ProtocolLoader.OpenLabelName);

    /// <summary>The allocation sequence of the tests' study secret.</summary>
    public static readonly ConcealedSequence Sequence = new(Encoding.UTF8.GetBytes("use-case-tests-randomisation-secret-0123456789"));

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
