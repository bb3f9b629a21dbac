using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Trial.Api.Access;
using Trial.Db.Idempotency;
using Trial.Db.Infrastructure;

namespace Trial.Api.Infrastructure;

/// <summary>
/// The one write path of the API. An endpoint validates what it can without the database, then hands the rest of its
/// work to <see cref="RunAsync"/>, which runs it in one transaction with its audit rows and derived work (see
/// <see cref="WriteScope"/>) and rolls the transaction back when the work answers with an error (a 4xx decided inside
/// the transaction changes nothing). When the request carries an Idempotency-Key (see <see cref="Idempotency"/>), the
/// first successful response is stored in the same transaction, so a retry can be given it back.
/// </summary>
public sealed class WritePath(Database db)
{
    public async Task<IResult> RunAsync(HttpContext http, DateTime nowUtc, Func<WriteScope, Task<IResult>> work)
    {
        var actor = http.Actor();
        var claim = Idempotency.ClaimOf(http);
        try
        {
            return await db.WriteAsync(actor, nowUtc, async w =>
            {
                if (claim is not null) await IdempotencyQueries.ReserveAsync(w, claim.Key, claim.RequestHash);
                var result = await work(w);
                if (StatusOf(result) >= 400)
                {
                    w.Refuse();
                    return result;
                }
                if (claim is null || w.Refused) return result;
                var captured = await CapturedResponse.CaptureAsync(result, http);
                await IdempotencyQueries.CompleteAsync(w, claim.Key, captured.StatusCode, captured.ContentType, captured.Location, captured.ETag, captured.Body);
                return (IResult)captured;
            });
        }
        catch (DbException) when (claim is not null)
        {
            // Another process took the key between our check and our write; its response is the answer.
            var stored = await db.ReadAsync(c => IdempotencyQueries.FindAsync(c, actor.UserId, claim.Key));
            if (stored is null) throw;
            return Idempotency.Replay(stored, claim);
        }
    }

    public static int StatusOf(IResult result) => (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
}

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

/// <summary>A response written once to memory, so it can be stored with the write and sent again to a retry.</summary>
public sealed class CapturedResponse(int statusCode, string? contentType, string? location, string? etag, string? body, bool replayed = false)
    : IResult, IStatusCodeHttpResult
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    public int StatusCode { get; } = statusCode;
    public string? ContentType { get; } = contentType;
    public string? Location { get; } = location;
    public string? ETag { get; } = etag;
    public string? Body { get; } = body;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public static async Task<CapturedResponse> CaptureAsync(IResult result, HttpContext http)
    {
        var buffer = new DefaultHttpContext { RequestServices = http.RequestServices };
        using var body = new MemoryStream();
        buffer.Response.Body = body;
        await result.ExecuteAsync(buffer);
        var response = buffer.Response;
        return new CapturedResponse(response.StatusCode, response.ContentType, NullIfEmpty(response.Headers.Location), NullIfEmpty(response.Headers.ETag),
            body.Length == 0 ? null : Encoding.UTF8.GetString(body.ToArray()));
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCode;
        if (Location is not null) http.Response.Headers.Location = Location;
        if (ETag is not null) http.Response.Headers.ETag = ETag;
        if (replayed) http.Response.Headers[ReplayedHeader] = "true";
        if (Body is null) return;
        http.Response.ContentType = ContentType ?? "application/json; charset=utf-8";
        await http.Response.WriteAsync(Body, Encoding.UTF8);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>In-process locks by name, created on first use and dropped when nobody holds or waits for them.</summary>
public sealed class KeyedLocks
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string name, CancellationToken ct)
    {
        SemaphoreSlim gate;
        lock (_locks)
        {
            var entry = _locks.TryGetValue(name, out var found) ? found : (new SemaphoreSlim(1, 1), 0);
            _locks[name] = (entry.Item1, entry.Item2 + 1);
            gate = entry.Item1;
        }
        try
        {
            await gate.WaitAsync(ct);
        }
        catch
        {
            Leave(name);
            throw;
        }
        return new Holder(this, name, gate);
    }

    private void Leave(string name)
    {
        lock (_locks)
        {
            var (gate, users) = _locks[name];
            if (users == 1) _locks.Remove(name);
            else _locks[name] = (gate, users - 1);
        }
    }

    private sealed class Holder(KeyedLocks owner, string name, SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            gate.Release();
            owner.Leave(name);
        }
    }
}
