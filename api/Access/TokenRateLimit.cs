using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Trial.Api.Infrastructure;

namespace Trial.Api.Access;

/// <summary>
/// A fixed window of requests per token (System.Threading.RateLimiting), so one runaway script cannot starve the sites.
/// Every authenticated response says where the caller stands (RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset in
/// seconds); past the limit the answer is 429 problem+json with Retry-After.
/// </summary>
public sealed class TokenRateLimit : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly ConcurrentDictionary<string, long> _windowStarts = new(StringComparer.Ordinal);
    private readonly IProblemDetailsService _problems;

    public TokenRateLimit(IOptions<RateLimitOptions> options, IProblemDetailsService problems)
    {
        _options = options.Value;
        _problems = problems;
        if (_options.PermitsPerWindow <= 0) return;
        var window = TimeSpan.FromSeconds(Math.Max(1, _options.WindowSeconds));
        _limiter = PartitionedRateLimiter.Create<string, string>(token => RateLimitPartition.GetFixedWindowLimiter(token, key =>
        {
            _windowStarts[key] = Environment.TickCount64;
            return new FixedWindowRateLimiterOptions { PermitLimit = _options.PermitsPerWindow, Window = window, QueueLimit = 0 };
        }));
    }

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var token = http.User.FindFirst(BearerAuthentication.TokenIdClaim)?.Value;
        if (_limiter is null || token is null)
        {
            await next();
            return;
        }

        using var lease = _limiter.AttemptAcquire(token);
        var remaining = _limiter.GetStatistics(token)?.CurrentAvailablePermits ?? 0;
        var reset = SecondsToReset(token);
        var headers = http.Response.Headers;
        headers["RateLimit-Limit"] = _options.PermitsPerWindow.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
        if (lease.IsAcquired)
        {
            await next();
            return;
        }

        headers.RetryAfter = reset.ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(_problems, http, StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"This token made more than {_options.PermitsPerWindow} requests in {_options.WindowSeconds} s; try again in {reset} s. Nothing was stored.");
    }

    // Each token's window starts when its limiter is made and repeats every WindowSeconds.
    private long SecondsToReset(string token)
    {
        var windowMs = Math.Max(1, _options.WindowSeconds) * 1000L;
        var start = _windowStarts.TryGetValue(token, out var s) ? s : Environment.TickCount64;
        var intoWindow = (Environment.TickCount64 - start) % windowMs;
        return Math.Max(1, (windowMs - intoWindow + 999) / 1000);
    }

    public void Dispose() => _limiter?.Dispose();
}
