using System.Data.Common;
using Dapper;

namespace Trial.Db.Participants;

public sealed class ParticipantRow
{
    public Guid Id { get; init; }
    public string Code { get; init; } = "";
    public string SiteCode { get; init; } = "";
    public int Number { get; init; }
    public string Sex { get; init; } = "";
    public int BirthYear { get; init; }
    public decimal WeightKg { get; init; }
    public int FailedAntidepressantTrials { get; init; }
    public bool PsychotherapyWithoutResponse { get; init; }
    public bool BpdDiagnosis { get; init; }
    public bool PsychoticPersonalityOrganisation { get; init; }
    public bool HighSuicideRisk { get; init; }
    public string Status { get; init; } = "";
    public DateOnly EnrolledDate { get; init; }
    public DateTime EnrolledUtc { get; init; }
    public string ProtocolVersion { get; init; } = "";
    public DateOnly? InfusionsDiscontinuedDate { get; init; }
    public string? DiscontinuationReason { get; init; }
    public Guid CreatedBy { get; init; }
}

public sealed class VisitRecordRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string VisitCode { get; init; } = "";
    public DateOnly ActualDate { get; init; }
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
}

public static class ParticipantQueries
{
    private const string Columns =
        "Id, Code, SiteCode, Number, Sex, BirthYear, WeightKg, FailedAntidepressantTrials, PsychotherapyWithoutResponse, " +
        "BpdDiagnosis, PsychoticPersonalityOrganisation, HighSuicideRisk, Status, EnrolledDate, EnrolledUtc, ProtocolVersion, " +
        "InfusionsDiscontinuedDate, DiscontinuationReason, CreatedBy";

    private const string TakeNumberSql = "UPDATE Site SET NextParticipantNumber = NextParticipantNumber + 1 WHERE Code = @siteCode";
    private const string TakenNumberSql = "SELECT NextParticipantNumber - 1 FROM Site WHERE Code = @siteCode";
    private const string InsertSql = $"INSERT INTO Participant ({Columns}) VALUES (@Id, @Code, @SiteCode, @Number, @Sex, @BirthYear, @WeightKg, @FailedAntidepressantTrials, @PsychotherapyWithoutResponse, @BpdDiagnosis, @PsychoticPersonalityOrganisation, @HighSuicideRisk, @Status, @EnrolledDate, @EnrolledUtc, @ProtocolVersion, @InfusionsDiscontinuedDate, @DiscontinuationReason, @CreatedBy)";
    private const string FindByCodeSql = $"SELECT {Columns} FROM Participant WHERE Code = @code";
    private const string FindByIdSql = $"SELECT {Columns} FROM Participant WHERE Id = @id";
    private const string VisitRecordsSql = "SELECT Id, ParticipantId, VisitCode, ActualDate, RecordedUtc, RecordedBy FROM VisitRecord WHERE ParticipantId = @participantId";
    private const string UpdateVisitRecordSql = "UPDATE VisitRecord SET ActualDate = @ActualDate, RecordedUtc = @RecordedUtc, RecordedBy = @RecordedBy WHERE ParticipantId = @ParticipantId AND VisitCode = @VisitCode";
    private const string InsertVisitRecordSql = "INSERT INTO VisitRecord (Id, ParticipantId, VisitCode, ActualDate, RecordedUtc, RecordedBy) VALUES (@Id, @ParticipantId, @VisitCode, @ActualDate, @RecordedUtc, @RecordedBy)";
    private const string DiscontinueSql = "UPDATE Participant SET InfusionsDiscontinuedDate = @date, DiscontinuationReason = @reason WHERE Id = @participantId AND InfusionsDiscontinuedDate IS NULL";
    private const string ListAllSql = $"SELECT {Columns} FROM Participant ORDER BY SiteCode, Number";
    private const string ListOfSitesSql = $"SELECT {Columns} FROM Participant WHERE SiteCode IN @sites ORDER BY SiteCode, Number";

    /// <summary>
    /// Takes the site's next participant number inside the enrolment transaction: a failed
    /// enrolment rolls the number back with it, so codes stay in order and gap-free, and a
    /// committed number is never handed out again. Null when the site does not exist.
    /// </summary>
    public static async Task<int?> TakeNextNumberAsync(DbConnection c, DbTransaction t, string siteCode)
    {
        var updated = await c.ExecuteAsync(
            TakeNumberSql, new { siteCode }, t);
        if (updated == 0) return null;
        return await c.ExecuteScalarAsync<int>(
            TakenNumberSql, new { siteCode }, t);
    }

    public static Task<int> InsertAsync(DbConnection c, DbTransaction t, ParticipantRow p) =>
        c.ExecuteAsync(InsertSql, p, t);

    public static Task<ParticipantRow?> FindByCodeAsync(DbConnection c, string code, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<ParticipantRow>(FindByCodeSql, new { code }, t);

    public static Task<ParticipantRow?> FindByIdAsync(DbConnection c, Guid id, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<ParticipantRow>(FindByIdSql, new { id }, t);

    /// <summary>Participants of the given sites (all sites when <paramref name="sites"/> is null), in code order.</summary>
    public static async Task<IReadOnlyList<ParticipantRow>> ListAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ParticipantRow>(
            sites is null ? ListAllSql : ListOfSitesSql,
            new { sites })).AsList();

    public static async Task<IReadOnlyList<VisitRecordRow>> VisitRecordsAsync(DbConnection c, Guid participantId, DbTransaction? t = null) =>
        (await c.QueryAsync<VisitRecordRow>(
            VisitRecordsSql,
            new { participantId }, t)).AsList();

    /// <summary>Records the visit, or corrects its date when it was recorded before.</summary>
    public static async Task UpsertVisitRecordAsync(DbConnection c, DbTransaction t, VisitRecordRow v)
    {
        var updated = await c.ExecuteAsync(
            UpdateVisitRecordSql,
            v, t);
        if (updated == 0)
            await c.ExecuteAsync(
                InsertVisitRecordSql,
                v, t);
    }

    public static Task<int> DiscontinueInfusionsAsync(DbConnection c, DbTransaction t, Guid participantId, DateOnly date, string reason) =>
        c.ExecuteAsync(
            DiscontinueSql,
            new { participantId, date, reason }, t);
}
