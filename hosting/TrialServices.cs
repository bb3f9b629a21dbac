using Trial.Application.Audit;
using Trial.Core.Protocol;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Hosting.Audit;

namespace Trial.Hosting;

/// <summary>
/// The one composition root of the API and the worker: the database, the protocol, the clock, the background jobs
/// and the path from a committed write to the jobs it makes necessary.
/// </summary>
public static class TrialServices
{
    public static IServiceCollection AddTrial(this IServiceCollection services, IConfiguration configuration, bool isWorkerProcess)
    {
        // The hosts connect as the application user when one is configured (least privilege); only the migrator uses the
        // owner's credentials.
        var databaseOptions = DatabaseOptionsFrom(configuration).ForApplication();
        services.AddSingleton(databaseOptions);
        // Read and checked here, so that neither host starts with the audit settings wrong (no key with SQL Server, say).
        var auditOptions = AuditOptions.From(configuration, databaseOptions);
        services.AddSingleton(auditOptions);
        services.AddSingleton(sp => AuditKeys.Resolve(auditOptions, databaseOptions, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditKeys).FullName!)));
        services.AddSingleton(sp => AnchorSink(sp, auditOptions, databaseOptions));
        services.AddSingleton<IDerivedWorkQueue, HangfireDerivedWork>();
        services.AddSingleton(sp => new Database(sp.GetRequiredService<DatabaseOptions>(), sp.GetRequiredService<IDerivedWorkQueue>(), sp.GetRequiredService<AuditKey>()));
        services.AddSingleton(_ => LoadProtocol(configuration));
        services.AddSingleton(TimeProvider.System);
        services.AddApplication();
        services.AddTrialJobs(configuration, isWorkerProcess);
        services.AddSingleton<TrialMetrics>();
        services.AddSingleton<Trial.Application.Safety.IRaisedAlerts>(sp => sp.GetRequiredService<TrialMetrics>());
        services.AddTrialTelemetry(configuration, isWorkerProcess);
        return services;
    }

    private static IAuditAnchorSink AnchorSink(IServiceProvider services, AuditOptions audit, DatabaseOptions database) => audit.AnchorSink switch
    {
        AuditAnchorSinkKind.Url => new AuditAnchorUrl(new Uri(audit.AnchorUrl!), new HttpClient { Timeout = TimeSpan.FromSeconds(30) }),
        AuditAnchorSinkKind.Log => new AuditAnchorLog(services.GetRequiredService<ILogger<AuditAnchorLog>>()),
        _ => new AuditAnchorFile(audit.AnchorFile(database)),
    };

    /// <summary>
    /// At start, before anything is written: records that the audit chain is keyed from its next row when it has no key yet,
    /// and refuses to start when it is keyed with another key than this process's (the API and the worker must hold the same).
    /// </summary>
    public static async Task PrepareAuditChainAsync(IServiceProvider services)
    {
        var database = services.GetRequiredService<Database>();
        var keyedFrom = await database.KeyAuditChainAsync(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditKeys).FullName!)
            .LogInformation("The audit trail is chained with its key (HMAC-SHA256) from row {KeyedFromId} on.", keyedFrom);
    }

    public static DatabaseOptions DatabaseOptionsFrom(IConfiguration configuration)
    {
        var options = new DatabaseOptions();
        configuration.GetSection("Database").Bind(options);
        options.ConnectionString = configuration.GetConnectionString("Trial") ?? options.ConnectionString;
        _ = options.EffectiveConnectionString; // fails fast on an impossible combination
        return options;
    }

    /// <summary>
    /// The protocol named by Protocol:Path (a file, or the name of a built-in protocol such as open-label), else the
    /// default protocol; a broken file stops start-up.
    /// </summary>
    public static ProtocolDefinition LoadProtocol(IConfiguration configuration) => ProtocolLoader.Load(configuration["Protocol:Path"]);
}
