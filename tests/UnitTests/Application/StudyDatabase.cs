using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Tests.Application;

/// <summary>
/// A real SQLite file in a temporary folder with the migrations applied and two sites, WAW (Warsaw, UTC+1 in winter) and
/// KRK, for the use cases of participants, visits, assessments and schedules to run on without an HTTP host.
/// </summary>
internal sealed class StudyDatabase : IAsyncDisposable
{
    /// <summary>Enrolments are dated this day unless a test says otherwise.</summary>
    public static readonly DateOnly Enrolled = new(2026, 2, 16);

    /// <summary>Noon UTC on <see cref="Enrolled"/>: a time of day that is the same date in Warsaw.</summary>
    public static readonly DateTime EnrolledNoonUtc = new(2026, 2, 16, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _folder;

    private StudyDatabase(TempFolder folder, Database db, ProtocolDefinition protocol) => (_folder, Db, Protocol) = (folder, db, protocol);

    public Database Db { get; }

    public ProtocolDefinition Protocol { get; }

    public static readonly Actor Investigator = new(Guid.Parse("00000000-0000-0000-0000-00000000a001"), Guid.NewGuid(), "investigator", Roles.Investigator, ["WAW"]);

    public static readonly Actor KrakowInvestigator = new(Guid.Parse("00000000-0000-0000-0000-00000000a002"), Guid.NewGuid(), "krakow", Roles.Investigator, ["KRK"]);

    public static readonly Actor Admin = new(Guid.Parse("00000000-0000-0000-0000-00000000a003"), Guid.NewGuid(), "admin", Roles.Admin, []);

    /// <param name="protocol">The built-in protocol to run (see <see cref="ProtocolLoader.BuiltIn"/>): the double-blind default unless a test needs the open-label one.</param>
    public static async Task<StudyDatabase> CreateAsync(string protocol = ProtocolLoader.DefaultName)
    {
        var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("study.db")}" });
        Migrator.Apply(db);
        await db.WriteDerivedAsync(EnrolledNoonUtc, async w =>
        {
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "WAW", Name = "Warsaw", TimeZone = "Europe/Warsaw", CreatedUtc = EnrolledNoonUtc });
            await AccessQueries.InsertSiteAsync(w.Session, new SiteRow { Code = "KRK", Name = "Krakow", TimeZone = "Europe/Warsaw", CreatedUtc = EnrolledNoonUtc });
        });
        return new StudyDatabase(folder, db, ProtocolLoader.LoadBuiltIn(protocol));
    }

    /// <summary>An eligible enrolment at <paramref name="site"/>.</summary>
    public static EnrolmentInput Enrolment(string site = "WAW", DateOnly? enrolled = null, decimal weightKg = 70m) =>
        new(site, "F", 1990, weightKg, new EligibilityInput(2, true, true, false, false), enrolled ?? Enrolled);

    /// <summary>Enrols an eligible participant through the use case, as the admin, on <see cref="Enrolled"/> unless told.</summary>
    public async Task<ParticipantRow> EnrolAsync(string site = "WAW", DateOnly? enrolled = null)
    {
        var enrol = new EnrolParticipant(Protocol);
        var input = enrol.Check(Admin, Enrolment(site, enrolled), EnrolledNoonUtc);
        return Succeeded(await Db.RunAsync(Admin, EnrolledNoonUtc, w => enrol.WriteAsync(w, input.Value!)));
    }

    /// <summary>Runs a use case's write as <paramref name="actor"/> at <paramref name="nowUtc"/>, rolled back when it refuses.</summary>
    public Task<Outcome<T>> WriteAsync<T>(Actor actor, DateTime nowUtc, Func<WriteScope, Task<Outcome<T>>> work) => Db.RunAsync(actor, nowUtc, work);

    /// <summary>Records a visit on a date straight into the database, for tests whose subject comes after it.</summary>
    public Task RecordVisitAsync(ParticipantRow participant, string visitCode, DateOnly date) =>
        Db.WriteDerivedAsync(EnrolledNoonUtc, w => ParticipantQueries.InsertVisitRecordAsync(w.Session, new VisitRecordRow
        {
            Id = Guid.NewGuid(), ParticipantId = participant.Id, VisitCode = visitCode, ActualDate = date, RecordedUtc = EnrolledNoonUtc, RecordedBy = Admin.UserId,
        }));

    /// <summary>The participant's audit trail, oldest first.</summary>
    public Task<IReadOnlyList<AuditEventRow>> TrailAsync(string participantCode) => Db.ReadAsync(c => AuditQueries.ParticipantTrailAsync(c, participantCode));

    public Task<ParticipantRow?> FindAsync(string code) => Db.ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, code));

    /// <summary>The value of an outcome that must have succeeded; the refusal's words otherwise.</summary>
    public static T Succeeded<T>(Outcome<T> outcome) =>
        outcome.IsRefused ? throw new InvalidOperationException($"Refused: {outcome.Refusal}") : outcome.Value!;

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        _folder.Dispose();
    }
}
