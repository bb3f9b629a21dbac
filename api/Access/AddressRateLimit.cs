using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Trial.Api.Infrastructure;
using Trial.Application.Access;

namespace Trial.Api.Access;

/// <summary>
/// Requests that end unauthenticated (no token, or a token that is unknown, revoked or expired) are limited per client
/// address: each costs a database lookup and a warning line, so a caller sending them in a loop could load the server
/// and drown the log. Past the limit the address gets 429 problem+json with Retry-After, before any lookup, until its
/// window ends; a request carrying a token this process has already resolved still passes (a site behind the same
/// address as the caller keeps working). Authenticated requests are counted per token instead (<see cref="TokenRateLimit"/>).
/// </summary>
public sealed class AddressRateLimit : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly TokenCache _tokens;
    private readonly TimeProvider _clock;
    private readonly IProblemDetailsService _problems;

    public AddressRateLimit(IOptions<RateLimitOptions> options, TokenCache tokens, TimeProvider clock, IProblemDetailsService problems)
    {
        (_options, _tokens, _clock, _problems) = (options.Value, tokens, clock, problems);
        if (_options.UnauthenticatedPermitsPerWindow <= 0) return;
        var window = TimeSpan.FromSeconds(Math.Max(1, _options.WindowSeconds));
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = _options.UnauthenticatedPermitsPerWindow, Window = window, QueueLimit = 0 }));
    }

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        if (_limiter is null)
        {
            await next();
            return;
        }
        var address = "ip:" + http.Connection.RemoteIpAddress;
        if (_limiter.GetStatistics(address)?.CurrentAvailablePermits == 0 && !CarriesAKnownToken(http))
        {
            http.Response.Headers.RetryAfter = Math.Max(1, _options.WindowSeconds).ToString(CultureInfo.InvariantCulture);
            await Problems.WriteAsync(_problems, http, StatusCodes.Status429TooManyRequests, "Too many requests.",
                $"This address sent more than {_options.UnauthenticatedPermitsPerWindow} requests without a valid token in {_options.WindowSeconds} s; "
                + "try again later with a valid token. Nothing was stored.");
            return;
        }
        await next();
        if (http.User.Identity?.IsAuthenticated != true) _limiter.AttemptAcquire(address).Dispose();
    }

    private bool CarriesAKnownToken(HttpContext http)
    {
        string? header = http.Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var token = header["Bearer ".Length..].Trim();
        return token.Length > 0 && _tokens.TryGet(ApiTokens.Hash(token), _clock.GetUtcNow().UtcDateTime, out _);
    }

    public void Dispose() => _limiter?.Dispose();
}
