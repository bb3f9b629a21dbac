using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>A token as issued: shown only here, to its user, and stored as its hash.</summary>
public sealed record IssuedToken(Guid UserId, string Token, DateTime ExpiresUtc);

/// <summary>
/// Where tokens are made. Only the user a token is for ever receives it: through their activation code
/// (<see cref="Activate"/>), or the bootstrap admin through the token file (<see cref="BootstrapAdmin"/>). No endpoint gives
/// anyone a working token of another user.
/// </summary>
internal static class IssueToken
{
    /// <summary>Stores a new token (its hash only) and audits for whom it was issued; the token itself is never recorded.</summary>
    internal static async Task StoreAsync(WriteScope w, Guid userId, string token, DateTime expiresUtc, Guid? id = null)
    {
        var tokenId = id ?? SequentialGuid.New(w.NowUtc);
        await AccessQueries.InsertTokenAsync(w.Session, tokenId, userId, ApiTokens.Hash(token), w.NowUtc, expiresUtc);
        await w.AuditAsync(new AuditEntry(AuditEntities.Token, tokenId.ToString(), AuditActions.TokenIssued,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId, tokenId, expiresUtc }))));
    }
}
