using System.Security.Cryptography;
using System.Text;
using Trial.Api.Access;
using Trial.Db.Idempotency;
using Trial.Db.Infrastructure;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Safe retries. A request that changes something may carry an <c>Idempotency-Key</c>; a retry of the same request (same
/// user, key, method, path, query and body) gets the first successful response back without running again; the same key
/// with another request is a 422; concurrent requests with one key are served one after the other, so all get the first
/// result. Runs before the endpoint, so a retry is answered even when the state it changed would now refuse it.
/// </summary>
public sealed class Idempotency(Database db, KeyedLocks locks)
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;
    private const string ClaimItem = "trial:idempotency-claim";

    public sealed record Claim(string Key, string RequestHash);

    public static Claim? ClaimOf(HttpContext http) => http.Items.TryGetValue(ClaimItem, out var claim) ? claim as Claim : null;

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0 || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || http.User.Identity?.IsAuthenticated != true)
        {
            await next();
            return;
        }
        if (key.Length > MaxKeyLength)
        {
            await Problems.Validation(Header, $"The {Header} header must be at most {MaxKeyLength} characters.").ExecuteAsync(http);
            return;
        }

        var userId = http.Actor().UserId;
        http.Request.EnableBuffering();
        var claim = new Claim(key, await RequestHashAsync(http.Request));
        using var _ = await locks.AcquireAsync($"{userId:N}/{key}", http.RequestAborted);
        var stored = await db.ReadAsync(c => IdempotencyQueries.FindAsync(c, userId, key));
        if (stored is not null)
        {
            await Replay(stored, claim).ExecuteAsync(http);
            return;
        }
        http.Items[ClaimItem] = claim;
        await next();
    }

    public static IResult Replay(IdempotentResponseRow stored, Claim claim) =>
        stored.RequestHash == claim.RequestHash
            ? new CapturedResponse(stored.StatusCode, stored.ContentType, stored.Location, stored.ETag, stored.Body, replayed: true)
            : Problems.Validation(Header,
                $"{Header} '{claim.Key}' was already used for a different request (another body, method or path); use a new key for a new request.");

    private static async Task<string> RequestHashAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}\n{request.QueryString}\n"));
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0) hash.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
