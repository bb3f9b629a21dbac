using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>
/// Approves the access requested for a user (a role that sees arms, or more sites for one): the second of the two people
/// <see cref="UnblindedAccess"/> asks for. The approver is an admin who did not make the request, or the configured
/// unblinded-access approver (<see cref="AccessOptions.UnblindedAccessApprover"/>, for a study with a single admin);
/// never the person the request is for. The user's role and sites become the requested ones, approved for arms.
/// A process that caches resolved tokens must forget them once the write is committed.
/// </summary>
public sealed class ApproveAccess(AccessOptions options)
{
    public async Task<Outcome<User>> WriteAsync(WriteScope w, Guid userId)
    {
        var actor = w.Actor;
        if (!actor.IsAdmin && (options.UnblindedAccessApprover is not { } approver || approver != actor.UserId))
            return new Forbidden("Access that sees arms is approved by an admin other than the one who requested it, or by the configured unblinded-access approver.");
        var user = await AccessQueries.FindUserAsync(w.Session, userId);
        if (user is null) return new NotFound($"No user with id {userId}.");
        var request = await AccessRequestQueries.PendingAsync(w.Session, userId);
        if (request is null) return new Conflict($"No access awaits approval for user {userId}.");
        if (request.UserId == actor.UserId)
            return new Forbidden("Nobody approves their own access: a second person must approve it.");
        if (request.RequestedBy == actor.UserId)
            return new Forbidden("You requested this access: a second person must approve it (another admin, or the configured unblinded-access approver).");
        if (!await AccessRequestQueries.DecideAsync(w.Session, request.Id, AccessRequestQueries.Approved, actor.UserId, w.NowUtc))
            return new Conflict($"No access awaits approval for user {userId}.");

        var sites = await AccessQueries.UserSitesAsync(w.Session, userId);
        await AccessRequestQueries.SetAccessAsync(w.Session, userId, request.Role, request.Sites, w.NowUtc);
        await w.AuditAsync(new AuditEntry(AuditEntities.User, userId.ToString(), AuditActions.AccessApproved,
            OldValue: CanonicalJson.Write(CanonicalJson.Of(new { userId, role = user.Role, sites })),
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new
            {
                requestId = request.Id, userId, role = request.Role, sites = request.Sites, requestedBy = request.RequestedBy,
                requestedUtc = request.RequestedUtc, approvedBy = actor.UserId, approvedByName = actor.Name,
            }))));
        return (await UnblindedAccess.ReadUserAsync(w.Session, userId))!;
    }
}
