namespace Trial.Api.Infrastructure;

/// <summary>Bound from the <c>Limits</c> section.</summary>
public sealed class RequestLimits
{
    /// <summary>The largest request body accepted; the largest form (a 5D-ASC of 94 items) is about 1 KB.</summary>
    public int MaxRequestBodyKilobytes { get; set; } = 256;

    /// <summary>
    /// A client that sends its request body slower than this, once <see cref="MinRequestBodyGraceSeconds"/> have passed, is
    /// cut off, so slow senders cannot hold the server's connections. Kestrel's own defaults: 240 bytes/s after 5 s.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>More than 1 (Kestrel refuses to start otherwise).</summary>
    public double MinRequestBodyGraceSeconds { get; set; } = 5;
}
