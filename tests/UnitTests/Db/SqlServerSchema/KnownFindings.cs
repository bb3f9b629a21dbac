namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// Findings of the checks that are known and whose fix is a migration of its own. A test passes over a finding that
/// starts with one of these columns, and fails once the finding is gone, so the entry leaves this list with its fix.
/// </summary>
public static class KnownFindings
{
    /// <summary>
    /// AuditEvent.PreviousHash is CHAR(64), and the first row of the trail has an empty previous hash: SQL Server stores it
    /// as 64 spaces and reads those back, so the first row's hash, computed over "", no longer matches what is stored.
    /// Fixed by the migration that makes the column variable-length; this entry goes with it.
    /// </summary>
    public const string AuditPreviousHash = "AuditEvent.PreviousHash";

    public static readonly IReadOnlyList<string> Columns = [AuditPreviousHash];

    /// <summary>The findings that are not known.</summary>
    public static IReadOnlyList<string> Unknown(IEnumerable<string> findings) =>
        findings.Where(f => !Columns.Any(c => f.StartsWith(c + " ", StringComparison.Ordinal))).ToList();

    /// <summary>The known columns no finding names any more: their entries must go.</summary>
    public static IReadOnlyList<string> Fixed(IEnumerable<string> findings)
    {
        var all = findings.ToList();
        return Columns.Where(c => !all.Any(f => f.StartsWith(c + " ", StringComparison.Ordinal))).ToList();
    }
}
