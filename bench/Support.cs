using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Hosting;
using Trial.Hosting.Sweeps;

namespace Trial.Bench;

/// <summary>A folder under the system temporary folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "trial-bench-" + Guid.NewGuid().ToString("N")[..8]);

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a file still open; the OS cleans the temp folder */ }
    }
}

public static class Sqlite
{
    /// <summary>A fresh, migrated SQLite database in <paramref name="path"/>, opened through the application's own <see cref="Database"/> (same pragmas).</summary>
    public static Database Create(string path)
    {
        var db = new Database(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={path}" });
        Migrator.Apply(db);
        return db;
    }
}

/// <summary>
/// Synthetic data for a benchmark, loaded in one transaction straight through the query classes: no audit rows and no
/// derived work, which the application's own write path (<see cref="Database.WriteAsync{T}(Actor, DateTime, Func{WriteScope, Task{T}}, CancellationToken)"/>)
/// would add. Only for data that no person entered.
/// </summary>
public static class SyntheticData
{
    public static async Task<T> LoadAsync<T>(Database db, Func<DbSession, Task<T>> load)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var result = await load(new DbSession(connection, transaction, db.Provider));
        await transaction.CommitAsync();
        return result;
    }
}

public static class Stats
{
    public static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>A plain text table: a header row, aligned columns.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Print()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
        Console.WriteLine(Line(headers));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows) Console.WriteLine(Line(row));
        Console.WriteLine();
    }
}

public static class Format
{
    public static string N0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
    public static string N1(double value) => value.ToString("N1", CultureInfo.InvariantCulture);
    public static string N2(double value) => value.ToString("N2", CultureInfo.InvariantCulture);
    public static string Percent(double ratio) => (ratio * 100).ToString("N0", CultureInfo.InvariantCulture) + " %";
}

public static class Machine
{
    public static string Describe()
    {
        var cpu = "";
        if (System.IO.File.Exists("/proc/cpuinfo"))
            cpu = System.IO.File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
        return string.Join(Environment.NewLine,
            $"Machine:  {Environment.ProcessorCount} logical processors{(cpu.Length > 0 ? " (" + cpu + ")" : "")}, {RuntimeInformation.ProcessArchitecture}",
            $"OS:       {RuntimeInformation.OSDescription}",
            $".NET:     {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC",
            $"Temp:     {System.IO.Path.GetTempPath()} (SQLite files)",
            $"Load:     {LoadAverage()} (1, 5, 15 min) at start; the machine is shared, so compare ratios within a run");
    }

    public static string LoadAverage() =>
        System.IO.File.Exists("/proc/loadavg") ? string.Join(" ", System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

/// <summary>The background jobs' parts, for a benchmark that runs a job's work directly rather than through a host.</summary>
public static class WorkerParts
{
    /// <summary>The sweeps' guard as a host builds it, with the default options, its own metrics and no log.</summary>
    public static ParticipantSweeps Sweeps(TimeProvider clock)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new ParticipantSweeps(new JobOptions(), clock, new WorkerMetrics(meters), NullLogger<ParticipantSweeps>.Instance);
    }
}
