using Hangfire;
using Trial.Db.Infrastructure;
using Trial.Hosting;
using Trial.Hosting.Health;

namespace Trial.Worker;

/// <summary>
/// The worker process: runs the Hangfire server that executes the jobs the API enqueues.
/// `dotnet run --project worker -- migrate` applies the migrations and exits (the one-shot
/// migrator of docker-compose); `dotnet run --project worker -- backup FILE` copies the embedded SQLite database to a new
/// file while the API runs, and exits.
/// </summary>
public static class WorkerProgram
{
    public static void Main(string[] args)
    {
        InvariantCulture.Use();
        var builder = Host.CreateApplicationBuilder(args);

        if (args.Contains("migrate"))
        {
            // The migrator connects as the database's owner (ConnectionStrings__Trial): it alone changes the schema, installs
            // Hangfire's tables and makes the application's login, whose rights the migrations set.
            var databaseOptions = TrialServices.DatabaseOptionsFrom(builder.Configuration);
            Migrator.Apply(new Database(databaseOptions), databaseOptions.CreateIfMissing);
            Console.WriteLine($"Migrations applied ({databaseOptions.Provider}).");
            TrialJobs.PrepareStorage(databaseOptions);
            if (ApplicationUser.Ensure(databaseOptions))
                Console.WriteLine($"Application user {databaseOptions.ApplicationUser} ready (role {ApplicationUser.Role}).");
            return;
        }

        if (args.Length > 0 && args[0] == "backup")
        {
            var databaseOptions = TrialServices.DatabaseOptionsFrom(builder.Configuration);
            if (databaseOptions.Provider != DatabaseProvider.Sqlite || args.Length < 2)
            {
                Console.Error.WriteLine(databaseOptions.Provider != DatabaseProvider.Sqlite
                    ? "backup copies the embedded SQLite database; back up SQL Server with its own BACKUP DATABASE."
                    : "Usage: backup <file>   (a new file: an existing one is never overwritten)");
                Environment.ExitCode = 2;
                return;
            }
            var bytes = SqliteBackup.RunAsync(databaseOptions.EffectiveConnectionString, args[1]).GetAwaiter().GetResult();
            Console.WriteLine($"Backed up to {Path.GetFullPath(args[1])} ({bytes:N0} bytes, integrity checked).");
            return;
        }

        builder.Services.AddTrial(builder.Configuration, isWorkerProcess: true);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Worker").Get<WorkerHeartbeatOptions>() ?? new WorkerHeartbeatOptions());
        builder.Services.AddHostedService<WorkerHeartbeat>();
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
