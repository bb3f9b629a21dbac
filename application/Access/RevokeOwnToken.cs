using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>
/// Revokes the token the writer acts with (any user): it stops working at once, e.g. when it may have been seen by someone
/// else. A process that caches resolved tokens must forget them once the write is committed.
/// </summary>
public sealed class RevokeOwnToken
{
    /// <summary>The id of the token revoked.</summary>
    public async Task<Outcome<Guid>> WriteAsync(WriteScope w)
    {
        var (actor, now) = (w.Actor, w.NowUtc);
        await AccessQueries.RevokeTokenAsync(w.Session, actor.TokenId, now);
        await w.AuditAsync(new AuditEntry(AuditEntities.Token, actor.TokenId.ToString(), AuditActions.TokenRevoked,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId = actor.UserId, tokenId = actor.TokenId, revokedUtc = now })),
            Reason: "Revoked by its owner."));
        return actor.TokenId;
    }
}
