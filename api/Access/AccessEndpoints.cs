using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Access;

namespace Trial.Api.Access;

public sealed record CreateSiteRequest(string? Code, string? Name, string? TimeZone);
public sealed record SiteResponse(string Code, string Name, string TimeZone, DateTime CreatedUtc)
{
    public static SiteResponse From(Site s) => new(s.Code, s.Name, s.TimeZone, s.CreatedUtc);
}
public sealed record CreateUserRequest(string? Name, string? Role, IReadOnlyList<string>? Sites);
/// <param name="Id">The user's id.</param>
/// <param name="Name">Their name.</param>
/// <param name="Role">Their current role.</param>
/// <param name="Sites">The sites they work at now (none for an admin, who spans all).</param>
/// <param name="CreatedUtc">When they were created.</param>
/// <param name="ArmAccess">For a role that sees arms, whether a second person approved it: none (a blinded role), awaiting-approval or approved.</param>
/// <param name="PendingAccess">A change of access that awaits a second person's approval, or null.</param>
public sealed record UserResponse(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc, string ArmAccess, PendingAccessResponse? PendingAccess)
{
    public static UserResponse From(User u) => new(u.Id, u.Name, u.Role, u.Sites, u.CreatedUtc, u.ArmAccess, PendingAccessResponse.From(u.PendingAccess));
}
/// <summary>A requested role and sites, who asked when and why.</summary>
public sealed record PendingAccessResponse(Guid RequestId, string Role, IReadOnlyList<string> Sites, Guid RequestedBy, DateTime RequestedUtc, string? Reason)
{
    public static PendingAccessResponse? From(PendingAccess? p) => p is null ? null : new(p.RequestId, p.Role, p.Sites, p.RequestedBy, p.RequestedUtc, p.Reason);
}
public sealed record ChangeAccessRequest(string? Role, IReadOnlyList<string>? Sites, string? Reason);
public sealed record CreatedUserResponse(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc, string ActivationCode,
    DateTime ActivationExpiresUtc)
{
    public static CreatedUserResponse From(CreatedUser u) => new(u.Id, u.Name, u.Role, u.Sites, u.CreatedUtc, u.ActivationCode, u.ActivationExpiresUtc);
}
public sealed record ActivationCodeResponse(Guid UserId, string ActivationCode, DateTime ActivationExpiresUtc);
/// <param name="ActivationCode">The one-time code an admin gave the user, e.g. 7KQ2-MX9D-0T4H-B8RW-3NCZ-5GJA-YP61 (case, spaces and hyphens do not matter).</param>
public sealed record ActivateRequest(string? ActivationCode);
public sealed record NewTokenResponse(Guid UserId, string Token, DateTime TokenExpiresUtc);
public sealed record OwnTokenResponse(Guid Id, DateTime CreatedUtc, DateTime ExpiresUtc, DateTime? RevokedUtc, bool Current)
{
    public static OwnTokenResponse From(OwnToken t) => new(t.Id, t.CreatedUtc, t.ExpiresUtc, t.RevokedUtc, t.Current);
}

/// <summary>The routes of sites, users and their tokens; the use cases are in Trial.Application.Access.</summary>
public static class AccessEndpoints
{
    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        var sites = app.MapGroup("/api/v1/sites").WithTags("Access").RequireAuthorization(Policies.Admin);
        sites.MapPost("", CreateSiteAsync).WithName("CreateSite")
            .WithSummary("Create a study site (admin). timeZone is its IANA time zone (e.g. Europe/Warsaw): the site's local calendar decides \"today\", \"in the future\" and when a visit window closes.")
            .Produces<SiteResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(409);
        sites.MapGet("", ListSitesAsync).WithName("ListSites").WithSummary("List study sites (admin).").Produces<IReadOnlyList<SiteResponse>>();

        var users = app.MapGroup("/api/v1/users").WithTags("Access");
        users.MapPost("", CreateUserAsync).RequireAuthorization(Policies.Admin).WithName("CreateUser")
            .WithSummary("Create a user with a role and sites (admin). The response holds a one-time activation code, shown only here, for the admin to pass on: "
                + "the user exchanges it for a token of their own (POST /api/v1/tokens). It expires after Access:ActivationCodeLifetimeHours (72 by default).")
            .Produces<CreatedUserResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422)
            .WithMetadata(new SecretResponse("the user's activation code",
                "An activation code is shown only once: if the response was lost, give the user a new one (POST /api/v1/users/{id}/activation); the lost one stops working."));
        users.MapGet("", ListUsersAsync).RequireAuthorization(Policies.Admin).WithName("ListUsers")
            .WithSummary("List users (admin) in the order they were created, a page at a time; the next page is in the Link header.")
            .Produces<IReadOnlyList<UserResponse>>().ProducesValidationProblem(422).Paged();
        users.MapPut("/{id:guid}/access", ChangeAccessAsync).RequireAuthorization(Policies.Admin).WithName("ChangeUserAccess")
            .WithSummary("Change a user's role and sites (admin), with a reason. A blinded role, or fewer sites, applies at once (200); a role that sees arms " +
                "(pharmacist, unblinded-statistician), or a site added to one, is a request (202) that a second admin approves: until then the user's access is unchanged.")
            .Produces<UserResponse>().Produces<UserResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem(422).ProducesProblem(403).ProducesProblem(404);
        users.MapPost("/{id:guid}/approval", ApproveAccessAsync).RequireAuthorization().WithName("ApproveUserAccess")
            .WithSummary("Approve the access requested for a user (a role that sees arms, or more sites for one): by an admin other than the one who requested it, " +
                "or by the configured unblinded-access approver (Access:UnblindedAccessApprover); never by the user it is for. 409 when nothing awaits approval.")
            .Produces<UserResponse>().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        users.MapDelete("/me/token", RevokeOwnTokenAsync).RequireAuthorization().WithName("RevokeOwnToken")
            .WithSummary("Revoke the token this request is made with (any user): it stops working at once, e.g. when it may have been seen by someone else.")
            .Produces(StatusCodes.Status204NoContent);
        users.MapGet("/me/tokens", ListOwnTokensAsync).RequireAuthorization().WithName("ListOwnTokens")
            .WithSummary("List one's own tokens (any user), revoked and expired ones included, oldest first; current marks the one this request is made with. Never a token itself.")
            .Produces<IReadOnlyList<OwnTokenResponse>>();
        users.MapDelete("/me/tokens/{id:guid}", RevokeOwnTokenByIdAsync).RequireAuthorization().WithName("RevokeOwnTokenById")
            .WithSummary("Revoke one of one's own tokens by its id (any user): it stops working at once. 404 for an id that is not one of one's tokens.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404).ProducesProblem(409);
        users.MapDelete("/{id:guid}/token", RevokeTokenAsync).RequireAuthorization(Policies.Admin).WithName("RevokeUserToken")
            .WithSummary("Revoke every token of a user and their unused activation codes (admin); the user is locked out at once, until given a new code.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        users.MapPost("/{id:guid}/activation", IssueActivationCodeAsync).RequireAuthorization(Policies.Admin).WithName("IssueActivationCode")
            .WithSummary("Give a user a new one-time activation code (admin), e.g. when theirs was lost or expired; their earlier unused codes stop working. "
                + "The user exchanges it for a token of their own (POST /api/v1/tokens); an admin never receives another user's token.")
            .Produces<ActivationCodeResponse>(StatusCodes.Status201Created).ProducesProblem(404)
            .WithMetadata(new SecretResponse("the user's activation code",
                "An activation code is shown only once: if the response was lost, issue another (POST /api/v1/users/{id}/activation); the lost one stops working."));

        // Anonymous: the activation code is the proof. Callers without a token are limited per address (AddressRateLimit).
        app.MapPost("/api/v1/tokens", ActivateAsync).AllowAnonymous().WithTags("Access").WithName("Activate")
            .WithSummary("Exchange a one-time activation code for a token of one's own (no token needed). The code works once; " +
                         "a code that is unknown, used, expired or replaced is refused with 422 naming activationCode. The token is shown only here.")
            .Produces<NewTokenResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422)
            .WithMetadata(new SecretResponse("the new token",
                "A token is shown only once: if the response was lost, ask an admin for a new activation code (POST /api/v1/users/{id}/activation)."));
        return app;
    }

    private static async Task<IResult> CreateSiteAsync(CreateSiteRequest body, CreateSite sites, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var site = sites.Check(new SiteInput(body.Code, body.Name, body.TimeZone));
        if (site.IsRefused) return site.Refusal!.ToResult();
        return await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => sites.WriteAsync(w, site.Value!),
            created => Results.Created($"/api/v1/sites/{created.Code}", SiteResponse.From(created)));
    }

    private static async Task<IResult> ListSitesAsync(ListSites sites) => Results.Ok((await sites.ListAsync()).Select(SiteResponse.From));

    private static async Task<IResult> CreateUserAsync(CreateUserRequest body, CreateUser users, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var user = users.Check(new UserInput(body.Name, body.Role, body.Sites));
        if (user.IsRefused) return user.Refusal!.ToResult();
        return await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => users.WriteAsync(w, user.Value!),
            created => Results.Created($"/api/v1/users/{created.Id}", CreatedUserResponse.From(created)));
    }

    private static async Task<IResult> ListUsersAsync(int? limit, string? cursor, ListUsers users, HttpContext http)
    {
        var page = await users.ListAsync(limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, UserResponse.From);
    }

    private static async Task<IResult> ChangeAccessAsync(Guid id, ChangeAccessRequest body, ChangeAccess change, IdempotentWrites writes, TimeProvider clock,
        TokenCache tokens, HttpContext http)
    {
        var input = change.Check(new AccessInput(body.Role, body.Sites, body.Reason));
        if (input.IsRefused) return input.Refusal!.ToResult();
        var result = await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => change.WriteAsync(w, id, input.Value!),
            changed => changed.AwaitsApproval ? Results.Accepted($"/api/v1/users/{id}", UserResponse.From(changed.User)) : Results.Ok(UserResponse.From(changed.User)),
            // Two requests for one user at once: the unique pending request refuses the second (SQL Server; SQLite writes one at a time).
            () => Task.FromResult<Refusal?>(new Conflict("Another change of this user's access was made at the same time; read the user (GET /api/v1/users) and try again.")));
        // The user's tokens resolve to their new access at once (a role that sees arms, taken away, must stop reading arms now).
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> ApproveAccessAsync(Guid id, ApproveAccess approve, IdempotentWrites writes, TimeProvider clock, TokenCache tokens, HttpContext http)
    {
        var result = await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => approve.WriteAsync(w, id), user => Results.Ok(UserResponse.From(user)));
        // A cached token of the user still says "awaiting approval": it reads arms from the next request on.
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> RevokeTokenAsync(Guid id, RevokeUserTokens revoke, IdempotentWrites writes, TimeProvider clock, TokenCache tokens, HttpContext http)
    {
        var result = await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => revoke.WriteAsync(w, id), _ => Results.NoContent());
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> RevokeOwnTokenAsync(RevokeOwnToken revoke, IdempotentWrites writes, TimeProvider clock, TokenCache tokens, HttpContext http)
    {
        var result = await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, revoke.WriteAsync, _ => Results.NoContent());
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> ListOwnTokensAsync(ListOwnTokens tokens, HttpContext http) =>
        Results.Ok((await tokens.ListAsync(http.Actor())).Select(OwnTokenResponse.From).ToList());

    private static async Task<IResult> RevokeOwnTokenByIdAsync(Guid id, RevokeOwnToken revoke, IdempotentWrites writes, TimeProvider clock, TokenCache tokens, HttpContext http)
    {
        var result = await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => revoke.WriteAsync(w, id), _ => Results.NoContent());
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> IssueActivationCodeAsync(Guid id, IssueActivationCode issue, IdempotentWrites writes, TimeProvider clock, HttpContext http) =>
        await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => issue.WriteAsync(w, id),
            code => Results.Created($"/api/v1/users/{id}", new ActivationCodeResponse(code.UserId, code.Code, code.ExpiresUtc)));

    /// <summary>
    /// Not through the idempotency store: the caller has no token (the store keeps responses per user), and a code works once,
    /// so a retry is refused like any second use. The token is shown in this response alone.
    /// </summary>
    private static async Task<IResult> ActivateAsync(ActivateRequest body, Activate activate, HttpContext http)
    {
        var code = activate.Check(new ActivationInput(body.ActivationCode));
        if (code.IsRefused) return code.Refusal!.ToResult();
        var issued = await activate.ActivateAsync(code.Value!, http.TraceIdentifier);
        return issued.IsRefused
            ? issued.Refusal!.ToResult()
            : Results.Created("/api/v1/users/me/tokens", new NewTokenResponse(issued.Value!.UserId, issued.Value.Token, issued.Value.ExpiresUtc));
    }
}
