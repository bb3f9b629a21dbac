using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Data.SqlClient;

namespace Trial.Db.Infrastructure;

/// <summary>
/// The one door to the database: opens connections with the right settings and runs every
/// write in a transaction. SQLite allows one writer at a time, so writes on SQLite queue on
/// an in-process gate instead of spinning on SQLITE_BUSY (which costs tens of milliseconds).
/// </summary>
public sealed class Database
{
    private readonly SemaphoreSlim? _sqliteWriteGate;

    public Database(DatabaseOptions options)
    {
        TypeHandlers.Register();
        Provider = options.Provider;
        ConnectionString = options.EffectiveConnectionString;
        if (Provider == DatabaseProvider.Sqlite)
        {
            _sqliteWriteGate = new SemaphoreSlim(1, 1);
            var builder = new SqliteConnectionStringBuilder(ConnectionString) { ForeignKeys = true, DefaultTimeout = 30 };
            ConnectionString = builder.ToString();
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                // Clinical data: a new data folder is readable by its owner only.
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
                else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = Provider == DatabaseProvider.Sqlite
            ? new SqliteConnection(ConnectionString)
            : new SqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        if (Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers run beside the writer; synchronous=FULL makes every commit
            // durable before the client hears of it, even across a power cut.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        }
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction; commits when it returns, rolls back when it throws.</summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        WriteAsync(work, WriteDurability.Durable, ct);

    /// <summary>Runs <paramref name="work"/> in one transaction. <paramref name="durability"/>:
    /// <see cref="WriteDurability.Recomputable"/> is for derived data only (stored schedules,
    /// alerts), written together with the marker that says it is up to date: on SQLite its commit
    /// skips the disk flush, so a power cut may undo it, but then it undoes the marker too and the
    /// recurring sweeps compute it again. Data entered by people is always durable.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, WriteDurability durability, CancellationToken ct = default)
    {
        if (_sqliteWriteGate is not null) await _sqliteWriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            // OpenAsync sets synchronous=FULL on every open, so the pooled connection goes back durable.
            if (Provider == DatabaseProvider.Sqlite && durability == WriteDurability.Recomputable)
                await connection.ExecuteAsync("PRAGMA synchronous=NORMAL;");
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(ct);
            return result;
        }
        finally
        {
            _sqliteWriteGate?.Release();
        }
    }

    /// <summary>A clinical write on behalf of <paramref name="actor"/> at server time <paramref name="nowUtc"/>.</summary>
    public Task<T> WriteAsync<T>(Actor actor, DateTime nowUtc, Func<WriteScope, Task<T>> work, CancellationToken ct = default) =>
        WriteAsync((c, t) => work(new WriteScope(c, t, actor, nowUtc)), WriteDurability.Durable, ct);

    /// <summary>A write of derived data by a background job; see <see cref="WriteDurability.Recomputable"/>.</summary>
    public Task<T> WriteDerivedAsync<T>(DateTime nowUtc, Func<WriteScope, Task<T>> work, CancellationToken ct = default) =>
        WriteAsync((c, t) => work(new WriteScope(c, t, Actor.System, nowUtc)), WriteDurability.Recomputable, ct);

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await work(connection);
    }
}

public enum WriteDurability
{
    /// <summary>On disk before the caller hears of it.</summary>
    Durable,

    /// <summary>Derived data that the recurring sweeps recompute if a crash loses it.</summary>
    Recomputable,
}
