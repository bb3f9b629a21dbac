using Trial.Core.Protocol;
using Trial.Db.Infrastructure;

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
        services.AddSingleton<IDerivedWorkQueue, HangfireDerivedWork>();
        services.AddSingleton(sp => new Database(sp.GetRequiredService<DatabaseOptions>(), sp.GetRequiredService<IDerivedWorkQueue>()));
        services.AddSingleton(_ => LoadProtocol(configuration));
        services.AddSingleton(TimeProvider.System);
        services.AddApplication();
        services.AddTrialJobs(configuration, isWorkerProcess);
        services.AddSingleton<TrialMetrics>();
        services.AddSingleton<Trial.Application.Safety.IRaisedAlerts>(sp => sp.GetRequiredService<TrialMetrics>());
        services.AddTrialTelemetry(configuration, isWorkerProcess);
        return services;
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
