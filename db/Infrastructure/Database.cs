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
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        if (_sqliteWriteGate is not null) await _sqliteWriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
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
        WriteAsync((c, t) => work(new WriteScope(c, t, actor, nowUtc)), ct);

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await work(connection);
    }
}
