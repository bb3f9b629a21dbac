namespace Trial.Db.Infrastructure;

public enum DatabaseProvider { Sqlite, SqlServer }

/// <summary>Bound from <c>Database__Provider</c> and <c>ConnectionStrings__Trial</c>.</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Empty means the embedded default: a SQLite file under <see cref="DataFolder"/>.</summary>
    public string ConnectionString { get; set; } = "";

    public string DataFolder { get; set; } = "data";

    /// <summary>SQL Server only: the migrator creates the database when it does not exist yet.</summary>
    public bool CreateIfMissing { get; set; }

    public string EffectiveConnectionString => Provider switch
    {
        DatabaseProvider.Sqlite when string.IsNullOrWhiteSpace(ConnectionString) =>
            $"Data Source={Path.Combine(DataFolder, "trial.db")}",
        DatabaseProvider.SqlServer when string.IsNullOrWhiteSpace(ConnectionString) =>
            throw new InvalidOperationException("Database:Provider is SqlServer but ConnectionStrings:Trial is empty."),
        _ => ConnectionString,
    };
}
