using Trial.Core.Access;
using Trial.Db.Infrastructure;

namespace Trial.Application;

/// <summary>
/// A use case's write outside HTTP (an import, the seeder, a job): one transaction with its audit rows, rolled back when
/// the use case refuses. The API runs the same writes through its IdempotentWrites, which add the Idempotency-Key.
/// </summary>
public static class Writes
{
    public static Task<Outcome<T>> RunAsync<T>(this Database db, Actor actor, DateTime nowUtc, Func<WriteScope, Task<Outcome<T>>> work) =>
        db.WriteAsync(actor, nowUtc, async w =>
        {
            var outcome = await work(w);
            if (outcome.IsRefused) w.Refuse();
            return outcome;
        });
}
