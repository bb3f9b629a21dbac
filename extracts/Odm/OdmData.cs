using System.Runtime.CompilerServices;
using System.Text.Json;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Odm;

/// <summary>
/// Reads what the ODM document carries from the pull's snapshot, for the pull's sites: the users its audit records name, and
/// the clinical data row by row (<see cref="ItemsAsync"/>). Nothing about arms is read.
/// </summary>
public static class OdmData
{
    /// <summary>
    /// Every participant, each visit recorded or assessed at (an assessment may be entered before its visit is recorded), and each
    /// item of the assessments made at it, in participant, visit (by date) and assessment order. A participant without visits is
    /// one row with no visit; a visit without assessments, one row with no instrument.
    /// </summary>
    public const string ItemsSql =
        $"""
        SELECT p.Code, p.SiteCode, x.VisitCode, a.Id, a.Instrument, a.Timepoint, a.CreatedBy, a.ReceivedUtc, i.ItemNumber, i.Value,
               p.EnrolledDate, p.Sex, p.BirthYear, p.WeightKg, p.FailedAntidepressantTrials, p.PsychotherapyWithoutResponse, p.BpdDiagnosis,
               p.PsychoticPersonalityOrganisation, p.HighSuicideRisk, v.ActualDate, a.AdministeredUtc, a.Unscheduled
        FROM Participant p
        LEFT JOIN (SELECT u.ParticipantId, u.VisitCode, MIN(u.At) AS At
                   FROM (SELECT ParticipantId, VisitCode, ActualDate AS At FROM VisitRecord
                         UNION ALL
                         SELECT ParticipantId, VisitCode, AdministeredUtc FROM Assessment) u
                   GROUP BY u.ParticipantId, u.VisitCode) x ON x.ParticipantId = p.Id
        LEFT JOIN VisitRecord v ON v.ParticipantId = p.Id AND v.VisitCode = x.VisitCode
        LEFT JOIN Assessment a ON a.ParticipantId = p.Id AND a.VisitCode = x.VisitCode
        LEFT JOIN AssessmentItem i ON i.AssessmentId = a.Id
        WHERE {ExtractSql.SiteFilter}
        ORDER BY p.SiteCode, p.Number, x.At, x.VisitCode, a.Instrument, a.AdministeredUtc, a.Id, i.ItemNumber
        """;

    /// <summary>Each correction of an assessment of the pull's sites: the version it replaced, by whom, when and why.</summary>
    public const string RevisionsSql =
        $"""
        SELECT r.AssessmentId, r.ItemsJson, r.ReplacedUtc, r.ReplacedBy, r.Reason
        FROM AssessmentRevision r
        JOIN Assessment a ON a.Id = r.AssessmentId
        JOIN Participant p ON p.Id = a.ParticipantId
        WHERE {ExtractSql.SiteFilter}
        ORDER BY r.AssessmentId, r.RowVersion
        """;

    /// <summary>The users who entered or corrected an assessment of the pull's sites, with their role (none for an id no user has).</summary>
    public const string UsersSql =
        $"""
        SELECT x.Id, u.Role
        FROM (SELECT a.CreatedBy AS Id FROM Assessment a JOIN Participant p ON p.Id = a.ParticipantId WHERE {ExtractSql.SiteFilter}
              UNION
              SELECT r.ReplacedBy FROM AssessmentRevision r JOIN Assessment a ON a.Id = r.AssessmentId JOIN Participant p ON p.Id = a.ParticipantId
              WHERE {ExtractSql.SiteFilter}) x
        LEFT JOIN AppUser u ON u.Id = x.Id
        ORDER BY x.Id
        """;

    /// <summary>A correction's ReasonForChange without free text: that it was a correction, not the words of its reason.</summary>
    public const string WithheldReason = "Correction (the reason is free text: includeFreeText=true, admins only)";

    /// <summary>One correction: the item values it replaced, and who made it, when and why.</summary>
    private sealed record Revision(decimal?[] Replaced, Guid By, DateTime AtUtc, string Reason);

    public static async Task<IReadOnlyList<OdmUser>> UsersAsync(ExportSnapshot snapshot, ExportFilter filter, CancellationToken ct)
    {
        var users = new List<OdmUser>();
        await using var reader = await ExtractSql.ReadAsync(snapshot, UsersSql, filter, ct);
        while (await reader.ReadAsync(ct)) users.Add(new OdmUser(ExportValues.Id(reader, 0)!.Value, ExportValues.Text(reader, 1)));
        return users;
    }

    /// <summary>
    /// The rows of <see cref="ItemsSql"/>, each item with the record of the change that gave it its value: the latest correction
    /// that changed it (with the correction's reason), or the first entry. The corrections are read first and held (a few per
    /// study, against a thousand item values per participant); the items stream.
    /// A correction's reason is given as written only with <c>includeFreeText</c> (an admin's includeFreeText=true): in the site's
    /// own words it may identify a person, so otherwise every correction carries <see cref="WithheldReason"/>.
    /// </summary>
    public static async IAsyncEnumerable<OdmItem> ItemsAsync(ExportSnapshot snapshot, ExportFilter filter, bool includeFreeText,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var revisions = new Dictionary<Guid, List<Revision>>();
        await using (var reader = await ExtractSql.ReadAsync(snapshot, RevisionsSql, filter, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = ExportValues.Id(reader, 0)!.Value;
                if (!revisions.TryGetValue(id, out var list)) revisions[id] = list = [];
                list.Add(new Revision(JsonSerializer.Deserialize<decimal?[]>(reader.GetString(1))!, ExportValues.Id(reader, 3)!.Value,
                    ExportValues.Instant(reader, 2)!.Value, includeFreeText ? reader.GetString(4) : WithheldReason));
            }
        }

        await using var rows = await ExtractSql.ReadAsync(snapshot, ItemsSql, filter, ct);
        while (await rows.ReadAsync(ct))
        {
            var subject = rows.GetString(0);
            var site = rows.GetString(1);
            var visit = ExportValues.Text(rows, 2);
            var assessment = ExportValues.Id(rows, 3);
            var enrolment = new OdmEnrolment(ExportValues.Date(rows, 10)!.Value, rows.GetString(11), ExportValues.Integer(rows, 12)!.Value,
                ExportValues.Number(rows, 13)!.Value, ExportValues.Integer(rows, 14)!.Value, ExportValues.Flag(rows, 15)!.Value, ExportValues.Flag(rows, 16)!.Value,
                ExportValues.Flag(rows, 17)!.Value, ExportValues.Flag(rows, 18)!.Value);
            var visitDate = ExportValues.Date(rows, 19);
            if (assessment is null || rows.IsDBNull(8))
            {
                yield return new OdmItem(subject, site, visit, null, null, 0, null, null, enrolment, visitDate);
                continue;
            }
            var item = ExportValues.Integer(rows, 8)!.Value;
            var value = ExportValues.Number(rows, 9);
            var entered = new OdmAudit(ExportValues.Id(rows, 6)!.Value, ExportValues.Instant(rows, 7)!.Value, null);
            var audit = revisions.TryGetValue(assessment.Value, out var corrections) ? LastChange(corrections, item, value) ?? entered : entered;
            var form = new OdmForm(ExportValues.Instant(rows, 20)!.Value, ExportValues.Flag(rows, 21)!.Value);
            yield return new OdmItem(subject, site, visit, rows.GetString(4), rows.GetString(5) is { Length: > 0 } tp ? tp : null, item, value, audit,
                enrolment, visitDate, form);
        }
    }

    /// <summary>
    /// The latest correction that changed the item: going back from the current value, the first correction whose replaced
    /// value differs from the value that followed it. Null when no correction changed it (the value is the first entry's).
    /// </summary>
    private static OdmAudit? LastChange(List<Revision> corrections, int item, decimal? current)
    {
        var after = current;
        for (var k = corrections.Count - 1; k >= 0; k--)
        {
            var replaced = item - 1 < corrections[k].Replaced.Length ? corrections[k].Replaced[item - 1] : null;
            if (replaced != after) return new OdmAudit(corrections[k].By, corrections[k].AtUtc, corrections[k].Reason);
            after = replaced;
        }
        return null;
    }
}
