using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>
/// Revokes every token of a user (admin): the user is locked out at once. A process that caches resolved tokens must forget
/// them once the write is committed.
/// </summary>
public sealed class RevokeUserTokens
{
    /// <summary>The number of tokens revoked, or 404 for an unknown user.</summary>
    public async Task<Outcome<int>> WriteAsync(WriteScope w, Guid userId)
    {
        var (id, now) = (userId, w.NowUtc);
        if (await AccessQueries.FindUserAsync(w.Session, id) is null) return new NotFound($"No user with id {id}.");
        var revoked = await AccessQueries.RevokeTokensAsync(w.Session, id, now);
        await w.AuditAsync(new AuditEntry(AuditEntities.User, id.ToString(), AuditActions.TokenRevoked,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId = id, tokensRevoked = revoked, revokedUtc = now }))));
        return revoked;
    }
}
