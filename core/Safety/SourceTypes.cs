namespace Trial.Core.Safety;

/// <summary>The kind of record an alert points at.</summary>
public static class SourceTypes
{
    public const string Assessment = "assessment", Vitals = "vitals", AdverseEvent = "adverse-event", Visit = "visit";

    /// <summary>A concomitant medication (short: the stored source type has room for 20 characters).</summary>
    public const string ConcomitantMedication = "conmed";
}
