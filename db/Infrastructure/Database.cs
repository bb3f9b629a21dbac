using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Trial.Core.Access;

namespace Trial.Db.Infrastructure;

/// <summary>
/// The one door to the database: opens connections for reading and runs every write, with its audit rows and derived
/// work (<see cref="WriteScope"/>). SQLite allows one writer at a time and pays a disk flush per commit, so on SQLite
/// every write goes to one writer that commits concurrent writes together (<see cref="GroupCommit"/>). On SQL Server
/// each write is its own transaction: the server batches its own log flushes.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly GroupCommit? _sqliteWriter;
    private readonly IDerivedWorkQueue? _derivedWork;
    private readonly SemaphoreSlim _walGate = new(1, 1);
    private volatile bool _walEnsured;

    /// <summary>
    /// Open SQLite connections that <see cref="ReadAsync{T}"/> hands out again, so the statements a read prepared are still
    /// prepared for the next read (<see cref="StatementCachingConnection"/>); at most <see cref="MaxIdleReaders"/>.
    /// </summary>
    private readonly ConcurrentStack<StatementCachingConnection> _idleReaders = new();

    public const int MaxIdleReaders = 8;

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
            var builder = new SqliteConnectionStringBuilder(ConnectionString) { ForeignKeys = true, DefaultTimeout = 30 };
            ConnectionString = builder.ToString();
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                // Clinical data: a new data folder is readable by its owner only.
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
                else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            _sqliteWriter = new GroupCommit(this);
        }
    }

    /// <summary>On SQLite, the transactions committed so far and the writes they held; null on SQL Server.</summary>
    public (long Batches, long Writes)? WriteStatistics => _sqliteWriter?.Statistics;

    /// <summary>On SQLite, the last checkpoint run beside the writer (see <see cref="GroupCommit"/>); null before the first, and on SQL Server.</summary>
    public (long LogFrames, long Checkpointed)? LastCheckpoint => _sqliteWriter?.LastCheckpoint;

    public DatabaseProvider Provider { get; }
    public Dialect Dialect => Dialect.For(Provider);
    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = Provider == DatabaseProvider.Sqlite
            ? new StatementCachingConnection(ConnectionString)
            : new SqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        if (Provider == DatabaseProvider.Sqlite && !_walEnsured)
        {
            try
            {
                await EnsureWalAsync(connection, ct);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        return connection;
    }

    /// <summary>
    /// WAL lets readers run beside the writer; without it an extract's long read would hold the writer off (and the
    /// extract's own audit row with it) until the busy timeout. It is a setting of the database file, so it is made once,
    /// not per open, and no other connection of this process is handed out before it holds: SQLite does not change the
    /// mode while another connection has the file locked and answers with the old mode instead, which is checked here.
    /// The writer sets its own durability (GroupCommit); readers need nothing else.
    /// </summary>
    private async Task EnsureWalAsync(DbConnection connection, CancellationToken ct)
    {
        await _walGate.WaitAsync(ct);
        try
        {
            if (_walEnsured) return;
            var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: ct));
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"The SQLite database could not be put in WAL mode (it stays in '{mode}' mode): another process has the file open.");
            }

            _walEnsured = true;
        }
        finally
        {
            _walGate.Release();
        }
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
        if (_sqliteWriter is not null)
        {
            var (result, committed) = await _sqliteWriter.SubmitAsync(new GroupCommit.Pending(actor, nowUtc, async w => await work(w), durability, ct));
            if (committed is not null) SignalDerivedWork(committed);
            return (T)result!;
        }

        WriteScope scope;
        T value;
        await using (var connection = await OpenAsync(ct))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            scope = new WriteScope(new DbSession(connection, transaction, Provider), actor, nowUtc);
            value = await work(scope);
            if (scope.Refused)
            {
                await transaction.RollbackAsync(ct);
                return value;
            }
            CheckAudited(scope, durability);
            await scope.CompleteAsync();
            await transaction.CommitAsync(ct);
        }
        SignalDerivedWork(scope);
        return value;
    }

    /// <summary>A write of data entered by people must leave an audit row; derived writes audit what they change themselves.</summary>
    internal static void CheckAudited(WriteScope scope, WriteDurability durability)
    {
        if (durability == WriteDurability.Durable && scope.AuditRows == 0)
            throw new InvalidOperationException("A write of clinical or access data must leave an audit row; this one left none and was rolled back.");
    }

    private void SignalDerivedWork(WriteScope scope)
    {
        if (_derivedWork is null) return;
        foreach (var id in scope.ScheduleChanged) _derivedWork.ScheduleDataChanged(id);
        foreach (var id in scope.SafetyChanged) _derivedWork.SafetyDataChanged(id);
    }

    /// <summary>The isolation of a read on SQL Server: one snapshot, as on SQLite.</summary>
    public const System.Data.IsolationLevel ServerReadIsolation = System.Data.IsolationLevel.Snapshot;

    /// <summary>
    /// Runs <paramref name="work"/> on an open connection, which it must not keep, given as a session with the read's
    /// transaction. On either engine the work reads one snapshot of the database (one read transaction, so it must not begin one of its own), so
    /// what it reads together was true together, whatever commits meanwhile. A long read that streams (an extract) opens
    /// its own connection instead (<see cref="OpenAsync"/>). The connection is one kept open from an earlier read when there is one, and
    /// is kept for the next read afterwards unless <paramref name="work"/> failed: nothing of one read reaches the next
    /// but the prepared statements.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<DbSession, Task<T>> work, CancellationToken ct = default)
    {
        if (Provider != DatabaseProvider.Sqlite)
        {
            // SQL Server: one SNAPSHOT transaction (allowed by the ExportSnapshot migration), so a read sees one committed
            // state as SQLite's read transaction does: a verify or a report is not broken by writes landing while it reads.
            await using var opened = await OpenAsync(ct);
            await using var serverSnapshot = await opened.BeginTransactionAsync(ServerReadIsolation, ct);
            var read = await work(new DbSession(opened, serverSnapshot, Provider));
            await serverSnapshot.CommitAsync(ct);
            return read;
        }

        var connection = _idleReaders.TryPop(out var idle) ? idle : (StatementCachingConnection)await OpenAsync(ct);
        T result;
        try
        {
            await using var snapshot = connection.BeginTransaction(deferred: true);
            result = await work(new DbSession(connection, snapshot, Provider));
            await snapshot.CommitAsync(ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        if (connection.State == System.Data.ConnectionState.Open && !_disposed && _idleReaders.Count < MaxIdleReaders)
        {
            _idleReaders.Push(connection);
            // Disposed meanwhile: nothing may stay open after DisposeAsync.
            if (_disposed) await CloseIdleReadersAsync();
        }
        else
        {
            await connection.DisposeAsync();
        }
        return result;
    }

    private volatile bool _disposed;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_sqliteWriter is not null) await _sqliteWriter.DisposeAsync();
        await CloseIdleReadersAsync();
    }

    private async Task CloseIdleReadersAsync()
    {
        while (_idleReaders.TryPop(out var idle)) await idle.DisposeAsync();
    }
}

public enum WriteDurability
{
    /// <summary>On disk before the caller hears of it.</summary>
    Durable,

    /// <summary>Derived data that the recurring sweeps recompute if a crash loses it.</summary>
    Recomputable,
}
