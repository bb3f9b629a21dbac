using System.Security.Cryptography;
using System.Text;

namespace Trial.Application.Access;

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
