namespace Trial.Api.Imports;

/// <summary>Bound from the <c>Imports</c> section.</summary>
public sealed class ImportOptions
{
    /// <summary>
    /// The largest import body accepted, in megabytes: an import is a file of many forms, so it has its own limit beside
    /// <c>Limits__MaxRequestBodyKilobytes</c>, which stays small for single forms. 100,000 MADRS lines are about 25 MB.
    /// </summary>
    public int MaxRequestBodyMegabytes { get; set; } = 256;

    /// <summary>
    /// The most rows an atomic import may hold. Its rows are kept until the one transaction that stores them all, and on SQLite
    /// that transaction holds the only writer (every other write of the study waits), so an atomic import is for batches;
    /// per-row imports have no such limit.
    /// </summary>
    public int MaxAtomicRows { get; set; } = 10_000;

    /// <summary>The longest line accepted, in bytes (a 5D-ASC, the longest form, is about 1 KB as a line).</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;
}
