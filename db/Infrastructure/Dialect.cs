namespace Trial.Db.Infrastructure;

/// <summary>
/// The few places where SQLite and SQL Server differ. Query texts are written in T-SQL (so the tests can parse
/// every one with SQL Server's own parser) and turned into SQLite here.
/// </summary>
public sealed class Dialect
{
    private const string TopClause = "SELECT TOP (@limit) ";

    private static readonly Dialect SqliteDialect = new(DatabaseProvider.Sqlite);
    private static readonly Dialect SqlServerDialect = new(DatabaseProvider.SqlServer);

    private Dialect(DatabaseProvider provider) => Provider = provider;

    public DatabaseProvider Provider { get; }

    public static Dialect For(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite ? SqliteDialect : SqlServerDialect;

    /// <summary>A query limited to <c>@limit</c> rows: written <c>SELECT TOP (@limit) …</c>; SQLite says <c>… LIMIT @limit</c>.</summary>
    public string Top(string sql)
    {
        if (!sql.StartsWith(TopClause, StringComparison.Ordinal))
            throw new ArgumentException($"A limited query must start with '{TopClause}'.", nameof(sql));
        return Provider == DatabaseProvider.SqlServer ? sql : "SELECT " + sql[TopClause.Length..] + " LIMIT @limit";
    }
}
