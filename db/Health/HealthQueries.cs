using System.Data.Common;
using Dapper;

namespace Trial.Db.Health;

public static class HealthQueries
{
    private const string AppliedMigrationsSql = "SELECT COUNT(*) FROM SchemaVersions";

    public static Task<int> AppliedMigrationsAsync(DbConnection c) => c.ExecuteScalarAsync<int>(AppliedMigrationsSql);
}
