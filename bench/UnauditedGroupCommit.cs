using System.Data.Common;
using System.Threading.Channels;
using Dapper;
using Trial.Db.Infrastructure;

namespace Trial.Bench;

/// <summary>
/// The application's SQLite write path without its audit trail, for the one comparison that needs it: what the trail
/// costs. The application cannot write without its trail, so the benchmark does it itself, the way the application's
/// single writer (Trial.Db's GroupCommit) does everything else: one writer on one connection kept open (opened by
/// <see cref="Database.OpenAsync"/>: WAL, statements kept prepared), whatever writes are waiting (at most
/// <see cref="MaxBatch"/>) in one transaction, each in its own savepoint, one durable commit (<c>synchronous=FULL</c>)
/// per batch, each caller answered after the commit that holds its write, and the checkpoints run beside the writer.
/// Left out is only what the trail brings: the audit rows, the chain's end read and stored per batch, and the check
/// that a write left a row. Gathering matters to the comparison: with one transaction and one flush per write, the
/// writes without the trail would pay flushes that the application's writes share, and the difference measured would
/// be the batching, not the trail.
/// </summary>
public sealed class UnauditedGroupCommit : IAsyncDisposable
{
    /// <summary>As the application's writer (a test holds these three to its values).</summary>
    public const int MaxBatch = 64;

    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    public const int WriterCheckpointPages = 10_000;

    private readonly Database _database;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop, _checkpoints;
    private readonly CancellationTokenSource _stopping = new();
    private DbConnection? _connection;
    private long _batches, _writes;

    /// <param name="database">A SQLite database; its own writer stays idle (nothing is written through it meanwhile).</param>
    public UnauditedGroupCommit(Database database)
    {
        if (database.Provider != DatabaseProvider.Sqlite) throw new ArgumentException("Group commit is the SQLite write path.", nameof(database));
        _database = database;
        _loop = Task.Run(RunAsync);
        _checkpoints = Task.Run(CheckpointAsync);
    }

    /// <summary>Transactions committed, and the writes they held.</summary>
    public (long Batches, long Writes) Statistics => (Interlocked.Read(ref _batches), Interlocked.Read(ref _writes));

    private sealed class Pending(Func<DbSession, Task> work)
    {
        public Func<DbSession, Task> Work { get; } = work;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Failure { get; set; }
    }

    /// <summary>Runs <paramref name="work"/> in the writer's next batch; returns once the batch that holds it is committed.</summary>
    public Task WriteAsync(Func<DbSession, Task> work)
    {
        var pending = new Pending(work);
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(UnauditedGroupCommit));
        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var connection = await ConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var session = new DbSession(connection, transaction, DatabaseProvider.Sqlite);
            var committed = 0;
            foreach (var pending in batch)
            {
                if (await RunOneAsync(transaction, session, pending)) committed++;
            }
            await transaction.CommitAsync();
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _writes, committed);
        }
        catch (Exception ex)
        {
            foreach (var pending in batch.Where(p => p.Failure is null)) pending.Failure = ex;
            await ResetConnectionAsync();
        }
        foreach (var pending in batch)
        {
            if (pending.Failure is not null) pending.Done.TrySetException(pending.Failure);
            else pending.Done.TrySetResult();
        }
    }

    /// <summary>One write in its own savepoint; a write that throws is undone alone and fails alone.</summary>
    private static async Task<bool> RunOneAsync(DbTransaction transaction, DbSession session, Pending pending)
    {
        const string savepoint = "write";
        await transaction.SaveAsync(savepoint);
        try
        {
            await pending.Work(session);
            await transaction.ReleaseAsync(savepoint);
            return true;
        }
        catch (Exception ex)
        {
            pending.Failure = ex;
        }
        await transaction.RollbackAsync(savepoint);
        await transaction.ReleaseAsync(savepoint);
        return false;
    }

    private async Task<DbConnection> ConnectionAsync()
    {
        if (_connection is not null) return _connection;
        _connection = await _database.OpenAsync();
        await _connection.ExecuteAsync($"PRAGMA wal_autocheckpoint={WriterCheckpointPages};");
        // Every write here stands for data a person entered: durable before its caller hears of it.
        await _connection.ExecuteAsync("PRAGMA synchronous=FULL;");
        return _connection;
    }

    private async Task ResetConnectionAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync();
        _connection = null;
    }

    /// <summary>A PASSIVE checkpoint every <see cref="CheckpointInterval"/> on a connection of its own, when anything was committed since the last.</summary>
    private async Task CheckpointAsync()
    {
        using var timer = new PeriodicTimer(CheckpointInterval);
        DbConnection? connection = null;
        var batchesChecked = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                var batches = Interlocked.Read(ref _batches);
                if (batches == batchesChecked) continue;
                batchesChecked = batches;
                try
                {
                    connection ??= await _database.OpenAsync(_stopping.Token);
                    await connection.ExecuteAsync("PRAGMA wal_checkpoint(PASSIVE);");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
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
        _stopping.Dispose();
    }
}
