namespace Trial.Core.Randomisation;

public static class RandomisationSecrets
{
    /// <summary>256 bits: the key size of HMAC-SHA256.</summary>
    public const int MinimumBytes = 32;
}
