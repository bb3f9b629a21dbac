using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Trial.Api.Access;
using Trial.Db.Idempotency;
using Trial.Db.Infrastructure;

namespace Trial.Api.Infrastructure;

/// <summary>
/// The one write path of the API. An endpoint validates what it can without the database, then hands the rest of its
/// work to <see cref="RunAsync"/>, which runs it in one transaction with its audit rows and derived work (see
/// <see cref="WriteScope"/>) and:
/// <list type="bullet">
/// <item>rolls the transaction back when the work answers with an error (a 4xx decided inside the transaction changes nothing);</item>
/// <item>with an <c>Idempotency-Key</c> header, keeps the first successful response in the same transaction and gives it back to
/// every retry of the same request (same user, key, method, path and body); the same key with another request is a 422; two
/// concurrent requests with one key are served one after the other, so both get the first result.</item>
/// </list>
/// </summary>
public sealed class WritePath(Database db, KeyedLocks locks)
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int MaxKeyLength = 200;

    public async Task<IResult> RunAsync(HttpContext http, DateTime nowUtc, Func<WriteScope, Task<IResult>> work)
    {
        var actor = http.Actor();
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length == 0) return await WriteAsync(http, actor, nowUtc, work, null);
        if (key.Length > MaxKeyLength)
            return Problems.Validation(IdempotencyHeader, $"The {IdempotencyHeader} header must be at most {MaxKeyLength} characters.");

        var requestHash = await RequestHashAsync(http.Request);
        using var _ = await locks.AcquireAsync($"{actor.UserId:N}/{key}", http.RequestAborted);
        var stored = await db.ReadAsync(c => IdempotencyQueries.FindAsync(c, actor.UserId, key));
        if (stored is not null) return Replay(stored, key, requestHash);
        try
        {
            return await WriteAsync(http, actor, nowUtc, work, new Claim(key, requestHash));
        }
        catch (DbException)
        {
            // Another process took the key between our read and our write; its response is the answer.
            stored = await db.ReadAsync(c => IdempotencyQueries.FindAsync(c, actor.UserId, key));
            if (stored is null) throw;
            return Replay(stored, key, requestHash);
        }
    }

    private sealed record Claim(string Key, string RequestHash);

    private Task<IResult> WriteAsync(HttpContext http, Actor actor, DateTime nowUtc, Func<WriteScope, Task<IResult>> work, Claim? claim) =>
        db.WriteAsync(actor, nowUtc, async w =>
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

    private static IResult Replay(IdempotentResponseRow stored, string key, string requestHash) =>
        stored.RequestHash == requestHash
            ? new CapturedResponse(stored.StatusCode, stored.ContentType, stored.Location, stored.ETag, stored.Body, replayed: true)
            : Problems.Validation(IdempotencyHeader,
                $"{IdempotencyHeader} '{key}' was already used for a different request (another body, method or path); use a new key for a new request.");

    public static int StatusOf(IResult result) => (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;

    private static async Task<string> RequestHashAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}\n{request.QueryString}\n"));
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
            var buffer = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Lets the request body be read again for its hash after the endpoint has bound it (requests with a key only).</summary>
    public static Task BufferIdempotentRequests(HttpContext http, Func<Task> next)
    {
        if (http.Request.Headers.ContainsKey(IdempotencyHeader)) http.Request.EnableBuffering();
        return next();
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
