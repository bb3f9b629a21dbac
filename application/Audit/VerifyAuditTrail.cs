using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Audit;

/// <summary>
/// Proof that nobody edited the audit trail behind the application's back (admin): the hash chain of the whole trail
/// recomputed, intact or broken at the first row that was changed, removed or inserted.
/// </summary>
public sealed class VerifyAuditTrail(Database db)
{
    public Task<AuditVerification> VerifyAsync() => AuditVerifier.VerifyAsync(db);
}
