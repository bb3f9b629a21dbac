using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.AdverseEvents;

public sealed class AdverseEventRow
{
    public Guid Id { get; init; }
    public Guid ParticipantId { get; init; }
    public string ParticipantCode { get; init; } = "";
    public string SiteCode { get; init; } = "";

    /// <summary>The participant's number at the site: read by the list only, whose order (and cursor) it is part of.</summary>
    public int ParticipantNumber { get; init; }

    public string SiteTimeZone { get; init; } = "UTC";
    public string Term { get; init; } = "";
    public string? CodedTerm { get; init; }
    public DateOnly OnsetDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public string Severity { get; init; } = "";
    public bool Serious { get; init; }
    /// <summary>Comma-separated ICH E2A criteria, in the order of the allowed list.</summary>
    public string SeriousCriteria { get; init; } = "";
    public string Relatedness { get; init; } = "";
    public bool Expected { get; init; }
    public string ActionTaken { get; init; } = "";
    public string Outcome { get; init; } = "";
    public DateOnly AwareDate { get; init; }
    /// <summary>The instant the site learned of the event, when it was recorded (else only <see cref="AwareDate"/> is known).</summary>
    public DateTime? AwareUtc { get; init; }
    public DateTime? SponsorReportedUtc { get; init; }
    public string? SpecialInterest { get; init; }
    public int RowVersion { get; init; }
    public DateTime RecordedUtc { get; init; }
    public Guid RecordedBy { get; init; }
    public DateTime UpdatedUtc { get; init; }
    public Guid UpdatedBy { get; init; }

    public IReadOnlyList<string> SeriousCriteriaList => SeriousCriteria.Length == 0 ? [] : SeriousCriteria.Split(',');
}

public static class AdverseEventQueries
{
    private const string Columns =
        "Id, ParticipantId, Term, CodedTerm, OnsetDate, EndDate, Severity, Serious, SeriousCriteria, Relatedness, Expected, ActionTaken, " +
        "Outcome, AwareDate, AwareUtc, SponsorReportedUtc, SpecialInterest, RowVersion, RecordedUtc, RecordedBy, UpdatedUtc, UpdatedBy";

    private const string Select =
        """
        SELECT e.Id, e.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, s.TimeZone AS SiteTimeZone, e.Term, e.CodedTerm, e.OnsetDate, e.EndDate, e.Severity, e.Serious,
               e.SeriousCriteria, e.Relatedness, e.Expected, e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest,
               e.RowVersion, e.RecordedUtc, e.RecordedBy, e.UpdatedUtc, e.UpdatedBy
        FROM AdverseEvent e JOIN Participant p ON p.Id = e.ParticipantId JOIN Site s ON s.Code = p.SiteCode
        """;

    private const string InsertSql =
        $"INSERT INTO AdverseEvent ({Columns}) VALUES (@Id, @ParticipantId, @Term, @CodedTerm, @OnsetDate, @EndDate, @Severity, @Serious, @SeriousCriteria, " +
        "@Relatedness, @Expected, @ActionTaken, @Outcome, @AwareDate, @AwareUtc, @SponsorReportedUtc, @SpecialInterest, @RowVersion, @RecordedUtc, @RecordedBy, @UpdatedUtc, @UpdatedBy)";

    private const string UpdateSql =
        """
        UPDATE AdverseEvent SET Term = @Term, CodedTerm = @CodedTerm, OnsetDate = @OnsetDate, EndDate = @EndDate, Severity = @Severity, Serious = @Serious,
               SeriousCriteria = @SeriousCriteria, Relatedness = @Relatedness, Expected = @Expected, ActionTaken = @ActionTaken, Outcome = @Outcome,
               AwareDate = @AwareDate, AwareUtc = @AwareUtc, SponsorReportedUtc = @SponsorReportedUtc, SpecialInterest = @SpecialInterest, RowVersion = @RowVersion,
               UpdatedUtc = @UpdatedUtc, UpdatedBy = @UpdatedBy
        WHERE Id = @Id AND RowVersion = @RowVersion - 1
        """;

    private const string GetSql = Select + " WHERE e.Id = @id";
    private const string ByIdsSql = Select + " WHERE e.Id IN @ids";
    private const string ForParticipantSql = Select + " WHERE e.ParticipantId = @participantId ORDER BY e.OnsetDate, e.Id";
    // A page after the event (@afterSite, @afterNumber, @afterOnset, @afterId) in the list's order: participants by site and
    // number (UQ_Participant_Site_Number), each one's events by onset and id (IX_AdverseEvent_ParticipantId_OnsetDate_Id).
    // The first condition is a range on the participants' index, so a page starts near where the one before ended.
    private const string ListSql =
        """
        SELECT TOP (@limit) e.Id, e.ParticipantId, p.Code AS ParticipantCode, p.SiteCode, p.Number AS ParticipantNumber, s.TimeZone AS SiteTimeZone, e.Term, e.CodedTerm, e.OnsetDate, e.EndDate,
               e.Severity, e.Serious, e.SeriousCriteria, e.Relatedness, e.Expected, e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc,
               e.SpecialInterest, e.RowVersion, e.RecordedUtc, e.RecordedBy, e.UpdatedUtc, e.UpdatedBy
        FROM Participant p JOIN AdverseEvent e ON e.ParticipantId = p.Id JOIN Site s ON s.Code = p.SiteCode
        WHERE p.SiteCode >= @afterSite
          AND (p.SiteCode > @afterSite OR p.Number > @afterNumber
               OR (p.Number = @afterNumber AND (e.OnsetDate > @afterOnset OR (e.OnsetDate = @afterOnset AND e.Id > @afterId))))
          AND (@anySite = 1 OR p.SiteCode IN @sites)
          AND (@participantCode IS NULL OR p.Code = @participantCode)
        ORDER BY p.SiteCode, p.Number, e.OnsetDate, e.Id
        """;

    public static Task<int> InsertAsync(DbSession s, AdverseEventRow row) => s.ExecuteAsync(InsertSql, row);

    /// <summary>Writes the new version when the stored one is still the one before it; 0 rows when someone else changed it first.</summary>
    public static Task<int> UpdateAsync(DbSession s, AdverseEventRow row) => s.ExecuteAsync(UpdateSql, row);

    public static Task<AdverseEventRow?> GetAsync(DbSession s, Guid id) =>
        s.QuerySingleOrDefaultAsync<AdverseEventRow>(GetSql, new { id });

    public static async Task<IReadOnlyList<AdverseEventRow>> ListByIdsAsync(DbSession s, IReadOnlyCollection<Guid> ids) =>
        ids.Count == 0 ? [] : (await s.QueryAsync<AdverseEventRow>(ByIdsSql, new { ids })).AsList();

    public static async Task<IReadOnlyList<AdverseEventRow>> ForParticipantAsync(DbSession s, Guid participantId) =>
        (await s.QueryAsync<AdverseEventRow>(ForParticipantSql, new { participantId })).AsList();

    /// <summary>
    /// Up to <paramref name="limit"/> adverse events of <paramref name="sites"/> (null: every site), of one participant when
    /// <paramref name="participantCode"/> is given, after the event the key names (the first page: after ("", 0, min, empty)).
    /// </summary>
    public static async Task<IReadOnlyList<AdverseEventRow>> ListAsync(DbSession s, IReadOnlyList<string>? sites, string? participantCode, int limit,
        string afterSite, int afterNumber, DateOnly afterOnset, Guid afterId) =>
        (await s.QueryAsync<AdverseEventRow>(s.Dialect.Top(ListSql), new
        {
            limit, afterSite, afterNumber, afterOnset, afterId, participantCode,
            anySite = sites is null ? 1 : 0,
            sites = sites ?? [""],
        })).AsList();
}
