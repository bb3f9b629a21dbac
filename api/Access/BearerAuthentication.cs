using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Trial.Api.Infrastructure;
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
            owner = await database.ReadAsync(c => AccessQueries.FindTokenOwnerAsync(c, hash, now));
            if (owner is null) return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
            cache.Add(hash, owner);
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, owner.UserId.ToString()),
            new(ClaimTypes.Name, owner.Name),
            new(ClaimTypes.Role, owner.Role),
            new(TokenIdClaim, owner.TokenId.ToString()),
        };
        claims.AddRange(owner.Sites.Select(s => new Claim(SiteClaim, s)));
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

public static class Policies
{
    public const string Admin = "admin";
    public const string Investigator = "investigator";
    /// <summary>May change the state of safety alerts of their sites.</summary>
    public const string AlertReviewer = "alert-reviewer";
    /// <summary>May read clinical data of their sites.</summary>
    public const string ClinicalReader = "clinical-reader";
    /// <summary>May read the audit trail (admins all of it, monitors their sites').</summary>
    public const string AuditReader = "audit-reader";
    /// <summary>May pull pseudonymised extracts of their sites (statisticians, unblinded statisticians and admins).</summary>
    public const string ExtractReader = "extract-reader";
    /// <summary>Unblinded: prepares infusions for the participants of their sites.</summary>
    public const string Pharmacist = "pharmacist";
    /// <summary>Unblinded: the allocation sequence and the by-arm outputs.</summary>
    public const string UnblindedStatistician = "unblinded-statistician";
    /// <summary>May see participants' arms (pharmacists and unblinded statisticians, at their sites).</summary>
    public const string AllocationReader = "allocation-reader";
    /// <summary>May read the data monitoring committee's open-session report, which tells nothing of the arms (unblinded statisticians, admins, monitors).</summary>
    public const string DmcOpenReader = "dmc-open-reader";
}

public static class ActorExtensions
{
    /// <summary>The authenticated caller of this request, with the request's id for the audit trail.</summary>
    public static Actor Actor(this HttpContext http) => http.User.Actor() with { RequestId = http.TraceIdentifier };

    /// <summary>The authenticated caller as the write pipeline knows them.</summary>
    public static Actor Actor(this ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!),
        Guid.Parse(user.FindFirstValue(BearerAuthentication.TokenIdClaim)!),
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.Role)!,
        user.FindAll(BearerAuthentication.SiteClaim).Select(c => c.Value).ToList());
}

/// <summary>
/// Resolved tokens, kept for a few seconds so that a burst of requests does not look each one up. A revocation through
/// this process empties the cache at once; one made through another process takes effect here within
/// <see cref="AccessOptions.TokenCacheSeconds"/>. Expiry is checked on every request, cached or not.
/// </summary>
public sealed class TokenCache(IOptions<AccessOptions> options)
{
    private readonly ConcurrentDictionary<string, (TokenOwner Owner, long CachedAtMs)> _owners = new(StringComparer.Ordinal);

    public bool TryGet(string tokenHash, DateTime nowUtc, [NotNullWhen(true)] out TokenOwner? owner)
    {
        owner = null;
        if (!_owners.TryGetValue(tokenHash, out var entry)) return false;
        if (Environment.TickCount64 - entry.CachedAtMs > options.Value.TokenCacheSeconds * 1000L || entry.Owner.ExpiresUtc <= nowUtc)
        {
            _owners.TryRemove(tokenHash, out _);
            return false;
        }
        owner = entry.Owner;
        return true;
    }

    public void Add(string tokenHash, TokenOwner owner)
    {
        if (options.Value.TokenCacheSeconds <= 0) return;
        // A bound on memory: an attacker cannot make valid tokens, so this only trims a very busy study.
        if (_owners.Count > 10_000) _owners.Clear();
        _owners[tokenHash] = (owner, Environment.TickCount64);
    }

    /// <summary>Drops every cached token: called after a revocation so it holds at once in this process.</summary>
    public void Forget() => _owners.Clear();
}
