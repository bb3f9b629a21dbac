using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;

namespace Trial.Db.Infrastructure;

/// <summary>
/// The SQL Server login and database user the API and the workers connect as, made or brought up to date by the migrator
/// (connected as the database's owner) on every run: the login with its password from configuration (so changing
/// <c>Database__ApplicationPassword</c> and running the migrator again rotates it), the user in the database, and its
/// membership of the role trial_application, whose rights the migration 2026-12-05_18_ApplicationRole.sql sets.
/// Running it twice changes nothing.
/// </summary>
public static class ApplicationUser
{
    /// <summary>The database role whose rights the application user has, and no others.</summary>
    public const string Role = "trial_application";

    /// <summary>SQL Server's longest password, and QUOTENAME's longest input (a longer one would quote to NULL).</summary>
    public const int MaxPasswordLength = 128;

    // CREATE LOGIN and CREATE USER take names and passwords as literals, not parameters: they are quoted by QUOTENAME (brackets
    // for the name, doubled quotes for the password), so nothing in either can end the statement. A user left without its login
    // (the database restored on another server) is joined to the login again.
    public const string EnsureSql = """
        DECLARE @quotedUser NVARCHAR(258) = QUOTENAME(@user);
        DECLARE @quotedPassword NVARCHAR(258) = QUOTENAME(@password, N'''');
        DECLARE @statement NVARCHAR(1000);
        IF SUSER_ID(@user) IS NULL
            SET @statement = N'CREATE LOGIN ' + @quotedUser + N' WITH PASSWORD = ' + @quotedPassword + N', CHECK_POLICY = ON';
        ELSE
            SET @statement = N'ALTER LOGIN ' + @quotedUser + N' WITH PASSWORD = ' + @quotedPassword;
        EXEC sys.sp_executesql @statement;
        IF DATABASE_PRINCIPAL_ID(@user) IS NULL
            SET @statement = N'CREATE USER ' + @quotedUser + N' FOR LOGIN ' + @quotedUser + N' WITH DEFAULT_SCHEMA = dbo';
        ELSE
            SET @statement = N'ALTER USER ' + @quotedUser + N' WITH LOGIN = ' + @quotedUser + N', DEFAULT_SCHEMA = dbo';
        EXEC sys.sp_executesql @statement;
        IF IS_ROLEMEMBER(N'trial_application', @user) = 0
        BEGIN
            SET @statement = N'ALTER ROLE trial_application ADD MEMBER ' + @quotedUser;
            EXEC sys.sp_executesql @statement;
        END;
        """;

    /// <summary>Makes or updates the application's login and user when <see cref="DatabaseOptions.ApplicationUser"/> is set; false when it is not.</summary>
    /// <param name="options">The migrator's options: the owner's connection string and the application user's name and password.</param>
    public static bool Ensure(DatabaseOptions options)
    {
        if (!options.HasApplicationUser) return false;
        var owner = new SqlConnectionStringBuilder(options.EffectiveConnectionString).UserID;
        Validate(options.ApplicationUser, options.ApplicationPassword, owner);
        using var connection = new SqlConnection(options.EffectiveConnectionString);
        connection.Open();
        Ensure(connection, options.ApplicationUser, options.ApplicationPassword);
        return true;
    }

    public static void Ensure(DbConnection connection, string user, string password) =>
        connection.Execute(EnsureSql, new { user, password });

    /// <summary>Refuses a name or password SQL Server could not take, and the owner's own login (it would lose nothing and gain no limit).</summary>
    public static void Validate(string user, string password, string? ownerLogin)
    {
        if (user.Length > 128)
            throw new InvalidOperationException("Database:ApplicationUser is longer than 128 characters, SQL Server's longest name.");
        if (string.IsNullOrEmpty(password))
            throw new InvalidOperationException("Database:ApplicationUser is set but Database:ApplicationPassword is empty.");
        if (password.Length > MaxPasswordLength)
            throw new InvalidOperationException($"Database:ApplicationPassword is longer than {MaxPasswordLength} characters, SQL Server's longest password.");
        if (string.Equals(user, "sa", StringComparison.OrdinalIgnoreCase) || string.Equals(user, "dbo", StringComparison.OrdinalIgnoreCase)
            || string.Equals(user, ownerLogin, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Database:ApplicationUser must be a login of its own, not the owner's ({user}).");
        }
    }
}
