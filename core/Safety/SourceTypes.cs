namespace Trial.Core.Safety;

/// <summary>The kind of record an alert points at.</summary>
public static class SourceTypes
{
    public const string Assessment = "assessment", Vitals = "vitals", AdverseEvent = "adverse-event", Visit = "visit";
}
