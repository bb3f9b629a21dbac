using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Trial.Core.Access;
using Trial.Db.Audit;

namespace Trial.Db.Infrastructure;

/// <summary>
/// The single writer of a SQLite database. SQLite takes one writer at a time and pays one disk flush per commit, so
/// concurrent writes are gathered: whatever is waiting when the writer is free (at most <see cref="MaxBatch"/> writes)
/// runs in one transaction, each write inside its own savepoint, and the batch is committed with one flush. A write that
/// is refused or throws is rolled back to its savepoint and fails alone; the others in its batch commit. Every caller is
/// answered only after the commit that holds its write. Nothing waits for a batch to fill: under light load each write
/// commits on its own, as before.
/// <para>
/// Checkpoints (copying committed pages from the write-ahead log into the database file) run beside the writer rather
/// than in it: SQLite's automatic checkpoint runs inside a commit, so on the one writer every write waited for it
/// (docs/decisions/0018-checkpoints-beside-the-writer.md). A connection of their own runs a PASSIVE checkpoint, which waits
/// for no reader or writer, every <see cref="CheckpointInterval"/>; the writer's automatic checkpoint stays, at
/// <see cref="WriterCheckpointPages"/> pages of log, in case those fall behind.
/// </para>
/// </summary>
internal sealed class GroupCommit : IAsyncDisposable
{
    public const int MaxBatch = 64;

    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>About 40 MB of log: the writer checkpoints itself only when the checkpoints beside it have fallen this far behind.</summary>
    public const int WriterCheckpointPages = 10_000;

    private readonly Database _database;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop, _checkpoints;
    private readonly CancellationTokenSource _stopping = new();
    private StatementCachingConnection? _connection;
    private string? _synchronous;
    private long _batches, _writes;

    public GroupCommit(Database database)
    {
        _database = database;
        _loop = Task.Run(RunAsync);
        _checkpoints = Task.Run(CheckpointAsync);
    }

    /// <summary>The last checkpoint beside the writer: frames in the log, and how many of them are in the database file now.</summary>
    public (long LogFrames, long Checkpointed)? LastCheckpoint { get; private set; }

    /// <summary>Transactions committed, and the writes they held (their ratio is the mean batch size).</summary>
    public (long Batches, long Writes) Statistics => (Interlocked.Read(ref _batches), Interlocked.Read(ref _writes));

    /// <summary>A write waiting for the writer, and what became of it.</summary>
    public sealed class Pending(Actor actor, DateTime nowUtc, Func<WriteScope, Task<object?>> work, WriteDurability durability, CancellationToken ct)
    {
        public Actor Actor { get; } = actor;
        public DateTime NowUtc { get; } = nowUtc;
        public Func<WriteScope, Task<object?>> Work { get; } = work;
        public WriteDurability Durability { get; } = durability;
        public CancellationToken Cancellation { get; } = ct;
        public TaskCompletionSource<(object? Result, WriteScope? Committed)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        internal object? Result { get; set; }
        internal WriteScope? Scope { get; set; }
        internal Exception? Failure { get; set; }
    }

    public async Task<(object? Result, WriteScope? Committed)> SubmitAsync(Pending pending)
    {
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit));
        return await pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                if (pending.Cancellation.IsCancellationRequested) pending.Done.TrySetCanceled(pending.Cancellation);
                else batch.Add(pending);
            }
            if (batch.Count > 0) await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var connection = await ConnectionAsync();
            // Derived data alone (schedules, alerts: recomputed by the sweeps if lost) may skip the flush; anything a person
            // entered makes the whole batch durable before anyone hears of it.
            await SetSynchronousAsync(connection, batch.Any(p => p.Durability == WriteDurability.Durable) ? "FULL" : "NORMAL");
            await using var transaction = await connection.BeginTransactionAsync();
            var session = new DbSession(connection, transaction, DatabaseProvider.Sqlite);
            var chain = new AuditChainHead(await AuditQueries.LockHeadAsync(session));
            var committed = 0;
            foreach (var pending in batch)
            {
                if (await RunOneAsync(session, pending, chain)) committed++;
            }
            if (chain.Moved) await chain.StoreAsync(session);
            await transaction.CommitAsync();
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _writes, committed);
        }
        catch (Exception ex)
        {
            // The transaction itself failed (disk, I/O): nothing of the batch was committed.
            foreach (var pending in batch.Where(p => p.Failure is null)) (pending.Failure, pending.Scope) = (ex, null);
            await ResetConnectionAsync();
        }
        foreach (var pending in batch)
        {
            if (pending.Failure is not null) pending.Done.TrySetException(pending.Failure);
            else pending.Done.TrySetResult((pending.Result, pending.Scope));
        }
    }

    /// <summary>Runs one write in its own savepoint; true when it stays in the batch.</summary>
    private async Task<bool> RunOneAsync(DbSession session, Pending pending, AuditChainHead chain)
    {
        const string savepoint = "write";
        var transaction = session.Transaction!;
        var before = chain.Save();
        await transaction.SaveAsync(savepoint);
        var scope = new WriteScope(session, pending.Actor, pending.NowUtc, chain, _database.AuditKey);
        try
        {
            pending.Result = await pending.Work(scope);
            if (!scope.Refused)
            {
                Database.CheckAudited(scope, pending.Durability);
                await transaction.ReleaseAsync(savepoint);
                pending.Scope = scope;
                return true;
            }
        }
        catch (Exception ex)
        {
            pending.Failure = ex;
        }
        // Refused or failed: undo this write alone, and the chain's end with it.
        await transaction.RollbackAsync(savepoint);
        await transaction.ReleaseAsync(savepoint);
        chain.Restore(before);
        return false;
    }

    private async Task<StatementCachingConnection> ConnectionAsync()
    {
        if (_connection is not null) return _connection;
        // Kept open for the process's life: every write's statements stay prepared from one write to the next. Opened as
        // every connection is (Database.OpenAsync), so the file is in WAL mode before the first write: opened on its own,
        // the writer committed in rollback-journal mode until some read happened to switch the file.
        _connection = (StatementCachingConnection)await _database.OpenAsync();
        await _connection.ExecuteAsync($"PRAGMA wal_autocheckpoint={WriterCheckpointPages};");
        _synchronous = null;
        return _connection;
    }

    // Set once per physical connection, and again only when a batch needs the other setting.
    private async Task SetSynchronousAsync(SqliteConnection connection, string mode)
    {
        if (_synchronous == mode) return;
        await connection.ExecuteAsync($"PRAGMA synchronous={mode};");
        _synchronous = mode;
    }

    private async Task ResetConnectionAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync();
        _connection = null;
    }

    /// <summary>What <c>PRAGMA wal_checkpoint</c> answers (besides whether it was blocked, which a PASSIVE one never waits for).</summary>
    private sealed class CheckpointRow
    {
        public long Log { get; init; }
        public long Checkpointed { get; init; }
    }

    private async Task CheckpointAsync()
    {
        using var timer = new PeriodicTimer(CheckpointInterval);
        System.Data.Common.DbConnection? connection = null;
        var writesChecked = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                // Nothing committed since the last one: nothing new in the log.
                var writes = Interlocked.Read(ref _batches);
                if (writes == writesChecked) continue;
                writesChecked = writes;
                try
                {
                    connection ??= await _database.OpenAsync(_stopping.Token);
                    var result = await connection.QuerySingleAsync<CheckpointRow>("PRAGMA wal_checkpoint(PASSIVE);");
                    LastCheckpoint = (result.Log, result.Checkpointed);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed checkpoint loses nothing (the log keeps every page); the next one, or the writer's own, catches up.
                    await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _stopping.CancelAsync();
        await _checkpoints;
        await ResetConnectionAsync();
    }
}
