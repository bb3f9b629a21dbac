using System.Security.Cryptography;
using System.Text;
using Trial.Application.Randomisation;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Infrastructure;
using Trial.Hosting;

namespace Trial.Api.Randomisation;

/// <summary>
/// The secret behind the concealed allocation sequence (see <see cref="AllocationSequence"/>). Taken from configuration
/// (<c>Randomisation__Secret</c>); on the embedded default, when none is configured, one is made from a cryptographic
/// random number generator on first start and kept in a file only the owner can read under the data folder, like the
/// bootstrap admin token (but never printed: nobody blinded may see it). With SQL Server, several API processes must
/// allocate from one sequence, so the secret must be configured for all of them; the start fails without it.
/// Changing the secret after the first randomisation would change every later allocation: do not.
/// </summary>
public sealed class RandomisationSecret
{
    public const string FileName = "randomisation-secret.txt";
    public const int MinimumCharacters = RandomisationSecrets.MinimumBytes;

    private RandomisationSecret(byte[]? key) => Sequences = new ConcealedSequence(key);

    /// <summary>Whether there is a secret (a protocol that does not generate its sequence needs none).</summary>
    public bool IsSet => Sequences.IsSet;

    /// <summary>The sequences generated from this secret, as the use cases that allocate and audit take them.</summary>
    public ConcealedSequence Sequences { get; }

    /// <summary>The protocol's allocation sequence as generated from this secret.</summary>
    public AllocationSequence Sequence(ProtocolDefinition protocol) => Sequences.Of(protocol);

    public static RandomisationSecret Resolve(string? configured, ProtocolDefinition protocol, DatabaseOptions database, ILogger log)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var text = configured.Trim();
            if (text.Length < MinimumCharacters)
            {
                throw new InvalidOperationException(
                    $"Randomisation:Secret must be at least {MinimumCharacters} characters (e.g. the output of 'openssl rand -base64 32').");
            }

            return new RandomisationSecret(Encoding.UTF8.GetBytes(text));
        }
        if (protocol.Design.Randomisation?.Method != RandomisationMethods.PermutedBlocks) return new RandomisationSecret(null);
        if (database.Provider == DatabaseProvider.SqlServer)
        {
            throw new InvalidOperationException(
                "Protocol " + protocol.ProtocolId + " generates its allocation sequence from a secret, and with SQL Server every API process must use the same one: " +
                "set Randomisation__Secret (at least " + MinimumCharacters + " characters, e.g. from 'openssl rand -base64 32').");
        }

        var path = Path.GetFullPath(Path.Combine(database.DataFolder, FileName));
        var (secret, created) = SecretFile.ReadOrCreate(database.DataFolder, FileName,
            () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(RandomisationSecrets.MinimumBytes)));
        if (secret.Length < MinimumCharacters)
            throw new InvalidOperationException($"The randomisation secret in {path} is shorter than {MinimumCharacters} characters.");
        if (created)
        {
            log.LogWarning(
                "Generated the randomisation secret and saved it to {Path} (readable by the owner only). The allocation sequence is generated from it: " +
                "give a copy to the unblinded statistician, keep it with the study's backups, and never change it.", path);
        }
        return new RandomisationSecret(Encoding.UTF8.GetBytes(secret));
    }
}
