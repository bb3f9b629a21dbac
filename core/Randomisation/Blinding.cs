using Trial.Core.Protocol;

namespace Trial.Core.Randomisation;

/// <summary>Emergency unblinding: one participant's arm revealed to the investigator who must know it.</summary>
public static class EmergencyUnblinding
{
    /// <summary>
    /// The alert every emergency unblinding raises to the monitors. It is listed with the protocol's safety rules (so its
    /// severity is configured there and monitors filter on it like any rule), but it is raised by the unblinding itself,
    /// in the same transaction, not evaluated from clinical data by the safety engine.
    /// </summary>
    public const string AlertRule = "UNBLINDED";

    /// <summary>The kind of source record an UNBLINDED alert points at.</summary>
    public const string SourceType = "unblinding";
}

/// <summary>Blinding integrity: who guesses the arm, and what they may answer.</summary>
public static class BlindingGuesses
{
    public const string Rater = "rater", Participant = "participant";
    public static readonly IReadOnlyList<string> Guessers = [Rater, Participant];

    public const string DontKnow = "unknown";

    /// <summary>The answers a guess may give: an arm code or "unknown".</summary>
    public static IReadOnlyList<string> Answers(StudyDesign design) => [.. design.Arms.Select(a => a.Code), DontKnow];

    /// <summary>
    /// The visit codes at which the participant's arm is guessed: those of the protocol, with the last infusion
    /// resolved to the final infusion visit of the plan, or, once infusions were discontinued, the last one given.
    /// </summary>
    public static IReadOnlyList<string> Visits(ProtocolDefinition protocol, bool infusionsDiscontinued, IEnumerable<string> recordedVisits)
    {
        var recorded = recordedVisits.ToHashSet();
        var infusionVisits = protocol.InfusionVisits.Select(v => v.Code).ToList();
        var lastInfusion = infusionsDiscontinued ? infusionVisits.LastOrDefault(recorded.Contains) : infusionVisits.LastOrDefault();
        return [.. protocol.Design.BlindingGuessVisits
            .Select(v => v == ProtocolDefinition.LastInfusionAnchor ? lastInfusion : v)
            .OfType<string>()
            .Distinct()];
    }
}

/// <summary>Whether a text written where the blinded read it would name an arm.</summary>
public static class ArmDisclosure
{
    /// <summary>True when <paramref name="text"/> contains an arm's code, name or drug (ignoring case).</summary>
    public static bool Mentions(StudyDesign design, string text) =>
        design.Arms.SelectMany(a => new[] { a.Code, a.Name, a.Drug })
            .Where(word => !string.IsNullOrWhiteSpace(word))
            .Any(word => text.Contains(word, StringComparison.OrdinalIgnoreCase));
}
