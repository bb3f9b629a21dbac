using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>A request for a role that sees arms, awaiting a second person's approval.</summary>
public sealed record PendingAccess(Guid RequestId, string Role, IReadOnlyList<string> Sites, Guid RequestedBy, DateTime RequestedUtc, string? Reason)
{
    internal static PendingAccess? From(AccessRequestRow? r) => r is null ? null : new(r.Id, r.Role, r.Sites, r.RequestedBy, r.RequestedUtc, r.Reason);
}

/// <summary>
/// A role that sees arms (<see cref="Roles.Unblinded"/>) is granted by two people: one admin requests it (creating such a
/// user, changing a user's role to one, adding a site to such a user), and a second admin, or the configured
/// unblinded-access approver (<see cref="AccessOptions.UnblindedAccessApprover"/>), approves it. Until then the user's
/// access is as it was, and a new unblinded account reads no arm.
/// </summary>
public static class UnblindedAccess
{
    /// <summary>What <see cref="User.ArmAccess"/> says: a blinded role, an unblinded one awaiting approval, or approved.</summary>
    public const string None = "none", AwaitingApproval = "awaiting-approval", Approved = "approved";

    public static string StateOf(string role, bool approved) =>
        !Roles.Unblinded.Contains(role) ? None : approved ? Approved : AwaitingApproval;

    /// <summary>
    /// Whether giving <paramref name="role"/> and <paramref name="sites"/> to a user who has <paramref name="currentRole"/>
    /// and <paramref name="currentSites"/> (approved for arms or not) needs a second person: a role that sees arms, unless the
    /// user already holds it, approved, at every site asked for (taking sites away never needs one).
    /// </summary>
    public static bool NeedsApproval(string role, IReadOnlyList<string> sites, string currentRole, IReadOnlyList<string> currentSites, bool currentApproved) =>
        Roles.Unblinded.Contains(role) && !(currentApproved && currentRole == role && sites.All(currentSites.Contains));

    /// <summary>Records the request (superseding the user's pending one, if any), with its audit row naming who asked.</summary>
    internal static async Task<PendingAccess> RequestAsync(WriteScope w, Guid userId, string role, IReadOnlyList<string> sites, string? reason)
    {
        await AccessRequestQueries.SupersedeAsync(w.Session, userId, w.Actor.UserId, w.NowUtc);
        var request = new AccessRequestRow(SequentialGuid.New(w.NowUtc), userId, role, sites, reason, w.NowUtc, w.Actor.UserId);
        await AccessRequestQueries.InsertAsync(w.Session, request);
        await w.AuditAsync(new AuditEntry(AuditEntities.User, userId.ToString(), AuditActions.AccessRequested,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { requestId = request.Id, userId, role, sites, requestedBy = w.Actor.UserId, requestedByName = w.Actor.Name })),
            Reason: reason));
        return PendingAccess.From(request)!;
    }

    /// <summary>The user as an admin reads them: role and sites, whether arm access is approved, and the pending request.</summary>
    internal static async Task<User?> ReadUserAsync(DbSession s, Guid userId)
    {
        var user = await AccessQueries.FindUserAsync(s, userId);
        if (user is null) return null;
        var approved = await AccessRequestQueries.ArmAccessApprovedAsync(s, userId) is not null;
        return new User(user.Id, user.Name, user.Role, await AccessQueries.UserSitesAsync(s, userId), user.CreatedUtc,
            StateOf(user.Role, approved), PendingAccess.From(await AccessRequestQueries.PendingAsync(s, userId)));
    }
}
