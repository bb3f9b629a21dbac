using System.Reflection;
using DbUp;
using DbUp.Engine;

namespace Trial.Db.Infrastructure;

/// <summary>
/// Applies the migration scripts of the configured dialect in name order (DbUp, with its
/// journal table), each in its own transaction.
/// </summary>
public static class Migrator
{
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
        var builder = database.Provider == DatabaseProvider.Sqlite
            ? DeployChanges.To.SqliteDatabase(database.ConnectionString)
            : DeployChanges.To.SqlDatabase(database.ConnectionString);
        var upgrader = builder
            .WithScripts(Scripts(database.Provider))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
