namespace Trial.Core.Protocol;

/// <summary>
/// Who belongs to the per-protocol population (ADaM's PPROTFL): the criteria a participant must all meet, named by code
/// (<see cref="PerProtocolCriteria"/>), so a study changes its definition in the protocol file, not in code.
/// </summary>
public sealed record PerProtocolRules
{
    /// <summary>The criteria that apply, each one of <see cref="PerProtocolCriteria.All"/>.</summary>
    public IReadOnlyList<string> Criteria { get; init; } = [];

    /// <summary>
    /// The coded reasons (NCOMPLT terms) of a discontinuation of infusions or a withdrawal that count as a major protocol
    /// deviation (<see cref="PerProtocolCriteria.NoMajorDeviation"/>): the system keeps no deviation log of its own.
    /// </summary>
    public IReadOnlyList<string> MajorDeviationReasonCodes { get; init; } = [];
}

/// <summary>The criteria of the per-protocol population a protocol file can name.</summary>
public static class PerProtocolCriteria
{
    /// <summary>Every infusion visit of the plan done within its window, with its infusion recorded.</summary>
    public const string AllInfusionsInWindow = "all-infusions-in-window";

    /// <summary>No discontinuation or withdrawal coded with one of the section's major-deviation reasons.</summary>
    public const string NoMajorDeviation = "no-major-deviation";

    /// <summary>No concomitant medication that the safety rule CONMED_PROHIBITED finds prohibited.</summary>
    public const string NoProhibitedMedication = "no-prohibited-medication";

    public static readonly IReadOnlyList<string> All = [AllInfusionsInWindow, NoMajorDeviation, NoProhibitedMedication];
}
