using System.Data.Common;
using Dapper;

namespace Trial.Extracts.Reading;

/// <summary>
/// What the extract queries share. Each dataset keeps its own query beside the code that reads its columns; each returns
/// an open reader over rows in a stable order, read through the snapshot's transaction and handed on row by row: nothing
/// is collected in memory. Filters are parameters (null means "any") so each dataset has one SQL text for both dialects.
/// The pieces below are parts of those texts, not whole queries.
/// </summary>
public static class ExtractSql
{
    public const string SiteFilter = "(@anySite = 1 OR p.SiteCode IN @sites)";

    // An assessment changed when it was received or corrected (each correction keeps the replaced version, stamped).
    public const string AssessmentChanged =
        "(a.ReceivedUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AssessmentRevision r WHERE r.AssessmentId = a.Id AND r.ReplacedUtc >= @sinceUtc))";

    // Any change to the participant's own record or visits (enrolment, a visit recorded or moved, discontinuation,
    // withdrawal) leaves a row in the audit trail, stamped when it was made.
    public const string ParticipantChanged =
        "(p.EnrolledUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AuditEvent e WHERE e.ParticipantCode = p.Code AND e.EntityType IN ('participant', 'visit') AND e.AtUtc >= @sinceUtc))";

    public const string DayZeroJoin = "LEFT JOIN VisitRecord d0 ON d0.ParticipantId = p.Id AND d0.VisitCode = @dayZeroVisit";

    /// <summary>Runs <paramref name="sql"/> through the snapshot with the filter's parameters.</summary>
    public static Task<DbDataReader> ReadAsync(ExportSnapshot s, string sql, ExportFilter f, CancellationToken ct) =>
        ReadAsync(s, sql, Parameters(f), ct);

    /// <summary>Runs <paramref name="sql"/> through the snapshot with the filter's parameters and the protocol's anchors.</summary>
    public static Task<DbDataReader> ReadAsync(ExportSnapshot s, string sql, ExportFilter f, ExportAnchors anchors, CancellationToken ct) =>
        ReadAsync(s, sql, Parameters(f, anchors), ct);

    /// <summary>As above, with further parameters of the dataset's own (protocol facts its query names, e.g. visit codes).</summary>
    public static Task<DbDataReader> ReadAsync(ExportSnapshot s, string sql, ExportFilter f, ExportAnchors anchors, object more, CancellationToken ct)
    {
        var parameters = Parameters(f, anchors);
        parameters.AddDynamicParams(more);
        return ReadAsync(s, sql, parameters, ct);
    }

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
            p.AddDynamicParams(new { dayZeroVisit = anchors.DayZeroVisit });
        }
        return p;
    }
}
