using Hangfire;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;
using Trial.Worker.Hosting;

namespace Trial.Worker;

/// <summary>
/// The worker process: runs the Hangfire server that executes the jobs the API enqueues.
/// `dotnet run --project worker -- migrate` applies the migrations and exits (the one-shot
/// migrator of docker-compose).
/// </summary>
public static class WorkerProgram
{
    public static void Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);

        var databaseOptions = new DatabaseOptions();
        builder.Configuration.GetSection("Database").Bind(databaseOptions);
        databaseOptions.ConnectionString = builder.Configuration.GetConnectionString("Trial") ?? databaseOptions.ConnectionString;
        var protocolPath = builder.Configuration["Protocol:Path"];
        var protocol = string.IsNullOrWhiteSpace(protocolPath) ? ProtocolLoader.LoadDefault() : ProtocolLoader.LoadFile(protocolPath);

        builder.Services.AddSingleton(databaseOptions);
        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton(protocol);
        builder.Services.AddSingleton(TimeProvider.System);

        if (args.Contains("migrate"))
        {
            Migrator.Apply(new Database(databaseOptions), databaseOptions.CreateIfMissing);
            Console.WriteLine($"Migrations applied ({databaseOptions.Provider}).");
            return;
        }

        builder.Services.AddTrialJobs(builder.Configuration, isWorkerProcess: true);
        var host = builder.Build();
        if (databaseOptions.Provider == DatabaseProvider.Sqlite)
            host.Services.GetRequiredService<ILogger<JobOptions>>().LogWarning(
                "The worker runs on SQLite with in-memory job storage: it shares no queue with the API and only runs the recurring sweeps. Use SQL Server to scale out.");
        TrialJobs.RegisterRecurringJobs(host.Services.GetRequiredService<IRecurringJobManager>(), host.Services.GetRequiredService<JobOptions>());
        host.Run();
    }
}
