namespace Trial.Core.Protocol;

public static class RandomisationMethods
{
    /// <summary>Stratified permuted blocks of random size, generated from the study's secret (reproducible by whoever holds it).</summary>
    public const string PermutedBlocks = "permuted-blocks";

    /// <summary>An allocation list made elsewhere and imported by the unblinded statistician before the first randomisation.</summary>
    public const string ImportedList = "imported-list";

    public static readonly IReadOnlyList<string> All = [PermutedBlocks, ImportedList];
}
