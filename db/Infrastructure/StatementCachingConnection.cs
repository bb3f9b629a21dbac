using System.Data;
using Microsoft.Data.Sqlite;

namespace Trial.Db.Infrastructure;

/// <summary>
/// A SQLite connection that keeps the statements it runs prepared, so the next run of the same SQL text skips SQLite's
/// parsing and planning, most of what a short query of this application costs
/// (docs/decisions/0016-statements-kept-prepared.md).
/// Microsoft.Data.Sqlite keeps a statement prepared only for the life of one command, and Dapper makes a new command for
/// every call; the commands this connection makes hand their execution to a command of the same text kept here, with
/// the caller's parameters and transaction. What the caller sees is the same: the same results, the same errors.
/// <para>
/// The statements are this object's: closing the connection finalises them all (as it does any command's). At most
/// <see cref="MaxStatements"/> are kept; past that the cache starts again, so SQL made per call (Dapper expands an
/// <c>IN @list</c> into one text per list length) cannot make it grow without bound. Like the connection itself, the
/// cache serves one caller at a time. A statement whose reader is still open is not shared: a second run of its text
/// meanwhile is prepared on its own, as without the cache.
/// </para>
/// </summary>
public sealed class StatementCachingConnection(string connectionString) : SqliteConnection(connectionString)
{
    public const int MaxStatements = 256;

    private readonly Dictionary<string, CachedStatement> _statements = new(StringComparer.Ordinal);

    /// <summary>Statements prepared into the cache, and runs that reused one already prepared.</summary>
    public (int Prepared, int Reused) Statistics { get; private set; }

    /// <summary>Statements kept prepared now.</summary>
    public int CachedStatements => _statements.Count;

    public override SqliteCommand CreateCommand() => new RoutedCommand(this) { Connection = this, CommandTimeout = DefaultTimeout, Transaction = Transaction };

    public override void Close()
    {
        ForgetStatements();
        base.Close();
    }

    /// <summary>The kept statement for <paramref name="sql"/>, prepared on its first run; null when it is busy with an open reader.</summary>
    private CachedStatement? StatementFor(string sql)
    {
        if (_statements.TryGetValue(sql, out var statement))
        {
            if (statement.Busy) return null;
            Statistics = (Statistics.Prepared, Statistics.Reused + 1);
            return statement;
        }
        if (_statements.Count >= MaxStatements) ForgetStatements();
        statement = new CachedStatement(this, sql);
        _statements.Add(sql, statement);
        Statistics = (Statistics.Prepared + 1, Statistics.Reused);
        return statement;
    }

    /// <summary>A run of the statement failed: it is not kept, whatever state the failure left it in.</summary>
    private void Forget(CachedStatement statement)
    {
        _statements.Remove(statement.CommandText);
        statement.Dispose();
    }

    private void ForgetStatements()
    {
        foreach (var statement in _statements.Values) statement.Dispose();
        _statements.Clear();
    }

    /// <summary>What <see cref="CreateCommand"/> hands out (to Dapper, mostly): runs on the kept statement of its text.</summary>
    private sealed class RoutedCommand(StatementCachingConnection connection) : SqliteCommand
    {
        // ExecuteNonQuery, ExecuteScalar and the async forms all come here.
        public override SqliteDataReader ExecuteReader(CommandBehavior behavior)
        {
            if (Connection != connection || connection.State != ConnectionState.Open) return base.ExecuteReader(behavior);
            var statement = connection.StatementFor(CommandText);
            if (statement is null) return base.ExecuteReader(behavior);
            try
            {
                return statement.Run(this, behavior);
            }
            catch
            {
                connection.Forget(statement);
                throw;
            }
        }
    }

    /// <summary>A command kept with its prepared statement; each run takes the caller's parameters, transaction and timeout.</summary>
    private sealed class CachedStatement : SqliteCommand
    {
        public CachedStatement(SqliteConnection connection, string sql) : base(sql, connection)
        {
        }

        /// <summary>A reader of its last run is still open.</summary>
        public bool Busy => DataReader is not null;

        public SqliteDataReader Run(SqliteCommand caller, CommandBehavior behavior)
        {
            Transaction = caller.Transaction;
            CommandTimeout = caller.CommandTimeout;
            Parameters.Clear();
            foreach (SqliteParameter parameter in caller.Parameters) Parameters.Add(parameter);
            return ExecuteReader(behavior);
        }
    }
}
