using System.Text.RegularExpressions;

namespace Trial.Core.Medications;

/// <summary>
/// WHO Anatomical Therapeutic Chemical (ATC) codes, at any of their five levels: the anatomical main group (N), the
/// therapeutic subgroup (N05), the pharmacological subgroup (N05B), the chemical subgroup (N05BA) and the chemical
/// substance (N05BA06, lorazepam). A site that knows only the class of a medication gives the shorter code; the safety rule
/// classifies by prefix, so a shorter code counts for a class only when the class's prefix is no longer than it.
/// </summary>
public static partial class AtcCodes
{
    /// <summary>The fourteen anatomical main groups, the first letter of every code.</summary>
    public const string MainGroups = "ABCDGHJLMNPRSV";

    [GeneratedRegex(@"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>The code as stored: trimmed and in capitals; null for a missing or blank one.</summary>
    public static string? Normalise(string? code) => string.IsNullOrWhiteSpace(code) ? null : code.Trim().ToUpperInvariant();

    /// <summary>Whether <paramref name="code"/> (normalised) is an ATC code of some level.</summary>
    public static bool IsValid(string code) => Shape().IsMatch(code) && MainGroups.Contains(code[0], StringComparison.Ordinal);

    /// <summary>The level of a valid code: 1 (N) to 5 (N05BA06).</summary>
    public static int Level(string code) => code.Length switch { 1 => 1, 3 => 2, 4 => 3, 5 => 4, _ => 5 };
}
