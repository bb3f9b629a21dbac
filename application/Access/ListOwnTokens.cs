using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>One of a user's tokens as they list it: never the token or its hash.</summary>
/// <param name="Id">The token's id, by which its owner revokes it.</param>
/// <param name="CreatedUtc">When it was issued.</param>
/// <param name="ExpiresUtc">When it stops working unless revoked earlier.</param>
/// <param name="RevokedUtc">When it was revoked; null while it is not.</param>
/// <param name="Current">Whether it is the token the listing request was made with.</param>
public sealed record OwnToken(Guid Id, DateTime CreatedUtc, DateTime ExpiresUtc, DateTime? RevokedUtc, bool Current);

/// <summary>
/// The tokens of the caller (any user), revoked and expired ones included, oldest first: so a user can see whether a
/// token was issued they did not ask for, and revoke any of theirs (<see cref="RevokeOwnToken"/>).
/// </summary>
public sealed class ListOwnTokens(Database db)
{
    public async Task<IReadOnlyList<OwnToken>> ListAsync(Actor actor) =>
        (await db.ReadAsync(c => AccessQueries.UserTokensAsync(c, actor.UserId)))
        .Select(t => new OwnToken(t.Id, t.CreatedUtc, t.ExpiresUtc, t.RevokedUtc, t.Id == actor.TokenId))
        .ToList();
}
