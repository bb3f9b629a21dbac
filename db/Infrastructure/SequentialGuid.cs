using System.Security.Cryptography;

namespace Trial.Db.Infrastructure;

/// <summary>
/// GUIDs whose time part sorts correctly on SQL Server (which orders uniqueidentifier by
/// its last six bytes first), so inserts append to the clustered index instead of splitting pages.
/// </summary>
public static class SequentialGuid
{
    public static Guid New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[..10]);
        var ticks = now.UtcTicks;
        // Bytes 10..15 are compared first by SQL Server, most significant first.
        for (var i = 15; i >= 10; i--)
        {
            bytes[i] = (byte)(ticks >> 8 * (15 - i) + 16);
        }
        return new Guid(bytes);
    }

    /// <summary>
    /// The instant <see cref="New"/> was given, to within 2^16 ticks (6.6 ms): the time a record with such an id was made,
    /// which the alert-latency metric measures from.
    /// </summary>
    public static DateTime TimeOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        long ticks = 0;
        for (var i = 10; i <= 15; i++) ticks = ticks << 8 | bytes[i];
        return new DateTime(Math.Clamp(ticks << 16, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
    }
}
