using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Screening;

/// <summary>One screening: the eligibility answers recorded at a site on a date, and what they concluded.</summary>
public sealed class ScreeningRow
{
    public Guid Id { get; init; }
    /// <summary>The site's code and its number, e.g. WAW-S0001.</summary>
    public string ScreeningNumber { get; init; } = "";
    public string SiteCode { get; init; } = "";
    public int Number { get; init; }
    /// <summary>The date of the screening in the site's calendar.</summary>
    public DateOnly ScreeningDate { get; init; }
    public string Outcome { get; init; } = "";
    /// <summary>The codes of the criteria failed, semicolon-joined; empty when eligible.</summary>
    public string FailedCriteria { get; init; } = "";
    public int FailedAntidepressantTrials { get; init; }
    public bool PsychotherapyWithoutResponse { get; init; }
    public bool BpdDiagnosis { get; init; }
    public bool PsychoticPersonalityOrganisation { get; init; }
    public bool HighSuicideRisk { get; init; }
    /// <summary>The site's free-text comment; only admins read it.</summary>
    public string? Reason { get; init; }
    public string ProtocolVersion { get; init; } = "";
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
    /// <summary>The participant enrolled from this screening; null while none is (read, never written: the participant holds the link).</summary>
    public string? ParticipantCode { get; init; }

    public IReadOnlyList<string> FailedCriteriaCodes => FailedCriteria.Length == 0 ? [] : FailedCriteria.Split(';');
}

public static class ScreeningQueries
{
    private const string Columns =
        "Id, ScreeningNumber, SiteCode, Number, ScreeningDate, Outcome, FailedCriteria, FailedAntidepressantTrials, PsychotherapyWithoutResponse, " +
        "BpdDiagnosis, PsychoticPersonalityOrganisation, HighSuicideRisk, Reason, ProtocolVersion, RecordedUtc, RecordedBy";

    private const string Select = "SELECT " + ColumnsAndFrom;

    private const string ColumnsAndFrom =
        """
        sc.Id, sc.ScreeningNumber, sc.SiteCode, sc.Number, sc.ScreeningDate, sc.Outcome, sc.FailedCriteria, sc.FailedAntidepressantTrials,
               sc.PsychotherapyWithoutResponse, sc.BpdDiagnosis, sc.PsychoticPersonalityOrganisation, sc.HighSuicideRisk, sc.Reason, sc.ProtocolVersion,
               sc.RecordedUtc, sc.RecordedBy, p.Code AS ParticipantCode
        FROM Screening sc LEFT JOIN Participant p ON p.ScreeningNumber = sc.ScreeningNumber
        """;

    private const string TakeNumberSql = "UPDATE Site SET NextScreeningNumber = NextScreeningNumber + 1 WHERE Code = @siteCode";
    private const string TakenNumberSql = "SELECT NextScreeningNumber - 1 FROM Site WHERE Code = @siteCode";
    private const string InsertSql =
        $"INSERT INTO Screening ({Columns}) VALUES (@Id, @ScreeningNumber, @SiteCode, @Number, @ScreeningDate, @Outcome, @FailedCriteria, @FailedAntidepressantTrials, @PsychotherapyWithoutResponse, @BpdDiagnosis, @PsychoticPersonalityOrganisation, @HighSuicideRisk, @Reason, @ProtocolVersion, @RecordedUtc, @RecordedBy)";
    private const string FindByNumberSql = Select + " WHERE sc.ScreeningNumber = @screeningNumber";
    // A page after the screening (@afterSite, @afterNumber) in the list's order, site then number, which is the order of
    // UQ_Screening_Site_Number; the first condition is a range on it, so a page starts where the one before ended.
    private const string ListAllSql =
        "SELECT TOP (@limit) " + ColumnsAndFrom + " WHERE sc.SiteCode >= @afterSite AND (sc.SiteCode > @afterSite OR sc.Number > @afterNumber) ORDER BY sc.SiteCode, sc.Number";
    private const string ListOfSitesSql =
        "SELECT TOP (@limit) " + ColumnsAndFrom +
        " WHERE sc.SiteCode IN @sites AND sc.SiteCode >= @afterSite AND (sc.SiteCode > @afterSite OR sc.Number > @afterNumber) ORDER BY sc.SiteCode, sc.Number";

    /// <summary>
    /// Takes the site's next screening number inside the recording transaction (a refused write gives it back, so numbers stay
    /// in order and without gaps); the update also holds the site's row until the transaction ends, so two enrolments from
    /// one site's screenings never run side by side. Null when the site does not exist.
    /// </summary>
    public static async Task<int?> TakeNextNumberAsync(DbSession s, string siteCode)
    {
        var updated = await s.ExecuteAsync(TakeNumberSql, new { siteCode });
        if (updated == 0) return null;
        return await s.ExecuteScalarAsync<int>(TakenNumberSql, new { siteCode });
    }

    public static Task<int> InsertAsync(DbSession s, ScreeningRow row) =>
        s.ExecuteAsync(InsertSql, row);

    /// <summary>The screening with this number, with the participant enrolled from it if any.</summary>
    public static Task<ScreeningRow?> FindByNumberAsync(DbSession s, string screeningNumber) =>
        s.QuerySingleOrDefaultAsync<ScreeningRow>(FindByNumberSql, new { screeningNumber });

    /// <summary>
    /// Up to <paramref name="limit"/> screenings of <paramref name="sites"/> (null: every site) after the screening numbered
    /// <paramref name="afterNumber"/> at <paramref name="afterSite"/>, by site and number; the first page is after ("", 0).
    /// </summary>
    public static async Task<IReadOnlyList<ScreeningRow>> ListAsync(DbSession s, IReadOnlyList<string>? sites, int limit, string afterSite, int afterNumber) =>
        (await s.QueryAsync<ScreeningRow>(s.Dialect.Top(sites is null ? ListAllSql : ListOfSitesSql), new { sites, limit, afterSite, afterNumber })).AsList();
}
