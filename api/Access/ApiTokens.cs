using System.Security.Cryptography;
using System.Text;

namespace Trial.Api.Access;

/// <summary>
/// Tokens are 256 random bits, so a single SHA-256 is enough to store them safely: there is
/// nothing to brute-force that a slow password hash would protect.
/// </summary>
public static class ApiTokens
{
    public const string Prefix = "trial_";

    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

public sealed class AccessOptions
{
    /// <summary>How long a newly issued token is valid.</summary>
    public int TokenLifetimeDays { get; set; } = 365;

    /// <summary>How long a resolved token is trusted without asking the database again (0 turns the cache off).
    /// A token revoked through another API process stops working here within this many seconds.</summary>
    public int TokenCacheSeconds { get; set; } = 5;

    /// <summary>Refused requests recorded in the audit trail per caller (token, or address when unauthenticated) per minute.</summary>
    public int DeniedAuditsPerCallerPerMinute { get; set; } = 10;

    /// <summary>Refused requests recorded in the audit trail per minute in all.</summary>
    public int DeniedAuditsPerMinute { get; set; } = 120;
}
