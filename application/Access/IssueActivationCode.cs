using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>A one-time activation code as issued: shown only here, stored as its hash.</summary>
public sealed record IssuedActivationCode(Guid UserId, string Code, DateTime ExpiresUtc);

/// <summary>An activation code as the audit trail records its issue: never the code.</summary>
internal sealed record AuditedActivationCode(Guid Id, Guid UserId, DateTime ExpiresUtc, int CodesReplaced);

/// <summary>
/// Gives a user a new one-time activation code (admin), when theirs was lost or expired or their access is reset; the
/// user exchanges it for a token of their own (<see cref="Activate"/>). The user's earlier unused codes stop working.
/// An admin is never given a working token of another user, so an admin cannot act as anyone else.
/// </summary>
public sealed class IssueActivationCode(AccessOptions options)
{
    public async Task<Outcome<IssuedActivationCode>> WriteAsync(WriteScope w, Guid userId)
    {
        if (await AccessQueries.FindUserAsync(w.Session, userId) is null) return new NotFound($"No user with id {userId}.");
        return await StoreAsync(w, userId, options);
    }

    /// <summary>Replaces the user's unused codes with a new one (its hash only) and audits it; the code itself is never recorded.</summary>
    internal static async Task<IssuedActivationCode> StoreAsync(WriteScope w, Guid userId, AccessOptions options)
    {
        var (now, code) = (w.NowUtc, ActivationCodes.New());
        var id = SequentialGuid.New(now);
        var expiresUtc = now.AddHours(options.ActivationCodeLifetimeHours);
        var replaced = await AccessQueries.ReplaceActivationCodesAsync(w.Session, userId, now);
        await AccessQueries.InsertActivationCodeAsync(w.Session, id, userId, ActivationCodes.Hash(code), now, w.Actor.UserId, expiresUtc);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.ActivationCode, id.ToString(), new AuditedActivationCode(id, userId, expiresUtc, replaced), null, null));
        return new IssuedActivationCode(userId, code, expiresUtc);
    }
}
