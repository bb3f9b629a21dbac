namespace Trial.Api.Access;

public static class Policies
{
    public const string Admin = "admin";
    public const string Investigator = "investigator";
    /// <summary>May change the state of safety alerts of their sites.</summary>
    public const string AlertReviewer = "alert-reviewer";
    /// <summary>May read clinical data of their sites.</summary>
    public const string ClinicalReader = "clinical-reader";
    /// <summary>May read the audit trail (admins all of it, monitors their sites').</summary>
    public const string AuditReader = "audit-reader";
    /// <summary>May pull pseudonymised extracts of their sites (statisticians, unblinded statisticians and admins).</summary>
    public const string ExtractReader = "extract-reader";
    /// <summary>Unblinded: prepares infusions for the participants of their sites.</summary>
    public const string Pharmacist = "pharmacist";
    /// <summary>Unblinded: the allocation sequence and the by-arm outputs.</summary>
    public const string UnblindedStatistician = "unblinded-statistician";
    /// <summary>May see participants' arms (pharmacists and unblinded statisticians, at their sites).</summary>
    public const string AllocationReader = "allocation-reader";
    /// <summary>May read the data monitoring committee's open-session report, which tells nothing of the arms (unblinded statisticians, admins, monitors).</summary>
    public const string DmcOpenReader = "dmc-open-reader";
    /// <summary>Codes adverse events and reads the events to code (coders and admins, at their sites).</summary>
    public const string Coding = "coding";
}
