using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <param name="ActivationCode">The one-time code an admin gave the user (hyphens, spaces and case do not matter).</param>
public sealed record ActivationInput(string? ActivationCode);

/// <summary>
/// A user exchanges the one-time activation code an admin gave them for a token of their own (anonymous: the code is the
/// proof). The code works once, until it expires or is replaced. The exchange is written as the user, with the token it
/// gives them, so the trail shows who activated. A refusal changes nothing but the trail: it is recorded in a transaction
/// of its own (as the anonymous caller; for a known code naming the user and why), never with the code itself. Every
/// refusal answers alike, so that the answer does not tell an unknown code from a used, expired or replaced one.
/// </summary>
public sealed class Activate(Database db, TimeProvider clock, AccessOptions options)
{
    public const string NotValid = "This activation code is not valid: it is unknown, used, expired or replaced; ask an admin for a new one.";

    /// <summary>Why a known code was refused, as the trail records it.</summary>
    public const string Used = "used", Replaced = "replaced", Expired = "expired", Unknown = "unknown";

    public Outcome<string> Check(ActivationInput input)
    {
        var errors = new FieldErrors();
        var code = errors.Required(input.ActivationCode?.Trim(), "activationCode", "Activation code");
        if (errors.Any) return errors.ToRefusal();
        return code!;
    }

    /// <summary>The user's new token, or a 422 naming activationCode; <paramref name="requestId"/> goes into the trail.</summary>
    public async Task<Outcome<IssuedToken>> ActivateAsync(string code, string? requestId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hash = ActivationCodes.Hash(code);
        var found = await db.ReadAsync(c => AccessQueries.FindActivationCodeAsync(c, hash));
        if (found is not null && RefusalOf(found, now) is null)
        {
            var (user, sites) = await db.ReadAsync(async c =>
                ((await AccessQueries.FindUserAsync(c, found.UserId))!, await AccessQueries.UserSitesAsync(c, found.UserId)));
            var (token, tokenId, expires) = (ApiTokens.New(), SequentialGuid.New(now), now.AddDays(options.TokenLifetimeDays));
            var asUser = new Actor(user.Id, tokenId, user.Name, user.Role, sites, requestId);
            var used = await db.WriteAsync(asUser, now, async w =>
            {
                await IssueToken.StoreAsync(w, user.Id, token, expires, tokenId);
                // Checked again in the write: of two requests with one code, the second finds it used and gets no token.
                if (await AccessQueries.UseActivationCodeAsync(w.Session, found.Id, tokenId, now) == 0)
                {
                    w.Refuse();
                    return false;
                }
                await w.AuditAsync(new AuditEntry(AuditEntities.ActivationCode, found.Id.ToString(), AuditActions.ActivationCodeUsed,
                    NewValue: CanonicalJson.Write(CanonicalJson.Of(new { activationCodeId = found.Id, userId = user.Id, tokenId, usedUtc = now }))));
                return true;
            });
            if (used) return new IssuedToken(user.Id, token, expires);
            found = await db.ReadAsync(c => AccessQueries.FindActivationCodeAsync(c, hash));
        }

        var reason = found is null ? Unknown : RefusalOf(found, now) ?? Used;
        var refused = found is null
            ? new AuditEntry(AuditEntities.ActivationCode, Unknown, AuditActions.AccessDenied,
                NewValue: CanonicalJson.Write(CanonicalJson.Of(new { reason })))
            : new AuditEntry(AuditEntities.ActivationCode, found.Id.ToString(), AuditActions.AccessDenied,
                NewValue: CanonicalJson.Write(CanonicalJson.Of(new { activationCodeId = found.Id, userId = found.UserId, reason })));
        await db.WriteAsync(Actor.Anonymous(requestId), now, w => w.AuditAsync(refused));
        return Invalid.Field("activationCode", NotValid);
    }

    /// <summary>Why the code cannot be used now, or null when it can.</summary>
    private static string? RefusalOf(ActivationCodeRow code, DateTime nowUtc) =>
        code.UsedUtc is not null ? Used : code.ReplacedUtc is not null ? Replaced : code.ExpiresUtc <= nowUtc ? Expired : null;
}
