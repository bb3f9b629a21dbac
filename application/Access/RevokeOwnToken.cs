using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>
/// Revokes a token of the writer's own (any user): the one they act with, or another of theirs by its id (as
/// <see cref="ListOwnTokens"/> lists them). It stops working at once, e.g. when it may have been seen by someone else. A
/// process that caches resolved tokens must forget them once the write is committed.
/// </summary>
public sealed class RevokeOwnToken
{
    /// <summary>Revokes the token the writer acts with; the id of the token revoked.</summary>
    public Task<Outcome<Guid>> WriteAsync(WriteScope w) => RevokeAsync(w, w.Actor.TokenId);

    /// <summary>
    /// Revokes the writer's token <paramref name="tokenId"/>: 404 when they have no token with this id (another user's
    /// token is not told apart from none), 409 when it is already revoked.
    /// </summary>
    public async Task<Outcome<Guid>> WriteAsync(WriteScope w, Guid tokenId)
    {
        var token = await AccessQueries.FindUserTokenAsync(w.Session, w.Actor.UserId, tokenId);
        if (token is null) return new NotFound($"You have no token with id {tokenId}.");
        if (token.RevokedUtc is { } revokedUtc) return new Conflict($"This token was already revoked at {revokedUtc:yyyy-MM-dd HH:mm:ss} UTC.");
        return await RevokeAsync(w, tokenId);
    }

    private static async Task<Outcome<Guid>> RevokeAsync(WriteScope w, Guid tokenId)
    {
        var (actor, now) = (w.Actor, w.NowUtc);
        await AccessQueries.RevokeTokenAsync(w.Session, tokenId, now);
        await w.AuditAsync(new AuditEntry(AuditEntities.Token, tokenId.ToString(), AuditActions.TokenRevoked,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId = actor.UserId, tokenId, revokedUtc = now })),
            Reason: "Revoked by its owner."));
        return tokenId;
    }
}
