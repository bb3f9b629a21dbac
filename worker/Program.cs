using Hangfire;
using Trial.Db.Infrastructure;
using Trial.Hosting;

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
        var builder = Host.CreateApplicationBuilder(args);

        if (args.Contains("migrate"))
        {
            var databaseOptions = TrialServices.DatabaseOptionsFrom(builder.Configuration);
            Migrator.Apply(new Database(databaseOptions), databaseOptions.CreateIfMissing);
            Console.WriteLine($"Migrations applied ({databaseOptions.Provider}).");
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
        var host = builder.Build();
        // Fails start-up with a message naming the problem when the protocol file is broken.
        host.Services.GetRequiredService<Trial.Core.Protocol.ProtocolDefinition>();
        if (host.Services.GetRequiredService<DatabaseOptions>().Provider == DatabaseProvider.Sqlite)
        {
            host.Services.GetRequiredService<ILogger<JobOptions>>().LogWarning(
                "The worker runs on SQLite with in-memory job storage: it shares no queue with the API and only runs the recurring sweeps. Use SQL Server to scale out.");
        }

        TrialJobs.RegisterRecurringJobs(host.Services.GetRequiredService<IRecurringJobManager>(), host.Services.GetRequiredService<JobOptions>());
        host.Run();
    }
}
