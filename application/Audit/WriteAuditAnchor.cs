using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Audit;

/// <summary>
/// Writes the end of the audit chain (its last row's id and hash, and the time) to the anchor sink, outside the database,
/// so that rows removed from the end or a chain recomputed afterwards no longer match what was anchored. An end already
/// anchored is not written again: run it as often as you like.
/// </summary>
public sealed class WriteAuditAnchor(Database db, IAuditAnchorSink sink, TimeProvider clock)
{
    /// <returns>The anchor written; null when there was nothing new to anchor (an empty trail, or an end already anchored).</returns>
    public async Task<AuditAnchor?> WriteAsync(CancellationToken ct = default)
    {
        var head = await db.ReadAsync(AuditQueries.HeadAsync, ct);
        if (head.LastId == 0) return null;
        var anchor = new AuditAnchor(head.LastId, head.LastHash, clock.GetUtcNow().UtcDateTime);
        if (await sink.LastAsync(ct) is { } last && last.SameHeadAs(anchor)) return null;
        await sink.WriteAsync(anchor, ct);
        return anchor;
    }
}
