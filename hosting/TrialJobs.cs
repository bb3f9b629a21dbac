using Hangfire;
using Hangfire.SqlServer;
using Trial.Db.Infrastructure;
using Trial.Hosting.Audit;
using Trial.Hosting.Schedules;

namespace Trial.Hosting;

/// <summary>
/// Hangfire wiring shared by the API and the worker. On SQLite (the embedded default) jobs live
/// in memory inside the API process; the database stays the source of truth, and the recurring
/// sweeps redo from it whatever an in-memory queue lost. On SQL Server jobs live in their own
/// schema, the API only enqueues, and any number of workers run them.
/// </summary>
public static class TrialJobs
{
    public const string HangfireSchema = "hangfire";

    /// <summary>
    /// The queue of the safety evaluation: a participant's alerts are what monitors wait for, so a worker takes these jobs
    /// before any on <see cref="DefaultQueue"/> (schedule rebuilds, housekeeping), however many of those are waiting.
    /// </summary>
    public const string CriticalQueue = "critical";

    /// <summary>Hangfire's own default queue: every job not on <see cref="CriticalQueue"/>.</summary>
    public const string DefaultQueue = "default";

    /// <summary>The queues a job server listens on, in the order it takes jobs from them.</summary>
    public static readonly string[] Queues = [CriticalQueue, DefaultQueue];

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
        services.AddTransient<AuditJobs>();

        // The storage is this host's own singleton rather than Hangfire's static JobStorage.Current,
        // so two hosts in one process (tests, benchmark) never share or dispose each other's queue.
        services.AddSingleton<JobStorage>(provider =>
        {
            var database = provider.GetRequiredService<DatabaseOptions>();
            return database.Provider == DatabaseProvider.SqlServer
                ? new SqlServerStorage(database.EffectiveConnectionString, new SqlServerStorageOptions
                {
                    SchemaName = HangfireSchema,
                    // The migrator installs Hangfire's tables as the owner (PrepareStorage); a host connected as the
                    // application user has no right to, and with Jobs:PrepareSchema false does not try.
                    PrepareSchemaIfNecessary = options.PrepareSchema,
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
                s.Queues = Queues;
                s.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }

        return services;
    }

    /// <summary>
    /// On SQL Server, installs or upgrades Hangfire's tables in <see cref="HangfireSchema"/>: the migrator does it, connected as
    /// the database's owner, so that the API and the workers need no right to change the schema. Nothing to do on SQLite,
    /// whose jobs live in memory.
    /// </summary>
    public static void PrepareStorage(DatabaseOptions database)
    {
        if (database.Provider != DatabaseProvider.SqlServer) return;
        using var connection = new Microsoft.Data.SqlClient.SqlConnection(database.EffectiveConnectionString);
        connection.Open();
        SqlServerObjectsInstaller.Install(connection, HangfireSchema, enableHeavyMigrations: true);
    }

    /// <summary>
    /// Registers the recurring jobs under stable ids (re-registering updates them; nothing duplicates), so the API and every
    /// worker may register them at start and the shared storage still holds each once. Each one's method carries
    /// <see cref="DisableConcurrentExecutionAttribute"/>: a run takes a lock in the job storage (on SQL Server, sp_getapplock,
    /// shared by every worker), so two workers never run the same sweep at once, and a run that finds the lock held waits for it.
    /// </summary>
    public static void RegisterRecurringJobs(IRecurringJobManager recurring, JobOptions options, AuditOptions audit)
    {
        recurring.AddOrUpdate<ScheduleJobs>(ScheduleJobs.SweepJobId, DefaultQueue, j => j.SweepStaleSchedulesAsync(), options.SweepCron);
        recurring.AddOrUpdate<ScheduleJobs>(ScheduleJobs.MissedJobId, DefaultQueue, j => j.DetectMissedVisitsAsync(), options.MissedVisitsCron);
        recurring.AddOrUpdate<Safety.SafetyJobs>(Safety.SafetyJobs.SweepJobId, CriticalQueue, j => j.SweepUnevaluatedAsync(), options.SafetySweepCron);
        recurring.AddOrUpdate<Safety.SafetyJobs>(Safety.SafetyJobs.SaeClockJobId, CriticalQueue, j => j.CheckSaeClocksAsync(), options.SaeClockCron);
        recurring.AddOrUpdate<Maintenance.MaintenanceJobs>(Maintenance.MaintenanceJobs.PurgeIdempotencyJobId, DefaultQueue, j => j.PurgeIdempotencyKeysAsync(), options.PurgeCron);
        recurring.AddOrUpdate<AuditJobs>(AuditJobs.AnchorJobId, DefaultQueue, j => j.WriteAnchorAsync(), audit.AnchorCron);

        // At start, catch up at once on whatever a stopped or crashed process left undone (the database says what),
        // rather than waiting for the sweeps' next minute.
        recurring.Trigger(ScheduleJobs.SweepJobId);
        recurring.Trigger(Safety.SafetyJobs.SweepJobId);
    }
}
