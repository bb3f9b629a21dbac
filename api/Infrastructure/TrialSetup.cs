using Microsoft.Extensions.Options;
using Trial.Api.Access;
using Trial.Db.Infrastructure;

namespace Trial.Api.Infrastructure;

/// <summary>Start-up steps that must succeed before the API takes a request.</summary>
public static class TrialSetup
{
    public static async Task PrepareDatabaseAsync(WebApplication app)
    {
        var database = app.Services.GetRequiredService<Database>();
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        if (options.Provider == DatabaseProvider.Sqlite || app.Configuration.GetValue("Database:MigrateAtStart", false))
            Migrator.Apply(database, options.CreateIfMissing);
        await BootstrapAdmin.EnsureAsync(
            database,
            app.Services.GetRequiredService<TimeProvider>(),
            app.Configuration[BootstrapAdmin.EnvironmentVariable],
            options.DataFolder,
            app.Services.GetRequiredService<IOptions<AccessOptions>>().Value.TokenLifetimeDays,
            app.Logger);
    }
}
