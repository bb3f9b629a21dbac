using System.Data.Common;
using Dapper;

namespace Trial.Db.Exports;

/// <summary>What an extract covers: sites (null for every site), one instrument or all, and rows created or changed since an instant.</summary>
public sealed record ExportFilter(IReadOnlyList<string>? Sites, string? Instrument, DateTime? SinceUtc);

/// <summary>
/// The protocol facts the queries need, passed in so the SQL names no visit or instrument: the day-0 visit (INF1) and
/// the efficacy scale's instrument and score (the MADRS total).
/// </summary>
public sealed record ExportAnchors(string DayZeroVisit, string EfficacyInstrument, string EfficacyScore);

/// <summary>
/// The extract queries. Each returns an open reader over rows in a stable order, read through
/// the snapshot's transaction and handed on row by row: nothing is collected in memory. Filters
/// are parameters (null means "any") so each dataset has one SQL text for both dialects.
/// </summary>
public static class ExportQueries
{
    private const string SiteFilter = "(@anySite = 1 OR p.SiteCode IN @sites)";

    // An assessment changed when it was received or corrected (each correction keeps the replaced version, stamped).
    private const string AssessmentChanged =
        "(a.ReceivedUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AssessmentRevision r WHERE r.AssessmentId = a.Id AND r.ReplacedUtc >= @sinceUtc))";

    // Any change to the participant's own record or visits (enrolment, a visit recorded or moved, discontinuation,
    // withdrawal) leaves a row in the audit trail, stamped when it was made.
    private const string ParticipantChanged =
        "(p.EnrolledUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AuditEvent e WHERE e.ParticipantCode = p.Code AND e.EntityType IN ('participant', 'visit') AND e.AtUtc >= @sinceUtc))";

    private const string DayZeroJoin = "LEFT JOIN VisitRecord d0 ON d0.ParticipantId = p.Id AND d0.VisitCode = @dayZeroVisit";

    /// <summary>The first read of the snapshot's transaction, which fixes its moment.</summary>
    public const string FixSnapshotSql = "SELECT COUNT(*) FROM Site";

    /// <summary>Each site's time zone: dates in the extracts are the sites' own calendar dates.</summary>
    public const string SiteZonesSql = "SELECT Code, TimeZone FROM Site";

    /// <summary>
    /// Every column of the participant (p.*), so a column added to Participant (withdrawal) reaches
    /// the extract by one line in its dataset definition. Incremental: also a participant unblinded in an
    /// emergency or randomised since (the randomisation fills the unblinded extracts' arm columns).
    /// </summary>
    public const string ParticipantsSql =
        $"""
        SELECT p.* FROM Participant p
        WHERE {SiteFilter}
          AND (@sinceUtc IS NULL OR {ParticipantChanged} OR p.UnblindedUtc >= @sinceUtc
               OR EXISTS (SELECT 1 FROM Allocation al WHERE al.ParticipantId = p.Id AND al.RandomisedUtc >= @sinceUtc))
        ORDER BY p.SiteCode, p.Number
        """;

    /// <summary>One row per participant and recorded visit (a participant with none once, with a null visit), in participant order.</summary>
    public const string VisitRecordsSql =
        $"""
        SELECT p.Code AS ParticipantCode, p.SiteCode, p.EnrolledDate, p.InfusionsDiscontinuedDate, p.WithdrawnDate, v.VisitCode, v.ActualDate,
               CASE WHEN @sinceUtc IS NULL OR {ParticipantChanged}
                    THEN 1 ELSE 0 END AS ChangedSince
        FROM Participant p
        LEFT JOIN VisitRecord v ON v.ParticipantId = p.Id
        WHERE {SiteFilter}
        ORDER BY p.SiteCode, p.Number, v.VisitCode
        """;

    /// <summary>One row per assessment and score (an assessment without scores once, with a null score), in assessment order.</summary>
    public const string AssessmentScoresSql =
        $"""
        SELECT a.Id, p.Code AS ParticipantCode, p.SiteCode, a.VisitCode, a.Timepoint, a.Instrument, a.Unscheduled, a.AdministeredUtc,
               a.Complete, a.SeverityBand, a.DefinitionVersion, a.ProtocolVersion, a.RowVersion, d0.ActualDate AS DayZeroDate,
               COALESCE(m.MissingItems, 0) AS MissingItems, rv.Reason AS CorrectionReason, s.Name AS ScoreName, s.Value AS ScoreValue
        FROM Assessment a
        JOIN Participant p ON p.Id = a.ParticipantId
        {DayZeroJoin}
        LEFT JOIN (SELECT AssessmentId, COUNT(*) AS MissingItems FROM AssessmentItem WHERE Value IS NULL GROUP BY AssessmentId) m ON m.AssessmentId = a.Id
        LEFT JOIN AssessmentRevision rv ON rv.AssessmentId = a.Id AND rv.RowVersion = a.RowVersion - 1
        LEFT JOIN AssessmentScore s ON s.AssessmentId = a.Id
        WHERE {SiteFilter}
          AND (@instrument IS NULL OR a.Instrument = @instrument)
          AND (@sinceUtc IS NULL OR {AssessmentChanged})
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id
        """;

    /// <summary>
    /// One row per item response, in participant, administration and item order. The assessment's
    /// columns repeat on each of its items, so a reader only needs them when the item number
    /// does not go up (a new assessment starts). CROSS JOIN with the join condition in WHERE means the
    /// same as JOIN in both dialects, and tells SQLite to walk participants in index order and sort each
    /// one's few hundred rows, instead of sorting the whole table (it would otherwise start from the items);
    /// INF1's date is looked up once per participant, before the join that multiplies the rows.
    /// </summary>
    public const string ItemsSql =
        $"""
        SELECT i.ItemNumber, i.Value, p.Code AS ParticipantCode, p.SiteCode, a.VisitCode, a.Timepoint, a.Instrument, a.AdministeredUtc, d0.ActualDate AS DayZeroDate
        FROM Participant p
        {DayZeroJoin}
        CROSS JOIN Assessment a
        JOIN AssessmentItem i ON i.AssessmentId = a.Id
        WHERE a.ParticipantId = p.Id
          AND {SiteFilter}
          AND (@instrument IS NULL OR a.Instrument = @instrument)
          AND (@sinceUtc IS NULL OR {AssessmentChanged})
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id, i.ItemNumber
        """;

    /// <summary>
    /// Every total of the efficacy instrument, in participant order (a participant's rows together: their baseline is
    /// among them). Incremental: all of a participant's rows when any of their assessments of that instrument changed,
    /// since a changed baseline changes every row.
    /// </summary>
    public const string EfficacySql =
        $"""
        SELECT p.Code AS ParticipantCode, p.SiteCode, a.VisitCode, a.Timepoint, a.AdministeredUtc, d0.ActualDate AS DayZeroDate, s.Value AS Total
        FROM Assessment a
        JOIN Participant p ON p.Id = a.ParticipantId
        JOIN AssessmentScore s ON s.AssessmentId = a.Id AND s.Name = @score
        {DayZeroJoin}
        WHERE a.Instrument = @efficacyInstrument
          AND {SiteFilter}
          AND (@instrument IS NULL OR @instrument = @efficacyInstrument)
          AND (@sinceUtc IS NULL OR EXISTS (
                SELECT 1 FROM Assessment x WHERE x.ParticipantId = a.ParticipantId AND x.Instrument = @efficacyInstrument
                  AND (x.ReceivedUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AssessmentRevision r WHERE r.AssessmentId = x.Id AND r.ReplacedUtc >= @sinceUtc))))
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id
        """;

    public const string AdverseEventsSql =
        $"""
        SELECT e.Id, p.Code AS ParticipantCode, p.SiteCode, e.Term, e.CodedTerm, e.OnsetDate, e.EndDate, e.Severity, e.Serious, e.SeriousCriteria,
               e.Relatedness, e.Expected, e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest, e.RowVersion,
               d0.ActualDate AS DayZeroDate
        FROM AdverseEvent e
        JOIN Participant p ON p.Id = e.ParticipantId
        {DayZeroJoin}
        WHERE {SiteFilter}
          AND (@sinceUtc IS NULL OR e.UpdatedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number, e.OnsetDate, e.Id
        """;

    /// <summary>
    /// One row per alert and event of its history (raised, acknowledged, escalated, resolved, superseded, ...), in alert order;
    /// raised first among events of the same instant (an evaluation may raise and supersede within one write).
    /// </summary>
    public const string SafetyAlertEventsSql =
        $"""
        SELECT a.Id, p.Code AS ParticipantCode, p.SiteCode, a.RuleCode, a.Severity, a.SourceType, a.SourceKey, a.VisitCode, a.Status,
               a.Escalated, a.RaisedUtc, a.SupersededUtc, a.ProtocolVersion,
               ev.Action AS EventAction, ev.ActorRole AS EventActorRole, ev.AtUtc AS EventAtUtc, ev.Comment AS EventComment
        FROM SafetyAlert a
        JOIN Participant p ON p.Id = a.ParticipantId
        LEFT JOIN SafetyAlertEvent ev ON ev.AlertId = a.Id
        WHERE {SiteFilter}
          AND (@sinceUtc IS NULL OR a.RaisedUtc >= @sinceUtc OR a.SupersededUtc >= @sinceUtc
               OR EXISTS (SELECT 1 FROM SafetyAlertEvent x WHERE x.AlertId = a.Id AND x.AtUtc >= @sinceUtc))
        ORDER BY p.SiteCode, p.Number, a.RaisedUtc, a.Id, ev.AtUtc, CASE WHEN ev.Action = 'raised' THEN 0 ELSE 1 END, ev.Id
        """;

    public static Task<DbDataReader> ParticipantsAsync(ExportSnapshot s, ExportFilter f, CancellationToken ct) =>
        ReadAsync(s, ParticipantsSql, Parameters(f), ct);

    public static Task<DbDataReader> VisitRecordsAsync(ExportSnapshot s, ExportFilter f, CancellationToken ct) =>
        ReadAsync(s, VisitRecordsSql, Parameters(f), ct);

    public static Task<DbDataReader> AssessmentScoresAsync(ExportSnapshot s, ExportFilter f, ExportAnchors anchors, CancellationToken ct) =>
        ReadAsync(s, AssessmentScoresSql, Parameters(f, anchors), ct);

    public static Task<DbDataReader> ItemsAsync(ExportSnapshot s, ExportFilter f, ExportAnchors anchors, CancellationToken ct) =>
        ReadAsync(s, ItemsSql, Parameters(f, anchors), ct);

    public static Task<DbDataReader> EfficacyAsync(ExportSnapshot s, ExportFilter f, ExportAnchors anchors, CancellationToken ct) =>
        ReadAsync(s, EfficacySql, Parameters(f, anchors), ct);

    public static Task<DbDataReader> AdverseEventsAsync(ExportSnapshot s, ExportFilter f, ExportAnchors anchors, CancellationToken ct) =>
        ReadAsync(s, AdverseEventsSql, Parameters(f, anchors), ct);

    public static Task<DbDataReader> SafetyAlertEventsAsync(ExportSnapshot s, ExportFilter f, CancellationToken ct) =>
        ReadAsync(s, SafetyAlertEventsSql, Parameters(f), ct);

    private static Task<DbDataReader> ReadAsync(ExportSnapshot s, string sql, DynamicParameters parameters, CancellationToken ct) =>
        // No command timeout: a large extract streams for as long as its client reads.
        s.Session.Connection.ExecuteReaderAsync(s.Session.Command(sql, parameters, commandTimeout: 0, ct: ct));

    private static DynamicParameters Parameters(ExportFilter f, ExportAnchors? anchors = null)
    {
        // Names as in the SQL texts: SQLite binds parameters by exact, case-sensitive name.
        var p = new DynamicParameters(new
        {
            anySite = f.Sites is null ? 1 : 0,
            sites = f.Sites ?? [""],
            instrument = f.Instrument,
            sinceUtc = f.SinceUtc,
        });
        if (anchors is not null)
        {
            p.AddDynamicParams(new
            {
                dayZeroVisit = anchors.DayZeroVisit,
                efficacyInstrument = anchors.EfficacyInstrument,
                score = anchors.EfficacyScore,
            });
        }
        return p;
    }
}
