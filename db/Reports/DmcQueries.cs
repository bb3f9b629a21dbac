using Dapper;
using Trial.Core.Instruments;
using Trial.Core.Reports;
using Trial.Core.Sites;
using Trial.Db.Infrastructure;

namespace Trial.Db.Reports;

/// <summary>
/// What the data monitoring committee's reports are built from, read in one go so that every figure of a report was true at
/// the same moment: in the read transaction of <see cref="Infrastructure.Database.ReadAsync{T}"/> (SNAPSHOT isolation on SQL
/// Server). Every row but the enrolments is of a
/// randomised participant, and carries the arm only where the report needs it. Sites as elsewhere: null means every site.
/// </summary>
public static class DmcQueries
{
    private const string SiteFilter = "(@anySite = 1 OR p.SiteCode IN @sites)";

    // Both engines fix a transaction's snapshot at its first read, not at BEGIN: this read fixes it before the cut-off is taken.
    private const string FixSnapshotSql = "SELECT COUNT(*) FROM Site";

    private const string EnrolmentsSql =
        $"""
        SELECT p.SiteCode, p.EnrolledDate
        FROM Participant p
        WHERE {SiteFilter}
        """;

    private const string ParticipantsSql =
        $"""
        SELECT p.Id, p.Code, p.SiteCode, s.TimeZone, a.Arm, a.RandomisedUtc, p.InfusionsDiscontinuedDate, p.DiscontinuationReason,
               p.WithdrawnDate, p.WithdrawalReason
        FROM Allocation a JOIN Participant p ON p.Id = a.ParticipantId JOIN Site s ON s.Code = p.SiteCode
        WHERE {SiteFilter}
        ORDER BY a.RandomisationNumber
        """;

    // The date of an infusion is its visit's date at the site (the infusion's start must fall on it).
    private const string InfusionsSql =
        $"""
        SELECT i.ParticipantId, i.VisitCode, v.ActualDate, i.StartUtc, s.TimeZone
        FROM Infusion i
        JOIN Allocation a ON a.ParticipantId = i.ParticipantId
        JOIN Participant p ON p.Id = i.ParticipantId
        JOIN Site s ON s.Code = p.SiteCode
        LEFT JOIN VisitRecord v ON v.ParticipantId = i.ParticipantId AND v.VisitCode = i.VisitCode
        WHERE {SiteFilter}
        """;

    private const string AdverseEventsSql =
        $"""
        SELECT e.Id, e.ParticipantId, e.Term, e.OnsetDate, e.Severity, e.Serious, e.SeriousCriteria, e.Relatedness, e.Expected, e.Outcome, e.SpecialInterest
        FROM AdverseEvent e JOIN Allocation a ON a.ParticipantId = e.ParticipantId JOIN Participant p ON p.Id = e.ParticipantId
        WHERE {SiteFilter}
        """;

    private const string AlertsSql =
        $"""
        SELECT s.ParticipantId, s.RuleCode, s.SourceType, s.SourceKey
        FROM SafetyAlert s JOIN Allocation a ON a.ParticipantId = s.ParticipantId JOIN Participant p ON p.Id = s.ParticipantId
        WHERE s.SupersededUtc IS NULL AND {SiteFilter}
        """;

    // Every assessment (alerts point at any of them), with the one score the report summarises for its instrument and MADRS item 10.
    private const string AssessmentsSql =
        $"""
        SELECT s.Id, s.ParticipantId, s.Instrument, s.VisitCode, s.Timepoint, s.Unscheduled, s.Complete, sc.Value AS Score, it.Value AS Item10
        FROM Assessment s
        JOIN Allocation a ON a.ParticipantId = s.ParticipantId
        JOIN Participant p ON p.Id = s.ParticipantId
        LEFT JOIN AssessmentScore sc ON sc.AssessmentId = s.Id
            AND ((s.Instrument = @madrs AND sc.Name = @madrsScore) OR (s.Instrument = @cadss AND sc.Name = @cadssScore)
                 OR (s.Instrument = @bprs AND sc.Name = @bprsScore))
        LEFT JOIN AssessmentItem it ON it.AssessmentId = s.Id AND s.Instrument = @madrs AND it.ItemNumber = @suicideItem
        WHERE {SiteFilter}
        """;

    private const string VitalsSql =
        $"""
        SELECT v.Id, v.ParticipantId, v.VisitCode, v.Timepoint, v.Systolic, v.Diastolic, v.HeartRate, v.Spo2
        FROM VitalSign v JOIN Allocation a ON a.ParticipantId = v.ParticipantId JOIN Participant p ON p.Id = v.ParticipantId
        WHERE {SiteFilter}
        """;

    private const string UnblindingsSql =
        $"""
        SELECT u.Id, u.ParticipantId, u.UnblindedUtc, u.Reason
        FROM Unblinding u JOIN Allocation a ON a.ParticipantId = u.ParticipantId JOIN Participant p ON p.Id = u.ParticipantId
        WHERE {SiteFilter}
        """;

    private const int MadrsSuicideItem = 10;

    /// <summary>
    /// Everything the reports need, and the cut-off: the server's time once the snapshot is fixed, so every write committed
    /// before it is in the data. <paramref name="utcNow"/> is the clock.
    /// </summary>
    public static async Task<(DateTime CutoffUtc, DmcData Data)> ReadAsync(DbSession s, IReadOnlyList<string>? sites, Func<DateTime> utcNow, CancellationToken ct = default)
    {
        // One snapshot on either engine: the read transaction Database.ReadAsync began.
        var snapshot = s;
        var scope = new { anySite = sites is null ? 1 : 0, sites = sites ?? [""] };
        Task<IEnumerable<T>> Query<T>(string sql, object? parameters = null) => snapshot.Connection.QueryAsync<T>(snapshot.Command(sql, parameters ?? scope, ct: ct));

        await snapshot.Connection.ExecuteScalarAsync<int>(snapshot.Command(FixSnapshotSql, new { }, ct: ct));
        var cutoff = utcNow();

        var enrolments = await Query<EnrolmentRow>(EnrolmentsSql);
        var participants = (await Query<ParticipantRow>(ParticipantsSql)).AsList();
        var infusions = await Query<InfusionRow>(InfusionsSql);
        var events = await Query<AdverseEventRow>(AdverseEventsSql);
        var alerts = await Query<AlertRow>(AlertsSql);
        var assessments = await Query<AssessmentRow>(AssessmentsSql, new
        {
            scope.anySite, scope.sites, madrs = InstrumentCatalog.Madrs, madrsScore = "total", cadss = InstrumentCatalog.Cadss, cadssScore = "total",
            bprs = InstrumentCatalog.Bprs, bprsScore = "positive", suicideItem = MadrsSuicideItem,
        });
        var vitals = await Query<VitalsRow>(VitalsSql);
        var unblindings = await Query<UnblindingRow>(UnblindingsSql);

        var zones = new Dictionary<string, TimeZoneInfo>(StringComparer.Ordinal);
        TimeZoneInfo Zone(string id) => zones.TryGetValue(id, out var zone) ? zone : zones[id] = TimeZoneInfo.FindSystemTimeZoneById(id);

        var data = new DmcData(
            [.. enrolments.Select(e => new DmcEnrolment(e.SiteCode, e.EnrolledDate))],
            [.. participants.Select(p => new DmcParticipant(p.Id, p.Code, p.SiteCode, p.Arm, SiteCalendar.LocalDate(p.RandomisedUtc, Zone(p.TimeZone)),
                p.InfusionsDiscontinuedDate, p.DiscontinuationReason, p.WithdrawnDate, p.WithdrawalReason))],
            [.. infusions.Select(i => new DmcInfusion(i.ParticipantId, i.VisitCode, i.ActualDate ?? SiteCalendar.LocalDate(i.StartUtc, Zone(i.TimeZone)), i.StartUtc))],
            [.. events.Select(e => new DmcAdverseEvent(e.Id, e.ParticipantId, e.Term, e.OnsetDate, e.Severity, e.Serious,
                e.SeriousCriteria.Length == 0 ? [] : e.SeriousCriteria.Split(','), e.Relatedness, e.Expected, e.Outcome, e.SpecialInterest))],
            [.. alerts.Select(a => new DmcAlert(a.ParticipantId, a.RuleCode, a.SourceType, a.SourceKey))],
            [.. assessments.Select(a => new DmcAssessment(a.Id, a.ParticipantId, a.Instrument, a.VisitCode, a.Timepoint.Length == 0 ? null : a.Timepoint,
                !a.Unscheduled, a.Complete, a.Score, a.Item10))],
            [.. vitals.Select(v => new DmcVitals(v.Id, v.ParticipantId, v.VisitCode, v.Timepoint, v.Systolic, v.Diastolic, v.HeartRate, v.Spo2))],
            [.. unblindings.Select(u => new DmcUnblinding(u.Id, u.ParticipantId, u.UnblindedUtc, u.Reason))]);
        return (cutoff, data);
    }

    private sealed class EnrolmentRow
    {
        public string SiteCode { get; init; } = "";
        public DateOnly EnrolledDate { get; init; }
    }

    private sealed class ParticipantRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string SiteCode { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public string Arm { get; init; } = "";
        public DateTime RandomisedUtc { get; init; }
        public DateOnly? InfusionsDiscontinuedDate { get; init; }
        public string? DiscontinuationReason { get; init; }
        public DateOnly? WithdrawnDate { get; init; }
        public string? WithdrawalReason { get; init; }
    }

    private sealed class InfusionRow
    {
        public Guid ParticipantId { get; init; }
        public string VisitCode { get; init; } = "";
        public DateOnly? ActualDate { get; init; }
        public DateTime StartUtc { get; init; }
        public string TimeZone { get; init; } = "";
    }

    private sealed class AdverseEventRow
    {
        public Guid Id { get; init; }
        public Guid ParticipantId { get; init; }
        public string Term { get; init; } = "";
        public DateOnly OnsetDate { get; init; }
        public string Severity { get; init; } = "";
        public bool Serious { get; init; }
        public string SeriousCriteria { get; init; } = "";
        public string Relatedness { get; init; } = "";
        public bool Expected { get; init; }
        public string Outcome { get; init; } = "";
        public string? SpecialInterest { get; init; }
    }

    private sealed class AlertRow
    {
        public Guid ParticipantId { get; init; }
        public string RuleCode { get; init; } = "";
        public string SourceType { get; init; } = "";
        public string SourceKey { get; init; } = "";
    }

    private sealed class AssessmentRow
    {
        public Guid Id { get; init; }
        public Guid ParticipantId { get; init; }
        public string Instrument { get; init; } = "";
        public string VisitCode { get; init; } = "";
        /// <summary>'' outside infusion visits.</summary>
        public string Timepoint { get; init; } = "";
        public bool Unscheduled { get; init; }
        public bool Complete { get; init; }
        public decimal? Score { get; init; }
        public decimal? Item10 { get; init; }
    }

    private sealed class VitalsRow
    {
        public Guid Id { get; init; }
        public Guid ParticipantId { get; init; }
        public string VisitCode { get; init; } = "";
        public string Timepoint { get; init; } = "";
        public int Systolic { get; init; }
        public int Diastolic { get; init; }
        public int HeartRate { get; init; }
        public int Spo2 { get; init; }
    }

    private sealed class UnblindingRow
    {
        public Guid Id { get; init; }
        public Guid ParticipantId { get; init; }
        public DateTime UnblindedUtc { get; init; }
        public string Reason { get; init; } = "";
    }
}
