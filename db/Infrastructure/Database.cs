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
    private readonly IDerivedWorkQueue? _derivedWork;

    /// <param name="options">Which database.</param>
    /// <param name="derivedWork">Where committed writes signal their derived work (the background jobs); none in tools that only read or migrate.</param>
    public Database(DatabaseOptions options, IDerivedWorkQueue? derivedWork = null)
    {
        _derivedWork = derivedWork;
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
    public Dialect Dialect => Dialect.For(Provider);
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

    /// <summary>
    /// A write of data entered by people, on behalf of <paramref name="actor"/> at server time <paramref name="nowUtc"/>:
    /// one transaction, durable before it returns. It must leave at least one audit row (the trail is how every change is
    /// traced), unless <paramref name="work"/> refused it (<see cref="WriteScope.Refuse"/>), which rolls it back.
    /// The derived work the write signalled is handed to the background jobs after the commit.
    /// </summary>
    public Task<T> WriteAsync<T>(Actor actor, DateTime nowUtc, Func<WriteScope, Task<T>> work, CancellationToken ct = default) =>
        RunAsync(actor, nowUtc, work, WriteDurability.Durable, ct);

    /// <inheritdoc cref="WriteAsync{T}(Actor, DateTime, Func{WriteScope, Task{T}}, CancellationToken)"/>
    public Task WriteAsync(Actor actor, DateTime nowUtc, Func<WriteScope, Task> work, CancellationToken ct = default) =>
        RunAsync(actor, nowUtc, async w => { await work(w); return true; }, WriteDurability.Durable, ct);

    /// <inheritdoc cref="WriteDerivedAsync{T}(DateTime, Func{WriteScope, Task{T}}, CancellationToken)"/>
    public Task WriteDerivedAsync(DateTime nowUtc, Func<WriteScope, Task> work, CancellationToken ct = default) =>
        RunAsync(Actor.System, nowUtc, async w => { await work(w); return true; }, WriteDurability.Recomputable, ct);

    /// <summary>A write of derived data by a background job, as the system; see <see cref="WriteDurability.Recomputable"/>.</summary>
    public Task<T> WriteDerivedAsync<T>(DateTime nowUtc, Func<WriteScope, Task<T>> work, CancellationToken ct = default) =>
        RunAsync(Actor.System, nowUtc, work, WriteDurability.Recomputable, ct);

    private async Task<T> RunAsync<T>(Actor actor, DateTime nowUtc, Func<WriteScope, Task<T>> work, WriteDurability durability, CancellationToken ct)
    {
        WriteScope scope;
        T result;
        if (_sqliteWriteGate is not null) await _sqliteWriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            // OpenAsync sets synchronous=FULL on every open, so the pooled connection goes back durable.
            if (Provider == DatabaseProvider.Sqlite && durability == WriteDurability.Recomputable)
                await connection.ExecuteAsync("PRAGMA synchronous=NORMAL;");
            await using var transaction = await connection.BeginTransactionAsync(ct);
            scope = new WriteScope(connection, transaction, actor, nowUtc);
            result = await work(scope);
            if (scope.Refused)
            {
                await transaction.RollbackAsync(ct);
                return result;
            }
            if (durability == WriteDurability.Durable && scope.AuditRows == 0)
                throw new InvalidOperationException("A write of clinical or access data must leave an audit row; this one left none and was rolled back.");
            await scope.CompleteAsync();
            await transaction.CommitAsync(ct);
        }
        finally
        {
            _sqliteWriteGate?.Release();
        }
        SignalDerivedWork(scope);
        return result;
    }

    private void SignalDerivedWork(WriteScope scope)
    {
        if (_derivedWork is null) return;
        foreach (var id in scope.ScheduleChanged) _derivedWork.ScheduleDataChanged(id);
        foreach (var id in scope.SafetyChanged) _derivedWork.SafetyDataChanged(id);
    }

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
