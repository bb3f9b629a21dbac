using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <param name="Role">One of <see cref="Roles.All"/>.</param>
/// <param name="Sites">The codes of the sites the user works at; at least one for every role but admin.</param>
/// <param name="Reason">Why the access changes.</param>
public sealed record AccessInput(string? Role, IReadOnlyList<string?>? Sites, string? Reason);

/// <summary>A change of access: the user as it left them, and whether it awaits a second person's approval.</summary>
public sealed record AccessChange(User User, bool AwaitsApproval);

/// <summary>
/// Changes a user's role and sites (admin). A change to a blinded role, or one that only takes sites away, applies at once;
/// one that grants a role that sees arms, or adds a site to such a role, is a request that a second person approves
/// (<see cref="ApproveAccess"/>), and until then the user's access is unchanged. Either way the change supersedes a
/// request still pending for the user. An admin does not change their own access.
/// </summary>
public sealed class ChangeAccess
{
    /// <summary>A checked change: the sites distinct and in order.</summary>
    public sealed record Checked(string Role, IReadOnlyList<string> Sites, string Reason);

    public Outcome<Checked> Check(AccessInput input)
    {
        var errors = new FieldErrors();
        var (role, sites) = CreateUser.CheckAccess(input.Role, input.Sites, errors);
        var reason = errors.Required(input.Reason?.Trim(), "reason", "Reason");
        if (reason is { Length: > 2000 }) errors.Add("reason", "Reason must be at most 2000 characters.");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(role!, sites, reason!);
    }

    public async Task<Outcome<AccessChange>> WriteAsync(WriteScope w, Guid userId, Checked input)
    {
        var user = await AccessQueries.FindUserAsync(w.Session, userId);
        if (user is null) return new NotFound($"No user with id {userId}.");
        if (userId == w.Actor.UserId) return new Forbidden("Your own access is changed by another admin.");
        var missing = new List<string>();
        foreach (var s in input.Sites)
            if (await AccessQueries.FindSiteAsync(w.Session, s) is null) missing.Add(s);
        if (missing.Count > 0) return Invalid.Field("sites", $"Unknown site(s): {string.Join(", ", missing)}.");

        var sites = await AccessQueries.UserSitesAsync(w.Session, userId);
        var approvedUtc = await AccessRequestQueries.ArmAccessApprovedAsync(w.Session, userId);
        if (UnblindedAccess.NeedsApproval(input.Role, input.Sites, user.Role, sites, approvedUtc is not null))
        {
            await UnblindedAccess.RequestAsync(w, userId, input.Role, input.Sites, input.Reason);
            return new AccessChange((await UnblindedAccess.ReadUserAsync(w.Session, userId))!, true);
        }

        var pending = await AccessRequestQueries.PendingAsync(w.Session, userId);
        if (pending is null && input.Role == user.Role && input.Sites.SequenceEqual(sites))
        {
            // Nothing to change: nothing is written.
            w.Refuse();
            return new AccessChange((await UnblindedAccess.ReadUserAsync(w.Session, userId))!, false);
        }
        await AccessRequestQueries.SupersedeAsync(w.Session, userId, w.Actor.UserId, w.NowUtc);
        // Still the same role that sees arms (fewer sites): its approval stands. Any other role reads no arm.
        var stillApproved = Roles.Unblinded.Contains(input.Role) ? approvedUtc : null;
        await AccessRequestQueries.SetAccessAsync(w.Session, userId, input.Role, input.Sites, stillApproved);
        await w.AuditAsync(AuditEntry.Changed(AuditEntities.User, userId.ToString(), AuditActions.Update,
            new { id = userId, role = user.Role, sites, pendingRequest = pending?.Id },
            new { id = userId, role = input.Role, sites = input.Sites, pendingRequest = (Guid?)null },
            null, null, input.Reason));
        return new AccessChange((await UnblindedAccess.ReadUserAsync(w.Session, userId))!, false);
    }
}
