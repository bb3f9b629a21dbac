using System.Data.Common;
using Trial.Db.Health;
using Trial.Db.Infrastructure;

namespace Trial.Application.Health;

/// <summary>Whether the system can take requests; when not, why.</summary>
public sealed record Readiness(bool Ready, string? Detail = null);

/// <summary>Ready when the database answers and its migrations are applied.</summary>
public sealed class CheckReadiness(Database db)
{
    public async Task<Readiness> CheckAsync()
    {
        try
        {
            var applied = await db.ReadAsync(HealthQueries.AppliedMigrationsAsync);
            var expected = Migrator.Scripts(db.Provider).Count;
            return applied >= expected ? new Readiness(true) : new Readiness(false, $"{applied} of {expected} migrations applied.");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            return new Readiness(false, "The database does not answer.");
        }
    }
}
