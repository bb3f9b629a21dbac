using Microsoft.Data.SqlClient;

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

    /// <summary>
    /// SQL Server only: the login the API and the workers connect as (<c>Database__ApplicationUser</c>), a member of the role
    /// trial_application, which reads and writes rows and changes no schema. The migrator, connected as the database's owner,
    /// creates it (or sets its password) from this and <see cref="ApplicationPassword"/>. Empty: the hosts connect with the
    /// credentials of <c>ConnectionStrings__Trial</c>, and the migrator makes no login.
    /// </summary>
    public string ApplicationUser { get; set; } = "";

    /// <summary>The password of <see cref="ApplicationUser"/> (<c>Database__ApplicationPassword</c>); from a secret, never a committed file.</summary>
    public string ApplicationPassword { get; set; } = "";

    /// <summary>Whether the hosts connect as <see cref="ApplicationUser"/> rather than with the connection string's own credentials.</summary>
    public bool HasApplicationUser => Provider == DatabaseProvider.SqlServer && !string.IsNullOrWhiteSpace(ApplicationUser);

    /// <summary>
    /// The options the API and the workers connect with: on SQL Server with <see cref="ApplicationUser"/> set, the same server,
    /// database and encryption as the connection string, signed in as the application user (whatever credentials the string
    /// held are replaced, so an owner's connection string given by mistake still connects with the least rights); otherwise
    /// these options unchanged.
    /// </summary>
    public DatabaseOptions ForApplication()
    {
        if (!HasApplicationUser) return this;
        if (string.IsNullOrEmpty(ApplicationPassword))
            throw new InvalidOperationException("Database:ApplicationUser is set but Database:ApplicationPassword is empty.");
        var builder = new SqlConnectionStringBuilder(EffectiveConnectionString)
        {
            IntegratedSecurity = false,
            UserID = ApplicationUser,
            Password = ApplicationPassword,
        };
        return new DatabaseOptions
        {
            Provider = Provider,
            ConnectionString = builder.ConnectionString,
            DataFolder = DataFolder,
            CreateIfMissing = false,
            ApplicationUser = ApplicationUser,
            ApplicationPassword = ApplicationPassword,
        };
    }

    public string EffectiveConnectionString => Provider switch
    {
        DatabaseProvider.Sqlite when string.IsNullOrWhiteSpace(ConnectionString) =>
            $"Data Source={Path.Combine(DataFolder, "trial.db")}",
        DatabaseProvider.SqlServer when string.IsNullOrWhiteSpace(ConnectionString) =>
            throw new InvalidOperationException("Database:Provider is SqlServer but ConnectionStrings:Trial is empty."),
        _ => ConnectionString,
    };
}
