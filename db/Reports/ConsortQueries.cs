using Dapper;
using Trial.Core.Participants;
using Trial.Core.Reports;
using Trial.Db.Infrastructure;

namespace Trial.Db.Reports;

/// <summary>The visits of the plan the CONSORT flow reads: the first infusion visit, every infusion visit, the last of each kind.</summary>
public sealed record ConsortVisits(string FirstInfusionVisit, IReadOnlyList<string> InfusionVisits, string LastInfusionVisit, string LastFollowUpVisit);

/// <summary>
/// What the CONSORT flow is counted from, read in one snapshot so that every figure was true at the same moment (as the
/// extracts and the DMC reports read theirs): every screening of the sites, and every participant with their arm (null when
/// not randomised), the visits and infusions their flow depends on, and their disposition. Sites as elsewhere: null means
/// every site.
/// </summary>
public static class ConsortQueries
{
    private const string SiteFilter = "(@anySite = 1 OR p.SiteCode IN @sites)";

    // Both engines fix a transaction's snapshot at its first read, not at BEGIN: this read fixes it before the cut-off is taken.
    private const string FixSnapshotSql = "SELECT COUNT(*) FROM Site";

    /// <summary>Every screening of the sites, and whether a participant was enrolled from it.</summary>
    private const string ScreeningsSql =
        """
        SELECT sc.Outcome, sc.FailedCriteria, CASE WHEN p.Id IS NULL THEN 0 ELSE 1 END AS Enrolled
        FROM Screening sc
        LEFT JOIN Participant p ON p.ScreeningNumber = sc.ScreeningNumber
        WHERE (@anySite = 1 OR sc.SiteCode IN @sites)
        """;

    /// <summary>
    /// Every participant of the sites: the arm if randomised, the dates disposition is derived from (as disposition.csv reads
    /// them: the first and last infusion visits and the last follow-up visit of the plan), and the infusions recorded.
    /// </summary>
    private const string ParticipantsSql =
        $"""
        SELECT a.Arm, p.Status, p.InfusionsDiscontinuedDate, p.DiscontinuationReasonCode, p.WithdrawnDate, p.WithdrawalReasonCode,
               d0.ActualDate AS FirstInfusionDate, li.ActualDate AS LastInfusionDate, fu.ActualDate AS LastFollowUpDate,
               (SELECT COUNT(*) FROM Infusion i WHERE i.ParticipantId = p.Id AND i.VisitCode = @firstInfusionVisit) AS FirstInfusionGiven,
               (SELECT COUNT(*) FROM Infusion i WHERE i.ParticipantId = p.Id AND i.VisitCode IN @infusionVisits) AS InfusionsGiven
        FROM Participant p
        LEFT JOIN Allocation a ON a.ParticipantId = p.Id
        LEFT JOIN VisitRecord d0 ON d0.ParticipantId = p.Id AND d0.VisitCode = @firstInfusionVisit
        LEFT JOIN VisitRecord li ON li.ParticipantId = p.Id AND li.VisitCode = @lastInfusionVisit
        LEFT JOIN VisitRecord fu ON fu.ParticipantId = p.Id AND fu.VisitCode = @lastFollowUpVisit
        WHERE {SiteFilter}
        """;

    /// <summary>
    /// The screenings and the participants, and the cut-off: the server's time once the snapshot is fixed, so every write
    /// committed before it is counted. <paramref name="utcNow"/> is the clock.
    /// </summary>
    public static async Task<(DateTime CutoffUtc, IReadOnlyList<ConsortScreening> Screenings, IReadOnlyList<ConsortParticipant> Participants)> ReadAsync(
        DbSession s, IReadOnlyList<string>? sites, ConsortVisits visits, Func<DateTime> utcNow, CancellationToken ct = default)
    {
        // One snapshot on either engine: the read transaction Database.ReadAsync began.
        var snapshot = s;
        var (anySite, siteList) = (sites is null ? 1 : 0, sites ?? [""]);
        // An empty list would expand to "IN ()", which neither engine parses.
        IReadOnlyList<string> infusionVisits = visits.InfusionVisits.Count == 0 ? [""] : visits.InfusionVisits;

        await snapshot.Connection.ExecuteScalarAsync<int>(snapshot.Command(FixSnapshotSql, new { }, ct: ct));
        var cutoff = utcNow();

        var screenings = await snapshot.Connection.QueryAsync<ScreeningRow>(snapshot.Command(ScreeningsSql, new { anySite, sites = siteList }, ct: ct));
        var participants = await snapshot.Connection.QueryAsync<ParticipantRow>(snapshot.Command(ParticipantsSql, new
        {
            anySite, sites = siteList, firstInfusionVisit = visits.FirstInfusionVisit, infusionVisits,
            lastInfusionVisit = visits.LastInfusionVisit, lastFollowUpVisit = visits.LastFollowUpVisit,
        }, ct: ct));

        return (cutoff,
            [.. screenings.Select(r => new ConsortScreening(r.Outcome, r.FailedCriteria.Length == 0 ? [] : r.FailedCriteria.Split(';'), r.Enrolled != 0))],
            [.. participants.Select(r => new ConsortParticipant(r.Arm, r.FirstInfusionGiven > 0, r.InfusionsGiven,
                new DispositionFacts(r.FirstInfusionDate, r.LastInfusionDate, r.InfusionsDiscontinuedDate, r.DiscontinuationReasonCode, r.WithdrawnDate,
                    r.WithdrawalReasonCode, r.Status, r.LastFollowUpDate)))]);
    }

    private sealed class ScreeningRow
    {
        public string Outcome { get; init; } = "";
        public string FailedCriteria { get; init; } = "";
        public int Enrolled { get; init; }
    }

    private sealed class ParticipantRow
    {
        public string? Arm { get; init; }
        public string Status { get; init; } = "";
        public DateOnly? InfusionsDiscontinuedDate { get; init; }
        public string? DiscontinuationReasonCode { get; init; }
        public DateOnly? WithdrawnDate { get; init; }
        public string? WithdrawalReasonCode { get; init; }
        public DateOnly? FirstInfusionDate { get; init; }
        public DateOnly? LastInfusionDate { get; init; }
        public DateOnly? LastFollowUpDate { get; init; }
        public int FirstInfusionGiven { get; init; }
        public int InfusionsGiven { get; init; }
    }
}
