using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Reports;

/// <summary>A pull of the blinding index as the audit trail records it.</summary>
internal sealed record AuditedReportPull(string Report, IReadOnlyList<string>? Sites, DateTime GeneratedUtc);

/// <summary>A pull of a DMC report as the audit trail records it: also the cut-off of its snapshot and whether it was JSON or the printable page.</summary>
internal sealed record AuditedDmcReportPull(string Report, IReadOnlyList<string>? Sites, DateTime CutoffUtc, DateTime GeneratedUtc, string Format);

/// <summary>
/// Who pulled which report, of which sites, as of when: one audit row per pull, whatever the report. A report built on the
/// arms (the closed DMC report, the blinding index, CONSORT by arm) is recorded as a read of arm data (<see cref="AuditActions.ArmRead"/>),
/// like a read of an allocation, so that every look at the arms is found under one action; the others as exports.
/// </summary>
internal static class ReportPulls
{
    /// <summary>
    /// Records the pull of <paramref name="report"/> as <paramref name="pull"/> describes it (the sites and the cut-off
    /// name whose data it was built from). The trail is read by blinded staff, so never the report's contents.
    /// </summary>
    public static Task RecordAsync(Database db, Actor actor, DateTime nowUtc, string report, object pull, bool armData) =>
        db.WriteAsync(actor, nowUtc, w => w.AuditAsync(new AuditEntry(AuditEntities.Extract, $"reports/{report}", armData ? AuditActions.ArmRead : AuditActions.Export,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(pull)))));
}
