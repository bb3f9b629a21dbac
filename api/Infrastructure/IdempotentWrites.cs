using System.Data.Common;
using Trial.Api.Access;
using Trial.Application;
using Trial.Db.Idempotency;
using Trial.Db.Infrastructure;

namespace Trial.Api.Infrastructure;

/// <summary>
/// The API's writes: each runs through <see cref="Database"/>'s write (one transaction with its audit rows and derived
/// work, see <see cref="WriteScope"/>), rolled back when the work answers with an error (a 4xx decided inside the
/// transaction changes nothing); what HTTP adds is the Idempotency-Key (see <see cref="Idempotency"/>): the first
/// successful response is stored in the same transaction, so a retry can be given it back (or, for an endpoint marked
/// <see cref="SecretResponse"/>, the outcome without the secret).
/// </summary>
public sealed class IdempotentWrites(Database db)
{
    public async Task<IResult> RunAsync(HttpContext http, DateTime nowUtc, Func<WriteScope, Task<IResult>> work)
    {
        var actor = http.Actor();
        var claim = Idempotency.ClaimOf(http);
        try
        {
            return await db.WriteAsync(actor, nowUtc, async w =>
            {
                if (claim is not null) await IdempotencyQueries.ReserveAsync(w.Session, actor.UserId, claim.Key, claim.RequestHash, w.NowUtc);
                var result = await work(w);
                if (StatusOf(result) >= 400)
                {
                    w.Refuse();
                    return result;
                }
                if (claim is null || w.Refused) return result;
                var captured = await CapturedResponse.CaptureAsync(result, http);
                // A token or arm data is given to the caller once and never stored: a retry learns the outcome, not the secret.
                var kept = http.GetEndpoint()?.Metadata.GetMetadata<SecretResponse>() is { } secret ? secret.Withheld(captured) : captured;
                await IdempotencyQueries.CompleteAsync(w.Session, actor.UserId, claim.Key, kept.StatusCode, kept.ContentType, kept.Location, kept.ETag, kept.Body);
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

    /// <summary>
    /// A use case's write: its refusal as problem+json (and nothing written), its result as <paramref name="success"/> makes
    /// it the HTTP answer, which is what an idempotent retry is given back.
    /// </summary>
    public Task<IResult> RunAsync<T>(HttpContext http, DateTime nowUtc, Func<WriteScope, Task<Outcome<T>>> work, Func<T, IResult> success) =>
        RunAsync(http, nowUtc, async w =>
        {
            var outcome = await work(w);
            return outcome.IsRefused ? outcome.Refusal!.ToResult() : success(outcome.Value!);
        });

    /// <summary>
    /// A use case's write that a concurrent request may beat to a unique constraint: when the database refuses the write,
    /// <paramref name="lostRace"/> says whether that is why (the refusal to answer with); otherwise the failure stands.
    /// </summary>
    public async Task<IResult> RunAsync<T>(HttpContext http, DateTime nowUtc, Func<WriteScope, Task<Outcome<T>>> work, Func<T, IResult> success,
        Func<Task<Refusal?>> lostRace)
    {
        try
        {
            return await RunAsync(http, nowUtc, work, success);
        }
        catch (DbException)
        {
            if (await lostRace() is { } refusal) return refusal.ToResult();
            throw;
        }
    }

    public static int StatusOf(IResult result) => (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
}

