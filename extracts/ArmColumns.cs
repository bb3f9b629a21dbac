namespace Trial.Extracts;

/// <summary>
/// The columns of a participant's allocation, declared once and added after its own columns to every dataset whose rows
/// belong to a participant, for an unblinded audience only (they are <c>unblindedOnly</c>): the arm's code and name, the
/// stratum and the randomisation number, empty for a participant not (yet) randomised.
/// </summary>
public static class ArmColumns
{
    public const string ArmCode = "ARMCD", ArmName = "ARM", Stratum = "STRATUM", RandomisationNumber = "RANDNO";

    public static IReadOnlyList<ExtractColumn<ExtractAllocation?>> Definitions { get; } =
    [
        Column<ExtractAllocation?>.Text(ArmCode, "Arm code", a => a?.ArmCode,
            "The arm the participant was randomised to (as SDTM's ARMCD). Empty when not randomised (yet). Unblinded extracts only.",
            "Allocation.Arm", allowed: "the protocol's arm codes (KET, MDZ in the default protocol)", unblindedOnly: true),
        Column<ExtractAllocation?>.Text(ArmName, "Arm", a => a?.ArmName,
            "The name of that arm in the protocol (as SDTM's ARM). Empty when not randomised (yet). Unblinded extracts only.",
            "protocol file: design.arms[].name", allowed: "the protocol's arm names (Ketamine, Midazolam (active placebo) in the default protocol)", unblindedOnly: true),
        Column<ExtractAllocation?>.Text(Stratum, "Randomisation stratum", a => a?.Stratum,
            "The stratum the participant was randomised in: the site and the band of the baseline MADRS total, as in the allocation list "
            + "(e.g. WAW/MADRS<35). Empty when not randomised (yet). Unblinded extracts only.",
            "Allocation.Stratum", allowed: "SITE/MADRS<35, SITE/MADRS>=35 in the default protocol (the protocol's strata)", unblindedOnly: true),
        Column<ExtractAllocation?>.Integer(RandomisationNumber, "Randomisation number", a => a?.RandomisationNumber,
            "The study-wide randomisation number, 1 for the first participant randomised. Empty when not randomised (yet). Unblinded extracts only.",
            "Allocation.RandomisationNumber", unblindedOnly: true),
    ];

    /// <summary>The arm columns of a dataset's rows: each row's participant looked up in the snapshot's allocations.</summary>
    public static IEnumerable<ExtractColumn<TRow>> For<TRow>(Func<TRow, string?> participant, ExtractAllocations allocations) =>
        Definitions.Select(c => c.Through<TRow>(r => allocations.Of(participant(r))));
}
