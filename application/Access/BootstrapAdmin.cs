using Trial.Core.Access;
using Trial.Db.Access;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Application.Access;

/// <summary>The bootstrap admin as created: their token, and the file it was saved to (none when it was configured).</summary>
public sealed record CreatedBootstrapAdmin(string Token, string? TokenFile);

/// <summary>
/// A new installation has no users, so nobody could create any. At start, when the database
/// has no users, an admin is created with the token from TRIAL_BOOTSTRAP_ADMIN_TOKEN, or with a
/// random token saved to a file only the owner can read (never printed: console output ends up in
/// container logs). A configured token must be as hard to guess as a generated one.
/// </summary>
public sealed class BootstrapAdmin(Database database, TimeProvider clock, AccessOptions options)
{
    public const string EnvironmentVariable = "TRIAL_BOOTSTRAP_ADMIN_TOKEN";
    public const string TokenFileName = "bootstrap-admin-token.txt";

    /// <summary>
    /// Creates the admin when the database has no users, with <paramref name="configuredToken"/> or a random token saved to
    /// <see cref="TokenFileName"/> under <paramref name="dataFolder"/>; null when there were users (nothing is done).
    /// </summary>
    public async Task<CreatedBootstrapAdmin?> EnsureAsync(string? configuredToken, string dataFolder)
    {
        if (!string.IsNullOrWhiteSpace(configuredToken) && WeaknessOf(configuredToken.Trim()) is { } weakness)
            throw new InvalidOperationException($"{EnvironmentVariable} is too weak: {weakness} Generate one, e.g. with: openssl rand -base64 32");
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
            await w.AuditAsync(AuditEntry.Created(AuditEntities.User, admin.Id.ToString(), new AuditedUser(admin.Id, admin.Name, admin.Role, [], now), null, null));
            await IssueToken.StoreAsync(w, admin.Id, token, now.AddDays(options.TokenLifetimeDays));
            return token;
        });
        if (created is null) return null;
        if (!string.IsNullOrWhiteSpace(configuredToken)) return new CreatedBootstrapAdmin(created, null);
        Directory.CreateDirectory(dataFolder);
        var path = Path.Combine(dataFolder, TokenFileName);
        await File.WriteAllTextAsync(path, created + Environment.NewLine);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new CreatedBootstrapAdmin(created, path);
    }

    public const int MinimumTokenLength = 32;

    /// <summary>
    /// Why a configured token is too weak, or null: at least <see cref="MinimumTokenLength"/> characters, and not a short
    /// pattern repeated (at least 12 different characters; 32 random base64 characters have about 25).
    /// </summary>
    public static string? WeaknessOf(string token) =>
        token.Length < MinimumTokenLength ? $"it has {token.Length} characters; at least {MinimumTokenLength} random characters are needed."
        : token.Distinct().Count() < 12 ? "it repeats too few different characters; use random characters."
        : null;
}
