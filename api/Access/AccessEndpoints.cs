using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Api.Access;

public sealed record CreateSiteRequest(string? Code, string? Name, string? TimeZone);
public sealed record SiteResponse(string Code, string Name, string TimeZone, DateTime CreatedUtc);
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
        sites.MapPost("", CreateSiteAsync).WithName("CreateSite")
            .WithSummary("Create a study site (admin). timeZone is its IANA time zone (e.g. Europe/Warsaw): the site's local calendar decides \"today\", \"in the future\" and when a visit window closes.")
            .Produces<SiteResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(409);
        sites.MapGet("", ListSitesAsync).WithName("ListSites").WithSummary("List study sites (admin).").Produces<IReadOnlyList<SiteResponse>>();

        var users = app.MapGroup("/api/v1/users").WithTags("Access");
        users.MapPost("", CreateUserAsync).RequireAuthorization(Policies.Admin).WithName("CreateUser")
            .WithSummary("Create a user with a role and sites (admin); the response holds the user's token, shown only here.")
            .Produces<CreatedUserResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422);
        users.MapGet("", ListUsersAsync).RequireAuthorization(Policies.Admin).WithName("ListUsers").WithSummary("List users (admin).").Produces<IReadOnlyList<UserResponse>>();
        users.MapDelete("/me/token", RevokeOwnTokenAsync).RequireAuthorization().WithName("RevokeOwnToken")
            .WithSummary("Revoke the token this request is made with (any user): it stops working at once, e.g. when it may have been seen by someone else.")
            .Produces(StatusCodes.Status204NoContent);
        users.MapDelete("/{id:guid}/token", RevokeTokenAsync).RequireAuthorization(Policies.Admin).WithName("RevokeUserToken")
            .WithSummary("Revoke every token of a user (admin); the user is locked out at once.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        users.MapPost("/{id:guid}/token", IssueTokenAsync).RequireAuthorization(Policies.Admin).WithName("IssueUserToken")
            .WithSummary("Issue a new token for a user (admin); earlier tokens stay valid until revoked or expired.")
            .Produces<NewTokenResponse>(StatusCodes.Status201Created).ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> CreateSiteAsync(CreateSiteRequest body, WritePath writes, TimeProvider clock, IOptions<SiteOptions> siteOptions, HttpContext http)
    {
        var errors = new FieldErrors();
        var code = errors.Required(body.Code?.Trim(), "code", "Site code");
        var name = errors.Required(body.Name?.Trim(), "name", "Site name");
        if (code is not null && !SiteCodePattern().IsMatch(code))
            errors.Add("code", $"Site code must be 2 to 10 capital letters (e.g. WAW); got '{code}'.");
        if (name is { Length: > 200 }) errors.Add("name", "Site name must be at most 200 characters.");
        var timeZone = string.IsNullOrWhiteSpace(body.TimeZone) ? siteOptions.Value.DefaultTimeZone : body.TimeZone.Trim();
        if (!SiteTimeZones.IsKnown(timeZone))
            errors.Add("timeZone", $"'{timeZone}' is not an IANA time zone known here; use a name such as Europe/Warsaw, America/New_York or UTC.");
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var site = new SiteRow { Code = code!, Name = name!, TimeZone = timeZone, CreatedUtc = now };
        return await writes.RunAsync(http, now, async w =>
        {
            if (await AccessQueries.FindSiteAsync(w.Session, site.Code) is not null)
                return Problems.Conflict($"Site {site.Code} already exists.");
            await AccessQueries.InsertSiteAsync(w.Session, site);
            var response = new SiteResponse(site.Code, site.Name, site.TimeZone, site.CreatedUtc);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.Site, site.Code, response, site.Code, null));
            return Results.Created($"/api/v1/sites/{site.Code}", response);
        });
    }

    private static async Task<IResult> ListSitesAsync(Database db) =>
        Results.Ok((await db.ReadAsync(AccessQueries.ListSitesAsync)).Select(s => new SiteResponse(s.Code, s.Name, s.TimeZone, s.CreatedUtc)));

    private static async Task<IResult> CreateUserAsync(CreateUserRequest body, WritePath writes, TimeProvider clock, IOptions<AccessOptions> options, HttpContext http)
    {
        var errors = new FieldErrors();
        var name = errors.Required(body.Name?.Trim(), "name", "Name");
        if (name is { Length: > 200 }) errors.Add("name", "Name must be at most 200 characters.");
        var role = errors.Required(body.Role?.Trim(), "role", "Role");
        if (role is not null && !Roles.All.Contains(role))
            errors.Add("role", $"Role must be one of {string.Join(", ", Roles.All)}; got '{role}'.");
        var siteCodes = (body.Sites ?? []).Select(s => s?.Trim() ?? "").ToList();
        if (siteCodes.Any(string.IsNullOrEmpty)) errors.Add("sites", "Site codes must not be empty.");
        if (siteCodes.Count > 100) errors.Add("sites", "A user can be given at most 100 sites.");
        if (role is not null && role != Roles.Admin && siteCodes.Count == 0)
            errors.Add("sites", $"A {role} must be given at least one site.");
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        var token = ApiTokens.New();
        var expires = now.AddDays(options.Value.TokenLifetimeDays);
        var user = new UserRow { Id = SequentialGuid.New(now), Name = name!, Role = role!, CreatedUtc = now };
        var sites = siteCodes.Distinct().Order(StringComparer.Ordinal).ToList();
        return await writes.RunAsync(http, now, async w =>
        {
            var missing = new List<string>();
            foreach (var s in sites)
                if (await AccessQueries.FindSiteAsync(w.Session, s) is null) missing.Add(s);
            if (missing.Count > 0) return Problems.Validation("sites", $"Unknown site(s): {string.Join(", ", missing)}.");
            await AccessQueries.InsertUserAsync(w.Session, user, w.Actor.UserId, sites);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.User, user.Id.ToString(), new UserResponse(user.Id, user.Name, user.Role, sites, now), null, null));
            await IssueAsync(w, user.Id, token, expires);
            return Results.Created($"/api/v1/users/{user.Id}", new CreatedUserResponse(user.Id, user.Name, user.Role, sites, token, expires));
        });
    }

    private static async Task<IResult> ListUsersAsync(Database db) =>
        Results.Ok(await db.ReadAsync(async c =>
        {
            var result = new List<UserResponse>();
            foreach (var u in await AccessQueries.ListUsersAsync(c))
                result.Add(new UserResponse(u.Id, u.Name, u.Role, await AccessQueries.UserSitesAsync(c, u.Id), u.CreatedUtc));
            return result;
        }));

    private static async Task<IResult> RevokeTokenAsync(Guid id, WritePath writes, TimeProvider clock, TokenCache tokens, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var result = await writes.RunAsync(http, now, async w =>
        {
            if (await AccessQueries.FindUserAsync(w.Session, id) is null) return Problems.NotFound($"No user with id {id}.");
            var revoked = await AccessQueries.RevokeTokensAsync(w.Session, id, now);
            await w.AuditAsync(new AuditEntry(AuditEntities.User, id.ToString(), AuditActions.TokenRevoked,
                NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId = id, tokensRevoked = revoked, revokedUtc = now }))));
            return Results.NoContent();
        });
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> RevokeOwnTokenAsync(WritePath writes, TimeProvider clock, TokenCache tokens, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var actor = http.Actor();
        var result = await writes.RunAsync(http, now, async w =>
        {
            await AccessQueries.RevokeTokenAsync(w.Session, actor.TokenId, now);
            await w.AuditAsync(new AuditEntry(AuditEntities.Token, actor.TokenId.ToString(), AuditActions.TokenRevoked,
                NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId = actor.UserId, tokenId = actor.TokenId, revokedUtc = now })),
                Reason: "Revoked by its owner."));
            return Results.NoContent();
        });
        tokens.Forget();
        return result;
    }

    private static async Task<IResult> IssueTokenAsync(Guid id, WritePath writes, TimeProvider clock, IOptions<AccessOptions> options, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = ApiTokens.New();
        var expires = now.AddDays(options.Value.TokenLifetimeDays);
        return await writes.RunAsync(http, now, async w =>
        {
            if (await AccessQueries.FindUserAsync(w.Session, id) is null) return Problems.NotFound($"No user with id {id}.");
            await IssueAsync(w, id, token, expires);
            return Results.Created($"/api/v1/users/{id}", new NewTokenResponse(id, token, expires));
        });
    }

    /// <summary>Stores a new token (its hash only) and audits who issued it for whom; the token itself is never recorded.</summary>
    public static async Task IssueAsync(WriteScope w, Guid userId, string token, DateTime expiresUtc)
    {
        var tokenId = SequentialGuid.New(w.NowUtc);
        await AccessQueries.InsertTokenAsync(w.Session, tokenId, userId, ApiTokens.Hash(token), w.NowUtc, expiresUtc);
        await w.AuditAsync(new AuditEntry(AuditEntities.Token, tokenId.ToString(), AuditActions.TokenIssued,
            NewValue: CanonicalJson.Write(CanonicalJson.Of(new { userId, tokenId, expiresUtc }))));
    }
}

/// <summary>Bound from the <c>Sites</c> section.</summary>
public sealed class SiteOptions
{
    /// <summary>The time zone of a site created without one.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";
}

public static class SiteTimeZones
{
    /// <summary>Whether <paramref name="id"/> names an IANA time zone this machine knows.</summary>
    public static bool IsKnown(string id) =>
        id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;
}
