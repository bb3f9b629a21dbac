using Trial.Core.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <param name="Status">The refusal: 401 or 403.</param>
/// <param name="Method">The request's method.</param>
/// <param name="Request">The method and the path as requested (e.g. "GET /api/v1/participants/WAW-0001"): what was refused.</param>
/// <param name="Path">The path, unescaped.</param>
/// <param name="Role">The caller's role; null for a caller who was not authenticated.</param>
public sealed record DeniedRequest(int Status, string Method, string Request, string? Path, string? Role);

/// <summary>
/// Records a refused request in the audit trail, so an attempt to reach data one may not see is attributable: who (the
/// actor, anonymous when not authenticated), what was asked and the answer. How many are recorded is for the caller to limit.
/// </summary>
public sealed class RecordDeniedAccess(Database db, TimeProvider clock)
{
    public Task RecordAsync(Actor actor, DeniedRequest denied)
    {
        var (status, what) = (denied.Status, denied.Request);
        var now = clock.GetUtcNow().UtcDateTime;
        return db.WriteAsync(actor, now, w => w.AuditAsync(new AuditEntry(AuditEntities.Access, what.Length > 100 ? what[..100] : what, AuditActions.AccessDenied,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { status, method = denied.Method, path = denied.Path, role = denied.Role })))));
    }
}
