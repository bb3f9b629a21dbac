namespace Trial.Core.Access;

public static class Roles
{
    public const string Admin = "admin";
    public const string Investigator = "investigator";
    public const string Monitor = "monitor";
    public const string Statistician = "statistician";

    /// <summary>Unblinded: prepares each infusion for the participant's arm, at their sites.</summary>
    public const string Pharmacist = "pharmacist";

    /// <summary>Unblinded: the allocation sequence, by-arm outputs for the data monitoring committee, the blinding index.</summary>
    public const string UnblindedStatistician = "unblinded-statistician";

    /// <summary>
    /// Blinded: codes adverse events to the dictionary, at their sites. Reads of an event what coding needs (its id, site,
    /// participant code, verbatim term, onset date, version and coding), nothing else of the clinical record, never an arm.
    /// </summary>
    public const string Coder = "coder";

    public static readonly IReadOnlyList<string> All = [Admin, Investigator, Monitor, Statistician, Pharmacist, UnblindedStatistician, Coder];

    /// <summary>The roles that may see a participant's arm in a blinded study; every other role never does.</summary>
    public static readonly IReadOnlyList<string> Unblinded = [Pharmacist, UnblindedStatistician];
}
