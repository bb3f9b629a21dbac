using Dapper;
using Trial.Core.Schedule;
using Trial.Db.Infrastructure;

namespace Trial.Db.Participants;

public sealed class ParticipantRow
{
    public Guid Id { get; init; }
    public string Code { get; init; } = "";
    public string SiteCode { get; init; } = "";
    /// <summary>The IANA time zone of the participant's site: its local calendar is the participant's calendar.</summary>
    public string SiteTimeZone { get; init; } = "UTC";
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
    /// <summary>The coded reason infusions stopped (a CDISC NCOMPLT term); null when they did not, or when recorded before codes were kept.</summary>
    public string? DiscontinuationReasonCode { get; init; }
    public DateTime? DiscontinuedUtc { get; init; }
    public Guid? DiscontinuedBy { get; init; }
    public DateOnly? WithdrawnDate { get; init; }
    public string? WithdrawalReason { get; init; }
    /// <summary>The coded reason the participant left the study (a CDISC NCOMPLT term); null when they did not, or when recorded before codes were kept.</summary>
    public string? WithdrawalReasonCode { get; init; }
    public DateTime? WithdrawnUtc { get; init; }
    public Guid? WithdrawnBy { get; init; }
    public int RowVersion { get; init; } = 1;
    public Guid CreatedBy { get; init; }
    /// <summary>The eligible screening the participant was enrolled from (e.g. WAW-S0001).</summary>
    public string? ScreeningNumber { get; init; }

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(SiteTimeZone);

    /// <summary>What the participant's schedule is computed from: enrolment, the visits recorded, the discontinuation of infusions and withdrawal.</summary>
    public ScheduleInput ScheduleInput(IEnumerable<VisitRecordRow> visits) =>
        new(EnrolledDate, visits.Select(v => new RecordedVisit(v.VisitCode, v.ActualDate)).ToList(), InfusionsDiscontinuedDate, WithdrawnDate);
}

public sealed class VisitRecordRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string VisitCode { get; init; } = "";
    public DateOnly ActualDate { get; init; }
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
    public int RowVersion { get; init; } = 1;
    public DateTime? UpdatedUtc { get; init; }
    public Guid? UpdatedBy { get; init; }
}

public static class ParticipantQueries
{
    private const string Columns =
        "Id, Code, SiteCode, Number, Sex, BirthYear, WeightKg, FailedAntidepressantTrials, PsychotherapyWithoutResponse, " +
        "BpdDiagnosis, PsychoticPersonalityOrganisation, HighSuicideRisk, Status, EnrolledDate, EnrolledUtc, ProtocolVersion, " +
        "InfusionsDiscontinuedDate, DiscontinuationReason, DiscontinuationReasonCode, CreatedBy, ScreeningNumber";

    private const string Select = "SELECT " + ColumnsAndFrom;

    private const string ColumnsAndFrom =
        """
        p.Id, p.Code, p.SiteCode, s.TimeZone AS SiteTimeZone, p.Number, p.Sex, p.BirthYear, p.WeightKg, p.FailedAntidepressantTrials,
               p.PsychotherapyWithoutResponse, p.BpdDiagnosis, p.PsychoticPersonalityOrganisation, p.HighSuicideRisk, p.Status, p.EnrolledDate,
               p.EnrolledUtc, p.ProtocolVersion, p.InfusionsDiscontinuedDate, p.DiscontinuationReason, p.DiscontinuationReasonCode, p.DiscontinuedUtc,
               p.DiscontinuedBy, p.WithdrawnDate, p.WithdrawalReason, p.WithdrawalReasonCode, p.WithdrawnUtc, p.WithdrawnBy, p.RowVersion, p.CreatedBy, p.ScreeningNumber
        FROM Participant p JOIN Site s ON s.Code = p.SiteCode
        """;

    private const string VisitColumns = "Id, ParticipantId, VisitCode, ActualDate, RecordedUtc, RecordedBy, RowVersion, UpdatedUtc, UpdatedBy";

    private const string TakeNumberSql = "UPDATE Site SET NextParticipantNumber = NextParticipantNumber + 1 WHERE Code = @siteCode";
    private const string TakenNumberSql = "SELECT NextParticipantNumber - 1 FROM Site WHERE Code = @siteCode";
    private const string InsertSql = $"INSERT INTO Participant ({Columns}) VALUES (@Id, @Code, @SiteCode, @Number, @Sex, @BirthYear, @WeightKg, @FailedAntidepressantTrials, @PsychotherapyWithoutResponse, @BpdDiagnosis, @PsychoticPersonalityOrganisation, @HighSuicideRisk, @Status, @EnrolledDate, @EnrolledUtc, @ProtocolVersion, @InfusionsDiscontinuedDate, @DiscontinuationReason, @DiscontinuationReasonCode, @CreatedBy, @ScreeningNumber)";
    private const string FindByCodeSql = Select + " WHERE p.Code = @code";
    private const string FindByIdSql = Select + " WHERE p.Id = @id";
    private const string VisitRecordsSql = $"SELECT {VisitColumns} FROM VisitRecord WHERE ParticipantId = @participantId";
    private const string InsertVisitRecordSql = $"INSERT INTO VisitRecord ({VisitColumns}) VALUES (@Id, @ParticipantId, @VisitCode, @ActualDate, @RecordedUtc, @RecordedBy, 1, NULL, NULL)";

    private const string CorrectVisitRecordSql =
        """
        UPDATE VisitRecord SET ActualDate = @actualDate, RowVersion = RowVersion + 1, UpdatedUtc = @nowUtc, UpdatedBy = @by
        WHERE ParticipantId = @participantId AND VisitCode = @visitCode AND RowVersion = @expectedVersion
        """;

    private const string DiscontinueSql =
        """
        UPDATE Participant SET InfusionsDiscontinuedDate = @date, DiscontinuationReason = @reason, DiscontinuationReasonCode = @reasonCode,
               DiscontinuedUtc = @nowUtc, DiscontinuedBy = @by, RowVersion = RowVersion + 1
        WHERE Id = @participantId AND RowVersion = @expectedVersion
        """;

    private const string WithdrawSql =
        """
        UPDATE Participant SET Status = 'withdrawn', WithdrawnDate = @date, WithdrawalReason = @reason, WithdrawalReasonCode = @reasonCode,
               WithdrawnUtc = @nowUtc, WithdrawnBy = @by, RowVersion = RowVersion + 1
        WHERE Id = @participantId AND Status = 'enrolled'
        """;

    private const string CompleteSql =
        """
        UPDATE Participant SET Status = 'completed', RowVersion = RowVersion + 1
        WHERE Id = @participantId AND Status = 'enrolled'
        """;

    // A page after the participant (@afterSite, @afterNumber) in the list's order, site then number, which is the order of
    // UQ_Participant_Site_Number; the first condition is a range on it, so a page starts where the one before ended.
    private const string ListAllSql =
        "SELECT TOP (@limit) " + ColumnsAndFrom +
        " WHERE p.SiteCode >= @afterSite AND (p.SiteCode > @afterSite OR p.Number > @afterNumber) ORDER BY p.SiteCode, p.Number";
    private const string ListOfSitesSql =
        "SELECT TOP (@limit) " + ColumnsAndFrom +
        " WHERE p.SiteCode IN @sites AND p.SiteCode >= @afterSite AND (p.SiteCode > @afterSite OR p.Number > @afterNumber) ORDER BY p.SiteCode, p.Number";

    /// <summary>
    /// Takes the site's next participant number inside the enrolment transaction: a failed
    /// enrolment rolls the number back with it, so codes stay in order and gap-free, and a
    /// committed number is never handed out again. Null when the site does not exist.
    /// </summary>
    public static async Task<int?> TakeNextNumberAsync(DbSession s, string siteCode)
    {
        var updated = await s.ExecuteAsync(TakeNumberSql, new { siteCode });
        if (updated == 0) return null;
        return await s.ExecuteScalarAsync<int>(TakenNumberSql, new { siteCode });
    }

    public static Task<int> InsertAsync(DbSession s, ParticipantRow p) =>
        s.ExecuteAsync(InsertSql, p);

    public static Task<ParticipantRow?> FindByCodeAsync(DbSession s, string code) =>
        s.QuerySingleOrDefaultAsync<ParticipantRow>(FindByCodeSql, new { code });

    public static Task<ParticipantRow?> FindByIdAsync(DbSession s, Guid id) =>
        s.QuerySingleOrDefaultAsync<ParticipantRow>(FindByIdSql, new { id });

    /// <summary>Participants of the given sites (all sites when <paramref name="sites"/> is null), in code order.</summary>
    /// <summary>
    /// Up to <paramref name="limit"/> participants of <paramref name="sites"/> (null: every site) after the participant numbered
    /// <paramref name="afterNumber"/> at <paramref name="afterSite"/>, by site and number; the first page is after ("", 0).
    /// </summary>
    public static async Task<IReadOnlyList<ParticipantRow>> ListAsync(DbSession s, IReadOnlyList<string>? sites, int limit, string afterSite, int afterNumber) =>
        (await s.QueryAsync<ParticipantRow>(s.Dialect.Top(sites is null ? ListAllSql : ListOfSitesSql), new { sites, limit, afterSite, afterNumber })).AsList();

    public static async Task<IReadOnlyList<VisitRecordRow>> VisitRecordsAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<VisitRecordRow>(VisitRecordsSql, new { participantId })).AsList();

    public static Task<int> InsertVisitRecordAsync(DbSession s, VisitRecordRow v) =>
        s.ExecuteAsync(InsertVisitRecordSql, v);

    /// <summary>Moves a recorded visit to another date; 0 rows when it is no longer at <paramref name="expectedVersion"/>.</summary>
    public static Task<int> CorrectVisitRecordAsync(DbSession s, Guid participantId, string visitCode, DateOnly actualDate,
        int expectedVersion, DateTime nowUtc, Guid by) =>
        s.ExecuteAsync(CorrectVisitRecordSql, new { participantId, visitCode, actualDate, expectedVersion, nowUtc, by });

    /// <summary>Records (or corrects) when and why infusions stopped; 0 rows when the participant is no longer at <paramref name="expectedVersion"/>.</summary>
    public static Task<int> DiscontinueInfusionsAsync(DbSession s, Guid participantId, DateOnly date, string reasonCode, string reason,
        int expectedVersion, DateTime nowUtc, Guid by) =>
        s.ExecuteAsync(DiscontinueSql, new { participantId, date, reasonCode, reason, expectedVersion, nowUtc, by });

    /// <summary>Withdraws the participant from the study; 0 rows when they are no longer enrolled (already withdrawn, or completed).</summary>
    public static Task<int> WithdrawAsync(DbSession s, Guid participantId, DateOnly date, string reasonCode, string reason, DateTime nowUtc, Guid by) =>
        s.ExecuteAsync(WithdrawSql, new { participantId, date, reasonCode, reason, nowUtc, by });

    /// <summary>Marks an enrolled participant as having completed the study; 0 rows when they are not enrolled (withdrawn, or already completed).</summary>
    public static Task<int> CompleteAsync(DbSession s, Guid participantId) =>
        s.ExecuteAsync(CompleteSql, new { participantId });
}
