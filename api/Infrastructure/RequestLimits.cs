namespace Trial.Api.Infrastructure;

/// <summary>Bound from the <c>Limits</c> section.</summary>
public sealed class RequestLimits
{
    /// <summary>The largest request body accepted; the largest form (a 5D-ASC of 94 items) is about 1 KB.</summary>
    public int MaxRequestBodyKilobytes { get; set; } = 256;
}
