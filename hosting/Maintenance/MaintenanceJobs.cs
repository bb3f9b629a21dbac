using Hangfire;
using Trial.Db.Idempotency;
using Trial.Db.Infrastructure;

namespace Trial.Hosting.Maintenance;

/// <summary>Housekeeping that keeps transient tables small.</summary>
public sealed class MaintenanceJobs(Database db, JobOptions options, TimeProvider clock)
{
    public const string PurgeIdempotencyJobId = "maintenance:purge-idempotency-keys";

    /// <summary>Forgets the responses kept for Idempotency-Key retries once they are older than the retention period.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> PurgeIdempotencyKeysAsync()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var purged = 0;
        await db.WriteDerivedAsync(now, async w =>
            purged = await IdempotencyQueries.PurgeAsync(w.Session, now.AddHours(-options.IdempotencyRetentionHours)));
        return purged;
    }
}
