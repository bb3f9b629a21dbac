using Trial.Core.Protocol;

namespace Trial.Core.Randomisation;

/// <summary>Whether a text written where the blinded read it would name an arm.</summary>
public static class ArmDisclosure
{
    /// <summary>True when <paramref name="text"/> contains an arm's code, name or drug (ignoring case).</summary>
    public static bool Mentions(StudyDesign design, string text) =>
        design.Arms.SelectMany(a => new[] { a.Code, a.Name, a.Drug })
            .Where(word => !string.IsNullOrWhiteSpace(word))
            .Any(word => text.Contains(word, StringComparison.OrdinalIgnoreCase));
}
