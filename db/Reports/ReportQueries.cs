using System.Data.Common;
using Dapper;

namespace Trial.Db.Reports;

/// <summary>A randomised participant as the data monitoring committee counts them.</summary>
public sealed class ArmParticipantRow
{
    public Guid ParticipantId { get; init; }
    public string ParticipantCode { get; init; } = "";
    public string Arm { get; init; } = "";
    public string Status { get; init; } = "";
    public DateOnly? InfusionsDiscontinuedDate { get; init; }
    public DateTime? UnblindedUtc { get; init; }
    public int InfusionsGiven { get; init; }
}

public sealed class ArmAdverseEventRow
{
    public Guid ParticipantId { get; init; }
    public string Arm { get; init; } = "";
    public string Severity { get; init; } = "";
    public bool Serious { get; init; }
    public string? SpecialInterest { get; init; }
}

public sealed class ArmAlertRow
{
    public Guid ParticipantId { get; init; }
    public string Arm { get; init; } = "";
    public string RuleCode { get; init; } = "";
    public string Severity { get; init; } = "";
}

public sealed class ArmMadrsRow
{
    public Guid ParticipantId { get; init; }
    public string Arm { get; init; } = "";
    public string VisitCode { get; init; } = "";
    /// <summary>'' outside infusion visits.</summary>
    public string Timepoint { get; init; } = "";
    public decimal Total { get; init; }
}

public sealed class ArmGuessRow
{
    public Guid ParticipantId { get; init; }
    public string Arm { get; init; } = "";
    public string VisitCode { get; init; } = "";
    public string Guesser { get; init; } = "";
    public string Guess { get; init; } = "";
    /// <summary>Null on guesses stored before the number was recorded.</summary>
    public int? InfusionNumber { get; init; }
    public DateTime RecordedUtc { get; init; }
    /// <summary>When the participant was first unblinded in an emergency; null when never.</summary>
    public DateTime? UnblindedUtc { get; init; }
}

/// <summary>
/// The unblinded outputs: every row carries the participant's arm. Only the unblinded statistician's reports run these.
/// Sites as elsewhere: null means every site.
/// </summary>
public static class ReportQueries
{
    private const string SiteFilter = "(@anySite = 1 OR p.SiteCode IN @sites)";

    private const string ParticipantsSql =
        $"""
        SELECT p.Id AS ParticipantId, p.Code AS ParticipantCode, a.Arm, p.Status, p.InfusionsDiscontinuedDate, p.UnblindedUtc,
               (SELECT COUNT(*) FROM Infusion i WHERE i.ParticipantId = p.Id) AS InfusionsGiven
        FROM Allocation a JOIN Participant p ON p.Id = a.ParticipantId
        WHERE {SiteFilter}
        ORDER BY a.RandomisationNumber
        """;

    private const string AdverseEventsSql =
        $"""
        SELECT e.ParticipantId, a.Arm, e.Severity, e.Serious, e.SpecialInterest
        FROM AdverseEvent e JOIN Allocation a ON a.ParticipantId = e.ParticipantId JOIN Participant p ON p.Id = e.ParticipantId
        WHERE {SiteFilter}
        """;

    private const string AlertsSql =
        $"""
        SELECT s.ParticipantId, a.Arm, s.RuleCode, s.Severity
        FROM SafetyAlert s JOIN Allocation a ON a.ParticipantId = s.ParticipantId JOIN Participant p ON p.Id = s.ParticipantId
        WHERE s.SupersededUtc IS NULL AND {SiteFilter}
        """;

    private const string MadrsSql =
        $"""
        SELECT s.ParticipantId, a.Arm, s.VisitCode, s.Timepoint, sc.Value AS Total
        FROM Assessment s
        JOIN AssessmentScore sc ON sc.AssessmentId = s.Id AND sc.Name = @scoreName
        JOIN Allocation a ON a.ParticipantId = s.ParticipantId
        JOIN Participant p ON p.Id = s.ParticipantId
        WHERE s.Instrument = @instrument AND s.Complete = @yes AND s.Unscheduled = @no AND {SiteFilter}
        """;

    private const string GuessesSql =
        $"""
        SELECT g.ParticipantId, a.Arm, g.VisitCode, g.Guesser, g.Guess, g.InfusionNumber, g.RecordedUtc, p.UnblindedUtc
        FROM BlindingGuess g JOIN Allocation a ON a.ParticipantId = g.ParticipantId JOIN Participant p ON p.Id = g.ParticipantId
        WHERE {SiteFilter}
        """;

    public static async Task<IReadOnlyList<ArmParticipantRow>> ParticipantsAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ArmParticipantRow>(ParticipantsSql, Sites(sites))).AsList();

    public static async Task<IReadOnlyList<ArmAdverseEventRow>> AdverseEventsAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ArmAdverseEventRow>(AdverseEventsSql, Sites(sites))).AsList();

    /// <summary>Alerts in force (superseded ones left out).</summary>
    public static async Task<IReadOnlyList<ArmAlertRow>> AlertsAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ArmAlertRow>(AlertsSql, Sites(sites))).AsList();

    /// <summary>Complete, scheduled MADRS totals.</summary>
    public static async Task<IReadOnlyList<ArmMadrsRow>> MadrsAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ArmMadrsRow>(MadrsSql, new
        {
            anySite = sites is null ? 1 : 0, sites = sites ?? [""], instrument = "MADRS", scoreName = "total", yes = true, no = false,
        })).AsList();

    public static async Task<IReadOnlyList<ArmGuessRow>> GuessesAsync(DbConnection c, IReadOnlyList<string>? sites) =>
        (await c.QueryAsync<ArmGuessRow>(GuessesSql, Sites(sites))).AsList();

    private static object Sites(IReadOnlyList<string>? sites) => new { anySite = sites is null ? 1 : 0, sites = sites ?? [""] };
}
