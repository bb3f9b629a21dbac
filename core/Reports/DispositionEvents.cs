namespace Trial.Core.Reports;

public static class DispositionEvents
{
    public const string InfusionsDiscontinued = "infusions-discontinued", Withdrawn = "withdrawn";
}
