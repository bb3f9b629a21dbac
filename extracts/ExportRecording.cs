using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Extracts;

/// <summary>One extract as it must be recorded: who took what, with which filters, whether with the arms, how many rows, as of when.</summary>
public sealed record ExportRecord(
    Guid ExtractId, Actor Actor, string Kind, IReadOnlyDictionary<string, long> RowCounts, ExportFilters Filters, bool Unblinded, DateTime SnapshotUtc,
    bool Completed);

/// <summary>
/// The one place an extract is recorded (regulatory: every copy of clinical data handed out is attributable): a row of the
/// audit trail with who took it, which datasets and how many rows, the filters (free text included or not), whether it
/// carried the arms (unblinded), the snapshot, and whether it was sent whole. Never any of its contents: blinded admins and
/// monitors read the trail. An extract with the arms is recorded as a read of arm data (<see cref="AuditActions.ArmRead"/>), so every
/// look at the arms is found under one action.
/// </summary>
public sealed class ExportRecording(Database db, TimeProvider clock)
{
    public Task RecordAsync(ExportRecord record, CancellationToken ct = default)
    {
        var f = record.Filters;
        var value = new
        {
            extractId = record.ExtractId, kind = record.Kind, rows = record.RowCounts, unblinded = record.Unblinded, snapshotUtc = record.SnapshotUtc,
            completed = record.Completed,
            filters = new { site = f.Site, sites = f.Sites, instrument = f.Instrument, since = f.Since, includeFreeText = f.IncludeFreeText },
        };
        return db.WriteAsync(record.Actor, clock.GetUtcNow().UtcDateTime, w => w.AuditAsync(new AuditEntry(
            AuditEntities.Extract, record.ExtractId.ToString(), record.Unblinded ? AuditActions.ArmRead : AuditActions.Export, SiteCode: f.Site,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(value)),
            Reason: f.IncludeFreeText ? "Extract with free text (includeFreeText=true)." : null)), ct);
    }
}
