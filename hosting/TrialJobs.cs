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
    public static void RegisterRecurringJobs(IRecurringJobManager recurring, JobOptions options, AuditOptions audit)
    {
        recurring.AddOrUpdate<ScheduleJobs>(ScheduleJobs.SweepJobId, j => j.SweepStaleSchedulesAsync(), options.SweepCron);
        recurring.AddOrUpdate<ScheduleJobs>(ScheduleJobs.MissedJobId, j => j.DetectMissedVisitsAsync(), options.MissedVisitsCron);
        recurring.AddOrUpdate<Safety.SafetyJobs>(Safety.SafetyJobs.SweepJobId, j => j.SweepUnevaluatedAsync(), options.SafetySweepCron);
        recurring.AddOrUpdate<Safety.SafetyJobs>(Safety.SafetyJobs.SaeClockJobId, j => j.CheckSaeClocksAsync(), options.SaeClockCron);
        recurring.AddOrUpdate<Maintenance.MaintenanceJobs>(Maintenance.MaintenanceJobs.PurgeIdempotencyJobId, j => j.PurgeIdempotencyKeysAsync(), options.PurgeCron);
        recurring.AddOrUpdate<AuditJobs>(AuditJobs.AnchorJobId, j => j.WriteAnchorAsync(), audit.AnchorCron);

        // At start, catch up at once on whatever a stopped or crashed process left undone (the database says what),
        // rather than waiting for the sweeps' next minute.
        recurring.Trigger(ScheduleJobs.SweepJobId);
        recurring.Trigger(Safety.SafetyJobs.SweepJobId);
    }
}
