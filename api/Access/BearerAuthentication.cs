using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Trial.Api.Infrastructure;
using Trial.Application.Access;
using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Infrastructure;

namespace Trial.Api.Access;

/// <summary>Resolves <c>Authorization: Bearer &lt;token&gt;</c> against the hashed tokens in the database.</summary>
public sealed class BearerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    Database database, TimeProvider clock, TokenCache cache, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string SiteClaim = "trial:site";
    public const string TokenIdClaim = "trial:token";
    /// <summary>For a role that sees arms: whether a second person approved the user's access (<see cref="UnblindedAccess"/>).</summary>
    public const string ArmAccessClaim = "trial:arm-access";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
        var token = header["Bearer ".Length..].Trim();
        if (token.Length == 0) return AuthenticateResult.Fail("The bearer token is empty.");

        var hash = ApiTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        if (!cache.TryGet(hash, now, out var owner))
        {
            var generation = cache.Generation;
            owner = await database.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, hash, now));
            if (owner is null) return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
            cache.Add(hash, owner, generation);
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, owner.UserId.ToString()),
            new(ClaimTypes.Name, owner.Name),
            new(ClaimTypes.Role, owner.Role),
            new(TokenIdClaim, owner.TokenId.ToString()),
        };
        claims.AddRange(owner.Sites.Select(s => new Claim(SiteClaim, s)));
        if (Roles.Unblinded.Contains(owner.Role))
            claims.Add(new Claim(ArmAccessClaim, owner.ArmAccessApproved ? UnblindedAccess.Approved : UnblindedAccess.AwaitingApproval));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var result = await HandleAuthenticateOnceSafeAsync();
        await Problems.WriteAsync(problems, Context, StatusCodes.Status401Unauthorized, "Authentication required.",
            result.Failure?.Message ?? "Send a valid API token as 'Authorization: Bearer <token>'.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirstValue(ClaimTypes.Role);
        await Problems.WriteAsync(problems, Context, StatusCodes.Status403Forbidden, "Forbidden.", $"Your role ({role}) is not allowed to do this.");
    }
}

