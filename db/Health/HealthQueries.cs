using Trial.Db.Infrastructure;

namespace Trial.Db.Health;

public static class HealthQueries
{
    private const string AppliedMigrationsSql = "SELECT COUNT(*) FROM SchemaVersions";

    public static Task<int> AppliedMigrationsAsync(DbSession s) => s.ExecuteScalarAsync<int>(AppliedMigrationsSql);
}
