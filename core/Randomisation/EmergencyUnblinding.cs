namespace Trial.Core.Randomisation;

/// <summary>Emergency unblinding: one participant's arm revealed to the investigator who must know it.</summary>
public static class EmergencyUnblinding
{
    /// <summary>
    /// The alert every emergency unblinding raises to the monitors. It is listed with the protocol's safety rules (so its
    /// severity is configured there and monitors filter on it like any rule), but it is raised by the unblinding itself,
    /// in the same transaction, not evaluated from clinical data by the safety engine.
    /// </summary>
    public const string AlertRule = "UNBLINDED";

    /// <summary>The kind of source record an UNBLINDED alert points at.</summary>
    public const string SourceType = "unblinding";
}
