using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>
/// Revokes every token of a user (admin), and stops their unused activation codes from working: the user is locked out at
/// once, until an admin gives them a new code. A process that caches resolved tokens must forget them once the write is
/// committed.
/// </summary>
public sealed class RevokeUserTokens
{
    /// <summary>The number of tokens revoked, or 404 for an unknown user.</summary>
    public async Task<Outcome<int>> WriteAsync(WriteScope w, Guid userId)
    {
        var (id, now) = (userId, w.NowUtc);
        if (await AccessQueries.FindUserAsync(w.Session, id) is null) return new NotFound($"No user with id {id}.");
        var revoked = await AccessQueries.RevokeTokensAsync(w.Session, id, now);
        var codesReplaced = await AccessQueries.ReplaceActivationCodesAsync(w.Session, id, now);
        await w.AuditAsync(new AuditEntry(AuditEntities.User, id.ToString(), AuditActions.TokenRevoked,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId = id, tokensRevoked = revoked, activationCodesReplaced = codesReplaced, revokedUtc = now }))));
        return revoked;
    }
}
