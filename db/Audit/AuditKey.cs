using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Trial.Db.Audit;

/// <summary>
/// The key of the audit chain's HMAC-SHA256, held outside the database (configuration or a key file beside the data):
/// whoever can change the database but does not hold the key cannot recompute the chain after an edit.
/// </summary>
public sealed class AuditKey
{
    public const int MinimumBytes = 32;

    private readonly byte[] _key;
    private KeyedFrom? _lastMarker;

    public AuditKey(byte[] key)
    {
        if (key.Length < MinimumBytes) throw new ArgumentException($"An audit chain key has at least {MinimumBytes} bytes.", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>A key written as base64 (e.g. <c>openssl rand -base64 32</c>); null when it is not base64 or too short.</summary>
    public static AuditKey? FromBase64(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var length) || length < MinimumBytes) return null;
        return new AuditKey(buffer[..length]);
    }

    /// <summary>The HMAC-SHA256 of <paramref name="content"/>, as lowercase hex (the same shape as the plain hash).</summary>
    public string Hash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, content));

    /// <summary>
    /// What the chain's head stores beside the row the key applies from: the HMAC of that row's id. It tells a process
    /// holding another key that it must not append, and nobody without the key can move the switch to another row.
    /// </summary>
    public string MarkerFor(long keyedFromId)
    {
        // Read on every batch of appends; computed once per id.
        if (_lastMarker is { } last && last.Id == keyedFromId) return last.Marker;
        // Not an audit row's content (those are JSON arrays), so no row's hash can equal a marker.
        var marker = Hash(Encoding.UTF8.GetBytes("trial-audit-chain-keyed-from:" + keyedFromId.ToString(CultureInfo.InvariantCulture)));
        _lastMarker = new KeyedFrom(keyedFromId, marker);
        return marker;
    }

    // A reference, so that a thread reads either the old pair or the new one, never half of each.
    private sealed record KeyedFrom(long Id, string Marker);
}
