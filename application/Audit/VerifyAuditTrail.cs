using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Audit;

/// <summary>
/// Proof that nobody edited the audit trail behind the application's back (admin): the hash chain of the whole trail
/// recomputed (with the chain's key from the row it applies from), intact or broken at the first row that was changed,
/// removed or inserted; and, when anchors are written to a file, the stored chain against every anchor in it, which
/// shows rows removed from the end or a chain recomputed with the key. Anchors sent to a URL or a log are checked by the
/// system that receives them.
/// </summary>
public sealed class VerifyAuditTrail(Database db, IAuditAnchorSink anchors)
{
    public Task<AuditVerification> VerifyAsync() =>
        AuditVerifier.VerifyAsync(db, anchors is AuditAnchorFile file ? file.ReadAll() : null);
}
