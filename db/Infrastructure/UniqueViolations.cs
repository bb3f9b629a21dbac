using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Trial.Db.Infrastructure;

/// <summary>
/// A write refused by a unique constraint or primary key: on SQL Server two writers can both pass a use case's "does it exist
/// yet" check and the second meets the constraint (SQLite has one writer, so there it is a defect of the check). Either way
/// it is a conflict with a record written meanwhile, not a server error: the API answers it with a 409.
/// </summary>
public static partial class UniqueViolations
{
    // SQLite: SQLITE_CONSTRAINT (19) with SQLITE_CONSTRAINT_UNIQUE (2067) or SQLITE_CONSTRAINT_PRIMARYKEY (1555).
    private const int SqliteConstraint = 19, SqliteUnique = 2067, SqlitePrimaryKey = 1555;

    /// <summary>SQL Server: 2627 violates a PRIMARY KEY or UNIQUE constraint, 2601 a unique index.</summary>
    public static bool IsSqlServerNumber(int number) => number is 2627 or 2601;

    /// <summary>True when <paramref name="error"/> (or one it wraps) is a unique or primary key violation, in either dialect.</summary>
    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite && sqlite.SqliteErrorCode == SqliteConstraint
                && sqlite.SqliteExtendedErrorCode is SqliteUnique or SqlitePrimaryKey)
            {
                return true;
            }

            if (e is SqlException server && server.Errors.Cast<SqlError>().Any(x => IsSqlServerNumber(x.Number))) return true;
        }
        return false;
    }

    /// <summary>
    /// The columns of the violated constraint when the message names them (SQLite: "UNIQUE constraint failed: Site.Code"),
    /// else null (SQL Server names the constraint, not the columns).
    /// </summary>
    public static IReadOnlyList<string>? ColumnsOf(DbException error)
    {
        var match = SqliteColumns().Match(error.Message);
        if (!match.Success) return null;
        return [.. match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Contains('.') ? c[(c.IndexOf('.') + 1)..] : c)];
    }

    [GeneratedRegex(@"constraint failed: ([A-Za-z0-9_., ]+)")]
    private static partial Regex SqliteColumns();
}
