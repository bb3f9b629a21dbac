using Trial.Application.Access;
using Trial.Db.Infrastructure;
using Trial.Hosting;

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
        // Before the first write: the audit chain's key checked against the database, and its switch recorded if it has none.
        await TrialServices.PrepareAuditChainAsync(app.Services);
        var admin = await app.Services.GetRequiredService<BootstrapAdmin>().EnsureAsync(app.Configuration[BootstrapAdmin.EnvironmentVariable], options.DataFolder);
        if (admin is { TokenFile: null })
        {
            app.Logger.LogInformation("Created the bootstrap admin with the token from {Variable}.", BootstrapAdmin.EnvironmentVariable);
        }
        else if (admin is { TokenFile: { } file })
        {
            // Where the token is, never the token itself: the console goes to container logs and log collectors.
            app.Logger.LogWarning("Created the bootstrap admin. Its token is in {File} (readable only by this account).", Path.GetFullPath(file));
        }
    }
}
