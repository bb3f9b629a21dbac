using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Trial.Api.Infrastructure;
using Trial.Application.Access;
using Trial.Core.Access;

namespace Trial.Api.Access;

/// <summary>
/// Part of every policy that lets a role see arms (pharmacists, unblinded statisticians, allocation readers, and the extract
/// readers, whose extracts carry arms for an unblinded statistician): a user in a role that sees arms passes only when a
/// second person approved their access (<see cref="UnblindedAccess"/>). Checked here, once, for every such route, from the
/// approval the bearer token resolved to.
/// </summary>
public sealed class ArmAccessApproved : IAuthorizationRequirement
{
    public static readonly ArmAccessApproved Requirement = new();
}

/// <summary>Refuses a role that sees arms whose access awaits approval, with a reason the caller can act on.</summary>
public sealed class ArmAccessApprovedHandler : AuthorizationHandler<ArmAccessApproved>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ArmAccessApproved requirement)
    {
        var role = context.User.FindFirstValue(ClaimTypes.Role);
        if (role is null || !Roles.Unblinded.Contains(role) || context.User.HasClaim(BearerAuthentication.ArmAccessClaim, UnblindedAccess.Approved))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var id = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
        context.Fail(new AuthorizationFailureReason(this,
            $"Your access as {role} awaits a second admin's approval (POST /api/v1/users/{id}/approval, by an admin other than the one who " +
            "requested it, or by the configured unblinded-access approver): until then it reads no arm."));
        return Task.CompletedTask;
    }
}

/// <summary>Answers a refusal for want of approval with its reason as problem+json; every other outcome as the framework does.</summary>
public sealed class ArmAccessResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var awaiting = authorizeResult.Forbidden
            ? authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault(r => r.Handler is ArmAccessApprovedHandler)
            : null;
        if (awaiting is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        await Problems.WriteAsync(problems, context, StatusCodes.Status403Forbidden, "Awaiting approval.", awaiting.Message);
    }
}
