using Trial.Application.Access;
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
        var admin = await app.Services.GetRequiredService<BootstrapAdmin>().EnsureAsync(app.Configuration[BootstrapAdmin.EnvironmentVariable], options.DataFolder);
        if (admin is { TokenFile: null })
        {
            app.Logger.LogInformation("Created the bootstrap admin with the token from {Variable}.", BootstrapAdmin.EnvironmentVariable);
        }
        else if (admin is { TokenFile: { } file })
        {
            // Printed once, on purpose: this is the only way a newcomer learns the first token.
            Console.WriteLine($"Bootstrap admin token (shown once, also saved to {Path.GetFullPath(file)}): {admin.Token}");
        }
    }
}
