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
}
