using Dapper;
using Microsoft.Data.Sqlite;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// What a real write left in a SQLite database, held against the SQL Server schema: every text value fits its column's
/// declared length (SQLite stores any length; SQL Server refuses the statement), and every value of a fixed-length column
/// has the column's full length (SQL Server pads a shorter one with spaces).
/// </summary>
public static class StoredValuesCheck
{
    public static IReadOnlyList<string> Check(SchemaModel schema, SqliteConnection connection)
    {
        var findings = new SortedSet<string>(StringComparer.Ordinal);
        var tables = connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'SchemaVersions'");
        foreach (var table in tables)
        {
            foreach (var name in connection.Query<string>($"SELECT name FROM pragma_table_info('{table}')"))
            {
                var column = schema.Find(table, name);
                if (column is null)
                {
                    findings.Add($"{table}.{name} is not in the SQL Server schema");
                    continue;
                }
                if (!column.IsString) continue;
                var lengths = connection.Query<long?>($"SELECT DISTINCT length(\"{name}\") FROM \"{table}\" WHERE typeof(\"{name}\") = 'text'").OfType<long>().ToList();
                if (lengths.Count == 0) continue;
                if (lengths.Max() > column.Length)
                    findings.Add($"{table}.{name} holds a value of {lengths.Max()} characters; {column.Declared} holds {column.Length}");
                if (column.IsFixedLength && lengths.Min() < column.Length)
                    findings.Add($"{table}.{name} holds a value of {lengths.Min()} characters; {column.Declared} pads it to {column.Length}");
            }
        }
        return findings.ToList();
    }
}
