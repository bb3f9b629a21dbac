using Hangfire;
using Hangfire.SqlServer;
using Trial.Db.Infrastructure;
using Trial.Hosting.Schedules;

namespace Trial.Hosting;

public sealed class JobOptions
{
    /// <summary>Run a Hangfire server in this process (the API in embedded mode, the worker always).</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Cron of the stale-schedule sweep.</summary>
    public string SweepCron { get; set; } = "* * * * *";

    /// <summary>Cron of the sweep that evaluates safety rules a lost job did not.</summary>
    public string SafetySweepCron { get; set; } = "* * * * *";

    /// <summary>Cron of the SAE reporting-clock check (every minute: the clock is 24 hours).</summary>
    public string SaeClockCron { get; set; } = "* * * * *";

    /// <summary>Cron of missed-visit detection.</summary>
    public string MissedVisitsCron { get; set; } = "*/15 * * * *";

    /// <summary>Cron of the purge of stored Idempotency-Key responses.</summary>
    public string PurgeCron { get; set; } = "17 * * * *";

    /// <summary>How long a response is kept for retries with the same Idempotency-Key.</summary>
    public int IdempotencyRetentionHours { get; set; } = 24;

    /// <summary>
    /// A participant whose work fails in a recurring sweep is retried by a later run this many minutes after the failure,
    /// the delay doubling with every failure in a row (see <see cref="Sweeps.ParticipantSweeps"/>).
    /// </summary>
    public double SweepRetryFirstMinutes { get; set; } = 2;

    /// <summary>The longest delay between two attempts on a participant that keeps failing in a sweep.</summary>
    public double SweepRetryMaxMinutes { get; set; } = 60;

    /// <summary>
    /// Embedded mode (in-memory job storage) only: how long a finished job stays in memory, for the Hangfire dashboard.
    /// Every write enqueues a job or two, so what is kept grows with the write rate times this; with Hangfire.InMemory's own
    /// default (3 hours) the live heap grew with every write for hours (docs/decisions/0010-finished-jobs-kept-one-minute.md).
    /// What matters of a job is in the database: its alerts, its stored plan and the version markers the sweeps read.
    /// </summary>
    public double FinishedJobRetentionMinutes { get; set; } = 1;

    /// <summary>
    /// How long committed writes' derived work is gathered before it becomes jobs (see <see cref="HangfireDerivedWork"/>): the
    /// participants signalled within it share one job. Adds at most this to the time from a write to its alert. A longer
    /// window makes fewer, larger jobs, which cost less per assessment; the default keeps an alert well inside the second that
    /// monitors are promised (docs/decisions/0013-derived-work-gathered-for-50-ms.md).
    /// </summary>
    public double DerivedWorkWindowMilliseconds { get; set; } = 50;

    /// <summary>Jobs run at once in this process. Most of a job's time is spent waiting on the database, so several per core.</summary>
    public int WorkerCount { get; set; } = Math.Min(Environment.ProcessorCount * 5, 20);
}

/// <summary>
/// Hangfire wiring shared by the API and the worker. On SQLite (the embedded default) jobs live
/// in memory inside the API process; the database stays the source of truth, and the recurring
/// sweeps redo from it whatever an in-memory queue lost. On SQL Server jobs live in their own
/// schema, the API only enqueues, and any number of workers run them.
/// </summary>
public static class TrialJobs
{
    public const string HangfireSchema = "hangfire";

    public static IServiceCollection AddTrialJobs(this IServiceCollection services, IConfiguration configuration, bool isWorkerProcess)
    {
        var options = new JobOptions();
        configuration.GetSection("Jobs").Bind(options);
        if (isWorkerProcess) options.RunServer = true;
        services.AddSingleton(options);
        services.AddMetrics();
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton<Sweeps.ParticipantSweeps>();
        services.AddTransient<ScheduleJobs>();
        services.AddTransient<Safety.SafetyJobs>();
        services.AddTransient<Maintenance.MaintenanceJobs>();

        // The storage is this host's own singleton rather than Hangfire's static JobStorage.Current,
        // so two hosts in one process (tests, benchmark) never share or dispose each other's queue.
        services.AddSingleton<JobStorage>(provider =>
        {
            var database = provider.GetRequiredService<DatabaseOptions>();
            return database.Provider == DatabaseProvider.SqlServer
                ? new SqlServerStorage(database.EffectiveConnectionString, new SqlServerStorageOptions
                {
                    SchemaName = HangfireSchema,
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = TimeSpan.Zero,
                })
                : new Hangfire.InMemory.InMemoryStorage(new Hangfire.InMemory.InMemoryStorageOptions
                {
                    MaxExpirationTime = TimeSpan.FromMinutes(options.FinishedJobRetentionMinutes),
                });
        });
        services.AddHangfire((provider, h) => h
            .UseLogProvider(new HangfireLogging(provider.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (options.RunServer)
        {
            services.AddHangfireServer(s =>
            {
                s.WorkerCount = options.WorkerCount;
                s.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }

        return services;
    }

    /// <summary>Registers the recurring jobs under stable ids (re-registering updates them; nothing duplicates).</summary>
    public static void RegisterRecurringJobs(IRecurringJobManager recurring, JobOptions options)
    {
        recurring.AddOrUpdate<ScheduleJobs>(ScheduleJobs.SweepJobId, j => j.SweepStaleSchedulesAsync(), options.SweepCron);
        recurring.AddOrUpdate<ScheduleJobs>(ScheduleJobs.MissedJobId, j => j.DetectMissedVisitsAsync(), options.MissedVisitsCron);
        recurring.AddOrUpdate<Safety.SafetyJobs>(Safety.SafetyJobs.SweepJobId, j => j.SweepUnevaluatedAsync(), options.SafetySweepCron);
        recurring.AddOrUpdate<Safety.SafetyJobs>(Safety.SafetyJobs.SaeClockJobId, j => j.CheckSaeClocksAsync(), options.SaeClockCron);
        recurring.AddOrUpdate<Maintenance.MaintenanceJobs>(Maintenance.MaintenanceJobs.PurgeIdempotencyJobId, j => j.PurgeIdempotencyKeysAsync(), options.PurgeCron);

        // At start, catch up at once on whatever a stopped or crashed process left undone (the database says what),
        // rather than waiting for the sweeps' next minute.
        recurring.Trigger(ScheduleJobs.SweepJobId);
        recurring.Trigger(Safety.SafetyJobs.SweepJobId);
    }
}
