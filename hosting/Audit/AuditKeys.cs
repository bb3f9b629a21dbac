using System.Security.Cryptography;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Hosting.Audit;

/// <summary>
/// The audit chain's key (see <see cref="AuditKey"/>): from configuration (<c>Audit__ChainKey</c>), or on the embedded
/// default, when none is configured, made from a cryptographic random number generator on first start and kept in a file
/// only the owner can read under the data folder, as the randomisation secret is. The API and the worker read the same
/// one. With SQL Server it must be configured (<see cref="AuditOptions.From"/> refuses the start without it).
/// </summary>
public static class AuditKeys
{
    public const string FileName = "audit-chain-key.txt";

    public static AuditKey Resolve(AuditOptions options, DatabaseOptions database, ILogger log)
    {
        if (!string.IsNullOrWhiteSpace(options.ChainKey))
            return AuditKey.FromBase64(options.ChainKey) ?? throw new InvalidOperationException("Audit:ChainKey is not base64 of at least 32 bytes.");
        if (database.Provider == DatabaseProvider.SqlServer)
            throw new InvalidOperationException("With SQL Server the audit trail's chain key must be configured: set Audit__ChainKey.");

        var (text, created) = SecretFile.ReadOrCreate(database.DataFolder, FileName,
            () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(AuditKey.MinimumBytes)));
        var path = Path.GetFullPath(Path.Combine(database.DataFolder, FileName));
        var key = AuditKey.FromBase64(text)
                  ?? throw new InvalidOperationException($"The audit chain key in {path} is not base64 of at least {AuditKey.MinimumBytes} bytes.");
        if (created)
        {
            log.LogWarning(
                "Generated the audit trail's chain key and saved it to {Path} (readable by the owner only). Back it up with the data, " +
                "but store it apart from the database's backups: whoever holds both can rewrite the trail undetected, and without it the trail cannot be verified.",
                path);
        }
        return key;
    }
}
