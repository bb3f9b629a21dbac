namespace Trial.Api.Access;

/// <summary>Bound from the <c>RateLimit</c> section.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests one token may make per window; 0 turns the limit off.</summary>
    public int PermitsPerWindow { get; set; } = 1200;

    public int WindowSeconds { get; set; } = 60;

    /// <summary>Requests without a valid token one client address may make per window (see <see cref="AddressRateLimit"/>); 0 turns the limit off.</summary>
    public int UnauthenticatedPermitsPerWindow { get; set; } = 300;
}
