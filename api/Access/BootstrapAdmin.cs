using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Api.Access;

/// <summary>
/// A new installation has no users, so nobody could create any. At start, when the database
/// has no users, an admin is created with the token from TRIAL_BOOTSTRAP_ADMIN_TOKEN, or with a
/// random token that is printed once and saved to a file only the owner can read.
/// </summary>
public static class BootstrapAdmin
{
    public const string EnvironmentVariable = "TRIAL_BOOTSTRAP_ADMIN_TOKEN";
    public const string TokenFileName = "bootstrap-admin-token.txt";

    public static async Task EnsureAsync(Database database, TimeProvider clock, string? configuredToken, string dataFolder, int tokenLifetimeDays, ILogger log)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Made by the system at start-up, and audited like any other user and token.
        var created = await database.WriteAsync(Actor.System, now, async w =>
        {
            if (await AccessQueries.CountUsersAsync(w.Session) > 0)
            {
                w.Refuse();
                return null;
            }
            var token = string.IsNullOrWhiteSpace(configuredToken) ? ApiTokens.New() : configuredToken.Trim();
            var admin = new UserRow { Id = SequentialGuid.New(now), Name = "bootstrap admin", Role = Roles.Admin, CreatedUtc = now };
            await AccessQueries.InsertUserAsync(w.Session, admin, null, []);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.User, admin.Id.ToString(), new UserResponse(admin.Id, admin.Name, admin.Role, [], now), null, null));
            await AccessEndpoints.IssueAsync(w, admin.Id, token, now.AddDays(tokenLifetimeDays));
            return token;
        });
        if (created is null) return;
        if (!string.IsNullOrWhiteSpace(configuredToken))
        {
            log.LogInformation("Created the bootstrap admin with the token from {Variable}.", EnvironmentVariable);
            return;
        }
        Directory.CreateDirectory(dataFolder);
        var path = Path.Combine(dataFolder, TokenFileName);
        await File.WriteAllTextAsync(path, created + Environment.NewLine);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // Printed once, on purpose: this is the only way a newcomer learns the first token.
        Console.WriteLine($"Bootstrap admin token (shown once, also saved to {Path.GetFullPath(path)}): {created}");
    }
}
