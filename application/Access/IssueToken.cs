using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>A token as issued: shown only here, stored as its hash.</summary>
public sealed record IssuedToken(Guid UserId, string Token, DateTime ExpiresUtc);

/// <summary>Issues a new token for a user (admin); earlier tokens stay valid until revoked or expired.</summary>
public sealed class IssueToken(AccessOptions options)
{
    public async Task<Outcome<IssuedToken>> WriteAsync(WriteScope w, Guid userId)
    {
        if (await AccessQueries.FindUserAsync(w.Session, userId) is null) return new NotFound($"No user with id {userId}.");
        var token = ApiTokens.New();
        var expires = w.NowUtc.AddDays(options.TokenLifetimeDays);
        await StoreAsync(w, userId, token, expires);
        return new IssuedToken(userId, token, expires);
    }

    /// <summary>Stores a new token (its hash only) and audits who issued it for whom; the token itself is never recorded.</summary>
    internal static async Task StoreAsync(WriteScope w, Guid userId, string token, DateTime expiresUtc)
    {
        var tokenId = SequentialGuid.New(w.NowUtc);
        await AccessQueries.InsertTokenAsync(w.Session, tokenId, userId, ApiTokens.Hash(token), w.NowUtc, expiresUtc);
        await w.AuditAsync(new AuditEntry(AuditEntities.Token, tokenId.ToString(), AuditActions.TokenIssued,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId, tokenId, expiresUtc }))));
    }
}
