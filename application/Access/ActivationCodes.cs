using System.Security.Cryptography;
using System.Text;

namespace Trial.Application.Access;

/// <summary>
/// One-time activation codes: 28 characters of Crockford's base32 (140 random bits) in groups of four, e.g.
/// <c>7KQ2-MX9D-0T4H-B8RW-3NCZ-5GJA-YP61</c>: read aloud or typed from a letter without confusing 0 and O or 1 and I. The
/// alphabet has no I, L, O or U, so a code typed in lower case, without its hyphens or with O for 0 and I or L for 1
/// still matches. Like tokens, a code is random enough that one SHA-256 of it is safe to store.
/// </summary>
public static class ActivationCodes
{
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const int Length = 28;
    private const int GroupLength = 4;

    public static string New()
    {
        var symbols = RandomNumberGenerator.GetString(Alphabet, Length);
        return string.Join('-', Enumerable.Range(0, Length / GroupLength).Select(g => symbols.Substring(g * GroupLength, GroupLength)));
    }

    /// <summary>The code as it is hashed: capitals, no separators, the letters people mistake for digits read as those digits.</summary>
    public static string Normalise(string code)
    {
        var normal = new StringBuilder(code.Length);
        foreach (var c in code.ToUpperInvariant())
        {
            if (c == '-' || char.IsWhiteSpace(c)) continue;
            normal.Append(c switch { 'O' => '0', 'I' or 'L' => '1', _ => c });
        }
        return normal.ToString();
    }

    public static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(code))));
}
