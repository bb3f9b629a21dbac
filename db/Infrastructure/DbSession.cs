using System.Data.Common;
using Dapper;

namespace Trial.Db.Infrastructure;

/// <summary>
/// An open connection and the transaction its commands must join, passed together as the first argument of every query
/// method. Passing the two apart let a query run outside its caller's transaction by a forgotten argument: on SQLite the
/// command joins the open transaction anyway, so only SQL Server, which cannot run in our tests, would have failed.
/// <see cref="Transaction"/> is null only where no transaction is open: a tool, the migrator, or a streaming read that
/// opened a connection of its own. The methods below are Dapper's, with the transaction always given.
/// </summary>
public readonly record struct DbSession(DbConnection Connection, DbTransaction? Transaction, DatabaseProvider Provider)
{
    public Dialect Dialect => Dialect.For(Provider);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null) => Connection.QueryAsync<T>(sql, parameters, Transaction);

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null) => Connection.QuerySingleOrDefaultAsync<T>(sql, parameters, Transaction);

    public Task<T> QuerySingleAsync<T>(string sql, object? parameters = null) => Connection.QuerySingleAsync<T>(sql, parameters, Transaction);

    public Task<int> ExecuteAsync(string sql, object? parameters = null) => Connection.ExecuteAsync(sql, parameters, Transaction);

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters = null) => Connection.ExecuteScalarAsync<T>(sql, parameters, Transaction);

    public IAsyncEnumerable<T> QueryUnbufferedAsync<T>(string sql, object? parameters = null) =>
        Connection.QueryUnbufferedAsync<T>(sql, parameters, Transaction);

    /// <summary>For a command Dapper's shortcuts do not cover (a timeout, a cancellation token): the transaction goes with it.</summary>
    public CommandDefinition Command(string sql, object? parameters = null, int? commandTimeout = null, CancellationToken ct = default) =>
        new(sql, parameters, Transaction, commandTimeout, cancellationToken: ct);
}
