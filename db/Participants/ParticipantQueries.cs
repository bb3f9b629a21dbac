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

    /// <summary>
    /// Takes the site's next participant number inside the enrolment transaction: a failed
    /// enrolment rolls the number back with it, so codes stay in order and gap-free, and a
    /// committed number is never handed out again. Null when the site does not exist.
    /// </summary>
    public static async Task<int?> TakeNextNumberAsync(DbConnection c, DbTransaction t, string siteCode)
    {
        var updated = await c.ExecuteAsync(
            "UPDATE Site SET NextParticipantNumber = NextParticipantNumber + 1 WHERE Code = @siteCode", new { siteCode }, t);
        if (updated == 0) return null;
        return await c.ExecuteScalarAsync<int>(
            "SELECT NextParticipantNumber - 1 FROM Site WHERE Code = @siteCode", new { siteCode }, t);
    }

    public static Task<int> InsertAsync(DbConnection c, DbTransaction t, ParticipantRow p) =>
        c.ExecuteAsync($"INSERT INTO Participant ({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(x => "@" + x))})", p, t);

    public static Task<ParticipantRow?> FindByCodeAsync(DbConnection c, string code, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<ParticipantRow>($"SELECT {Columns} FROM Participant WHERE Code = @code", new { code }, t);

    public static Task<ParticipantRow?> FindByIdAsync(DbConnection c, Guid id, DbTransaction? t = null) =>
        c.QuerySingleOrDefaultAsync<ParticipantRow>($"SELECT {Columns} FROM Participant WHERE Id = @id", new { id }, t);

    /// <summary>Participants of the given sites (all sites when <paramref name="sites"/> is null), in code order.</summary>
    public static async Task<IReadOnlyList<ParticipantRow>> ListAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ParticipantRow>(
            sites is null
                ? $"SELECT {Columns} FROM Participant ORDER BY SiteCode, Number"
                : $"SELECT {Columns} FROM Participant WHERE SiteCode IN @sites ORDER BY SiteCode, Number",
            new { sites })).AsList();

    public static async Task<IReadOnlyList<VisitRecordRow>> VisitRecordsAsync(DbConnection c, Guid participantId, DbTransaction? t = null) =>
        (await c.QueryAsync<VisitRecordRow>(
            "SELECT Id, ParticipantId, VisitCode, ActualDate, RecordedUtc, RecordedBy FROM VisitRecord WHERE ParticipantId = @participantId",
            new { participantId }, t)).AsList();

    /// <summary>Records the visit, or corrects its date when it was recorded before.</summary>
    public static async Task UpsertVisitRecordAsync(DbConnection c, DbTransaction t, VisitRecordRow v)
    {
        var updated = await c.ExecuteAsync(
            "UPDATE VisitRecord SET ActualDate = @ActualDate, RecordedUtc = @RecordedUtc, RecordedBy = @RecordedBy WHERE ParticipantId = @ParticipantId AND VisitCode = @VisitCode",
            v, t);
        if (updated == 0)
            await c.ExecuteAsync(
                "INSERT INTO VisitRecord (Id, ParticipantId, VisitCode, ActualDate, RecordedUtc, RecordedBy) VALUES (@Id, @ParticipantId, @VisitCode, @ActualDate, @RecordedUtc, @RecordedBy)",
                v, t);
    }

    public static Task<int> DiscontinueInfusionsAsync(DbConnection c, DbTransaction t, Guid participantId, DateOnly date, string reason) =>
        c.ExecuteAsync(
            "UPDATE Participant SET InfusionsDiscontinuedDate = @date, DiscontinuationReason = @reason WHERE Id = @participantId AND InfusionsDiscontinuedDate IS NULL",
            new { participantId, date, reason }, t);
}
