namespace Trial.Core.Protocol;

/// <summary>
/// The design of the study as the protocol file states it: its arms, whether and how participants are randomised, and
/// who is blinded. Every behaviour that differs between an open-label and a blinded study follows from this section,
/// so switching design is a matter of switching protocol files. A file without the section describes what this system
/// did before it knew of designs: a single-arm, open-label study in which the investigator records the dose.
/// </summary>
public sealed record StudyDesign
{
    public static readonly StudyDesign SingleArmOpenLabel = new();

    /// <summary>One of <see cref="BlindingLevels"/>.</summary>
    public string Blinding { get; init; } = BlindingLevels.OpenLabel;

    public IReadOnlyList<ArmDefinition> Arms { get; init; } = [];

    /// <summary>How participants are allocated to arms; null when nobody is (a single-arm study).</summary>
    public RandomisationSettings? Randomisation { get; init; }

    /// <summary>What the pharmacy prepares in a blinded study, and how closely the infusion must match it.</summary>
    public PreparationSettings? Preparation { get; init; }

    /// <summary>
    /// The visits at which the rater and the participant guess the arm (blinding integrity): visit codes, or
    /// <see cref="ProtocolDefinition.LastInfusionAnchor"/> for the last infusion actually given.
    /// </summary>
    public IReadOnlyList<string> BlindingGuessVisits { get; init; } = [];

    /// <summary>Whether investigators, raters, monitors and blinded statisticians must never learn the arm.</summary>
    public bool IsBlinded => Blinding != BlindingLevels.OpenLabel;

    public ArmDefinition? FindArm(string? code) => Arms.FirstOrDefault(a => a.Code == code);
}

/// <summary>One arm: what the pharmacy prepares for participants allocated to it.</summary>
public sealed record ArmDefinition
{
    /// <summary>Stable code used in the allocation, the pharmacy's records and the unblinded outputs (e.g. KET).</summary>
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Drug { get; init; }
    public decimal DoseMgPerKg { get; init; }

    /// <summary>This arm's share of each block: 1 and 1 make a 1:1 allocation, 2 and 1 a 2:1 allocation.</summary>
    public int AllocationRatio { get; init; } = 1;
}

public sealed record RandomisationSettings
{
    /// <summary>One of <see cref="RandomisationMethods"/>.</summary>
    public required string Method { get; init; }

    /// <summary>The sizes a block is drawn from, at random, block by block (permuted blocks only).</summary>
    public IReadOnlyList<int> BlockSizes { get; init; } = [];

    public StrataSettings Strata { get; init; } = new();
}

/// <summary>What a stratum is made of: the site, the band of the baseline MADRS total, or both.</summary>
public sealed record StrataSettings
{
    public bool Site { get; init; } = true;

    /// <summary>
    /// Where the bands of the baseline MADRS total split: [35] makes "below 35" and "35 or more". Empty: no MADRS bands.
    /// </summary>
    public IReadOnlyList<int> BaselineMadrsTotalCutoffs { get; init; } = [];
}

public sealed record PreparationSettings
{
    /// <summary>
    /// The volume every preparation is made up to, whatever the arm: syringes of different volume would tell the arm.
    /// </summary>
    public decimal VolumeMl { get; init; }

    /// <summary>How far the prepared total dose may be from dose per kg × weight (rounding to what can be measured).</summary>
    public decimal TotalDoseTolerancePercent { get; init; }

    /// <summary>How far the weight at the infusion may be from the weight the preparation was made up for.</summary>
    public decimal WeightTolerancePercent { get; init; }
}
