using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Trial.Api.Infrastructure;
using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Api.Access;

public sealed record CreateSiteRequest(string? Code, string? Name);
public sealed record SiteResponse(string Code, string Name, DateTime CreatedUtc);
public sealed record CreateUserRequest(string? Name, string? Role, IReadOnlyList<string>? Sites);
public sealed record UserResponse(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, DateTime CreatedUtc);
public sealed record CreatedUserResponse(Guid Id, string Name, string Role, IReadOnlyList<string> Sites, string Token, DateTime TokenExpiresUtc);
public sealed record NewTokenResponse(Guid UserId, string Token, DateTime TokenExpiresUtc);

public static partial class AccessEndpoints
{
    [GeneratedRegex("^[A-Z]{2,10}$")]
    private static partial Regex SiteCodePattern();

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        var sites = app.MapGroup("/api/v1/sites").WithTags("Access").RequireAuthorization(Policies.Admin);
        sites.MapPost("", CreateSiteAsync).WithName("CreateSite").WithSummary("Create a study site (admin).")
            .Produces<SiteResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(409);
        sites.MapGet("", ListSitesAsync).WithName("ListSites").WithSummary("List study sites (admin).").Produces<IReadOnlyList<SiteResponse>>();

        var users = app.MapGroup("/api/v1/users").WithTags("Access").RequireAuthorization(Policies.Admin);
        users.MapPost("", CreateUserAsync).WithName("CreateUser")
            .WithSummary("Create a user with a role and sites (admin); the response holds the user's token, shown only here.")
            .Produces<CreatedUserResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422);
        users.MapGet("", ListUsersAsync).WithName("ListUsers").WithSummary("List users (admin).").Produces<IReadOnlyList<UserResponse>>();
        users.MapDelete("/{id:guid}/token", RevokeTokenAsync).WithName("RevokeUserToken")
            .WithSummary("Revoke every token of a user (admin); the user is locked out at once.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        users.MapPost("/{id:guid}/token", IssueTokenAsync).WithName("IssueUserToken")
            .WithSummary("Issue a new token for a user (admin); earlier tokens stay valid until revoked or expired.")
            .Produces<NewTokenResponse>(StatusCodes.Status201Created).ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> CreateSiteAsync(CreateSiteRequest body, Database db, TimeProvider clock, HttpContext http)
    {
        var errors = new FieldErrors();
        var code = errors.Required(body.Code?.Trim(), "code", "Site code");
        var name = errors.Required(body.Name?.Trim(), "name", "Site name");
        if (code is not null && !SiteCodePattern().IsMatch(code))
            errors.Add("code", $"Site code must be 2 to 10 capital letters (e.g. WAW); got '{code}'.");
        if (name is { Length: > 200 }) errors.Add("name", "Site name must be at most 200 characters.");
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var site = new SiteRow { Code = code!, Name = name!, CreatedUtc = now };
        var created = await db.WriteAsync(http.User.Actor(), now, async w =>
        {
            if (await AccessQueries.FindSiteAsync(w.Connection, site.Code, w.Transaction) is not null) return false;
            await AccessQueries.InsertSiteAsync(w.Connection, w.Transaction, site);
            return true;
        });
        return created
            ? Results.Created($"/api/v1/sites/{site.Code}", new SiteResponse(site.Code, site.Name, site.CreatedUtc))
            : Problems.Conflict($"Site {site.Code} already exists.");
    }

    private static async Task<IResult> ListSitesAsync(Database db) =>
        Results.Ok((await db.ReadAsync(AccessQueries.ListSitesAsync)).Select(s => new SiteResponse(s.Code, s.Name, s.CreatedUtc)));

    private static async Task<IResult> CreateUserAsync(CreateUserRequest body, Database db, TimeProvider clock, IOptions<AccessOptions> options, HttpContext http)
    {
        var errors = new FieldErrors();
        var name = errors.Required(body.Name?.Trim(), "name", "Name");
        if (name is { Length: > 200 }) errors.Add("name", "Name must be at most 200 characters.");
        var role = errors.Required(body.Role?.Trim(), "role", "Role");
        if (role is not null && !Roles.All.Contains(role))
            errors.Add("role", $"Role must be one of {string.Join(", ", Roles.All)}; got '{role}'.");
        var siteCodes = (body.Sites ?? []).Select(s => s?.Trim() ?? "").ToList();
        if (siteCodes.Any(string.IsNullOrEmpty)) errors.Add("sites", "Site codes must not be empty.");
        if (role is Roles.Investigator or Roles.Monitor && siteCodes.Count == 0)
            errors.Add("sites", $"A {role} must be given at least one site.");
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var token = ApiTokens.New();
        var expires = now.AddDays(options.Value.TokenLifetimeDays);
        var user = new UserRow { Id = SequentialGuid.New(now), Name = name!, Role = role!, CreatedUtc = now };
        var sites = siteCodes.Distinct().Order(StringComparer.Ordinal).ToList();
        var unknown = await db.WriteAsync(http.User.Actor(), now, async w =>
        {
            var missing = new List<string>();
            foreach (var s in sites)
                if (await AccessQueries.FindSiteAsync(w.Connection, s, w.Transaction) is null) missing.Add(s);
            if (missing.Count > 0) return missing;
            await AccessQueries.InsertUserAsync(w.Connection, w.Transaction, user, w.Actor.UserId, sites);
            await AccessQueries.InsertTokenAsync(w.Connection, w.Transaction, SequentialGuid.New(now), user.Id, ApiTokens.Hash(token), now, expires);
            return missing;
        });
        if (unknown.Count > 0) return Problems.Validation("sites", $"Unknown site(s): {string.Join(", ", unknown)}.");
        return Results.Created($"/api/v1/users/{user.Id}", new CreatedUserResponse(user.Id, user.Name, user.Role, sites, token, expires));
    }

    private static async Task<IResult> ListUsersAsync(Database db) =>
        Results.Ok(await db.ReadAsync(async c =>
        {
            var result = new List<UserResponse>();
            foreach (var u in await AccessQueries.ListUsersAsync(c))
                result.Add(new UserResponse(u.Id, u.Name, u.Role, await AccessQueries.UserSitesAsync(c, u.Id), u.CreatedUtc));
            return result;
        }));

    private static async Task<IResult> RevokeTokenAsync(Guid id, Database db, TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.WriteAsync(http.User.Actor(), now, async w =>
        {
            if (await AccessQueries.FindUserAsync(w.Connection, id, w.Transaction) is null) return false;
            await AccessQueries.RevokeTokensAsync(w.Connection, w.Transaction, id, now);
            return true;
        });
        return found ? Results.NoContent() : Problems.NotFound($"No user with id {id}.");
    }

    private static async Task<IResult> IssueTokenAsync(Guid id, Database db, TimeProvider clock, IOptions<AccessOptions> options, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = ApiTokens.New();
        var expires = now.AddDays(options.Value.TokenLifetimeDays);
        var found = await db.WriteAsync(http.User.Actor(), now, async w =>
        {
            if (await AccessQueries.FindUserAsync(w.Connection, id, w.Transaction) is null) return false;
            await AccessQueries.InsertTokenAsync(w.Connection, w.Transaction, SequentialGuid.New(now), id, ApiTokens.Hash(token), now, expires);
            return true;
        });
        return found
            ? Results.Created($"/api/v1/users/{id}", new NewTokenResponse(id, token, expires))
            : Problems.NotFound($"No user with id {id}.");
    }
}
