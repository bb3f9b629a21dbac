using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Trial.Application.Access;
using Trial.Core.Access;

namespace Trial.Api.Access;

/// <summary>
/// Every refused request (401, 403) is logged at Warning and recorded in the audit trail, so an attempt to reach data one
/// may not see is attributable. Recording is rate-limited per caller and overall, so that nobody can fill the trail by
/// hammering the API: beyond the limits a refusal is still logged, and the log says how many went unrecorded.
/// </summary>
public sealed class DeniedAccess : IDisposable
{
    private readonly RecordDeniedAccess _record;
    private readonly ILogger<DeniedAccess> _log;
    private readonly PartitionedRateLimiter<string> _perCaller;
    private readonly RateLimiter _overall;
    private long _unrecorded;

    public DeniedAccess(RecordDeniedAccess record, ILogger<DeniedAccess> log, IOptions<AccessOptions> options)
    {
        (_record, _log) = (record, log);
        var o = options.Value;
        _perCaller = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetFixedWindowLimiter(caller,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = o.DeniedAuditsPerCallerPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        _overall = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = o.DeniedAuditsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        });
    }

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        await next();
        var status = http.Response.StatusCode;
        if (status is not (StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)) return;

        var authenticated = http.User.Identity?.IsAuthenticated == true;
        var actor = authenticated ? http.Actor() : Actor.Anonymous(http.TraceIdentifier);
        var caller = authenticated ? actor.TokenId.ToString() : "ip:" + http.Connection.RemoteIpAddress;
        var what = $"{http.Request.Method} {http.Request.Path}";
        _log.LogWarning("Access denied ({Status}) to {Request} for {Caller} ({Role})", status, what, authenticated ? actor.Name : "an unauthenticated caller", actor.Role);

        using var callerLease = _perCaller.AttemptAcquire(caller);
        using var overallLease = callerLease.IsAcquired ? _overall.AttemptAcquire() : null;
        if (overallLease is not { IsAcquired: true })
        {
            var skipped = Interlocked.Increment(ref _unrecorded);
            _log.LogWarning("Access denial not recorded in the audit trail (rate limit); {Count} unrecorded since start", skipped);
            return;
        }

        await _record.RecordAsync(actor, new DeniedRequest(status, http.Request.Method, what, http.Request.Path.Value,
            authenticated ? http.User.FindFirstValue(ClaimTypes.Role) : null));
    }

    public void Dispose()
    {
        _perCaller.Dispose();
        _overall.Dispose();
    }
}
