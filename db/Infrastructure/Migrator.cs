using System.Reflection;
using DbUp;
using DbUp.Engine;

namespace Trial.Db.Infrastructure;

/// <summary>
/// Applies the migration scripts of the configured dialect in name order (DbUp, with its
/// journal table), each in its own transaction, except a script whose header says
/// <c>-- Transaction: none</c> (e.g. ALTER DATABASE, which SQL Server refuses inside a transaction).
/// </summary>
public static class Migrator
{
    /// <summary>The header line by which a script asks to run outside a transaction.</summary>
    public const string NoTransactionMarker = "-- Transaction: none";

    public static IReadOnlyList<SqlScript> Scripts(DatabaseProvider provider)
    {
        var folder = provider == DatabaseProvider.Sqlite ? "migrations/sqlite/" : "migrations/sqlserver/";
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new SqlScript(n[folder.Length..], ReadResource(assembly, n)))
            .ToList();
    }

    public static void Apply(Database database, bool createIfMissing = false)
    {
        if (createIfMissing && database.Provider == DatabaseProvider.SqlServer)
            EnsureDatabase.For.SqlDatabase(database.ConnectionString);
        // DbUp sets the transaction mode per upgrade, not per script, so the scripts run in
        // consecutive runs of the same mode, in name order; the shared journal skips what ran before.
        foreach (var run in Runs(Scripts(database.Provider)))
        {
            var builder = database.Provider == DatabaseProvider.Sqlite
                ? DeployChanges.To.SqliteDatabase(database.ConnectionString)
                : DeployChanges.To.SqlDatabase(database.ConnectionString);
            builder = builder.WithScripts(run.Scripts);
            builder = run.InTransaction ? builder.WithTransactionPerScript() : builder.WithoutTransaction();
            var result = builder.LogToNowhere().Build().PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }
    }

    /// <summary>The scripts cut into consecutive runs that share one transaction mode, in name order.</summary>
    public static IReadOnlyList<(bool InTransaction, IReadOnlyList<SqlScript> Scripts)> Runs(IReadOnlyList<SqlScript> scripts)
    {
        var runs = new List<(bool InTransaction, IReadOnlyList<SqlScript> Scripts)>();
        foreach (var script in scripts)
        {
            var inTransaction = !RunsOutsideTransaction(script);
            if (runs.Count > 0 && runs[^1].InTransaction == inTransaction) ((List<SqlScript>)runs[^1].Scripts).Add(script);
            else runs.Add((inTransaction, new List<SqlScript> { script }));
        }
        return runs;
    }

    private static bool RunsOutsideTransaction(SqlScript script) =>
        script.Contents.Split('\n').TakeWhile(l => l.StartsWith("--", StringComparison.Ordinal))
            .Any(l => l.TrimEnd().StartsWith(NoTransactionMarker, StringComparison.Ordinal));

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
