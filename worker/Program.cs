using Hangfire;
using Trial.Db.Infrastructure;
using Trial.Hosting;

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

        if (args.Contains("migrate"))
        {
            var databaseOptions = TrialServices.DatabaseOptionsFrom(builder.Configuration);
            Migrator.Apply(new Database(databaseOptions), databaseOptions.CreateIfMissing);
            Console.WriteLine($"Migrations applied ({databaseOptions.Provider}).");
            return;
        }

        builder.Services.AddTrial(builder.Configuration, isWorkerProcess: true);
        var host = builder.Build();
        // Fails start-up with a message naming the problem when the protocol file is broken.
        host.Services.GetRequiredService<Trial.Core.Protocol.ProtocolDefinition>();
        if (host.Services.GetRequiredService<DatabaseOptions>().Provider == DatabaseProvider.Sqlite)
        {
            host.Services.GetRequiredService<ILogger<JobOptions>>().LogWarning(
                "The worker runs on SQLite with in-memory job storage: it shares no queue with the API and only runs the recurring sweeps. Use SQL Server to scale out.");
        }

        // Refuses to start with another audit chain key than the API's; records the key's switch if nobody has yet.
        TrialServices.PrepareAuditChainAsync(host.Services).GetAwaiter().GetResult();

        TrialJobs.RegisterRecurringJobs(host.Services.GetRequiredService<IRecurringJobManager>(), host.Services.GetRequiredService<JobOptions>(),
            host.Services.GetRequiredService<Trial.Hosting.Audit.AuditOptions>());
        host.Run();
    }
}
