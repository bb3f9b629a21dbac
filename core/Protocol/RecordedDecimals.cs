namespace Trial.Core.Protocol;

/// <summary>
/// The decimal places each measure is recorded with. A value with more is refused, not rounded: the database keeps this
/// many (SQL Server would round the rest away without a word, SQLite would keep them), so what is stored is what was
/// entered, in every database.
/// </summary>
public static class RecordedDecimals
{
    public const int WeightKg = 2;
    public const int DoseMgPerKg = 3;
    public const int TotalDoseMg = 2;
    public const int VolumeMl = 2;
}
