using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Db.Reports;

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

    private const string GuessesSql =
        $"""
        SELECT g.ParticipantId, a.Arm, g.VisitCode, g.Guesser, g.Guess, g.InfusionNumber, g.RecordedUtc, p.UnblindedUtc
        FROM BlindingGuess g JOIN Allocation a ON a.ParticipantId = g.ParticipantId JOIN Participant p ON p.Id = g.ParticipantId
        WHERE {SiteFilter}
        """;

    public static async Task<IReadOnlyList<ArmGuessRow>> GuessesAsync(DbSession s, IReadOnlyList<string>? sites) =>
        (await s.QueryAsync<ArmGuessRow>(GuessesSql, Sites(sites))).AsList();

    private static object Sites(IReadOnlyList<string>? sites) => new { anySite = sites is null ? 1 : 0, sites = sites ?? [""] };
}
