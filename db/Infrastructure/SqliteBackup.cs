using Microsoft.Data.Sqlite;

namespace Trial.Db.Infrastructure;

/// <summary>
/// A backup of the embedded database while the API runs: SQLite's online backup copies one consistent state of the file
/// (what was committed when it began), while writers go on. A copy of the file itself is not safe: the write-ahead log
/// holds the latest commits and changes under the copy.
/// </summary>
public static class SqliteBackup
{
    /// <summary>
    /// Copies the database of <paramref name="sourceConnectionString"/> to the new file <paramref name="destinationPath"/>
    /// and checks the copy's integrity; returns the copy's size in bytes. An existing file is never overwritten.
    /// </summary>
    public static async Task<long> RunAsync(string sourceConnectionString, string destinationPath, CancellationToken ct = default)
    {
        var destination = Path.GetFullPath(destinationPath);
        if (File.Exists(destination)) throw new IOException($"{destination} exists already; a backup never overwrites a file.");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);

        var sourceSettings = new SqliteConnectionStringBuilder(sourceConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        if (!File.Exists(sourceSettings.DataSource)) throw new FileNotFoundException($"There is no database at {Path.GetFullPath(sourceSettings.DataSource)}.");
        await using (var source = new SqliteConnection(sourceSettings.ToString()))
        await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString()))
        {
            await source.OpenAsync(ct);
            await copy.OpenAsync(ct);
            source.BackupDatabase(copy);
            await using var check = copy.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            var result = (string?)await check.ExecuteScalarAsync(ct);
            if (result != "ok") throw new InvalidOperationException($"The copy at {destination} failed its integrity check: {result}");
        }
        return new FileInfo(destination).Length;
    }
}
