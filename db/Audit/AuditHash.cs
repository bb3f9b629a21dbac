using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Trial.Db.Audit;

/// <summary>
/// The hash of an audit row: of its content, as a canonical JSON array, and of the hash of the row before it. With the
/// chain's key, an HMAC-SHA256 (<see cref="AuditKey"/>); without, the plain SHA-256 that rows written before the key
/// carry.
/// </summary>
public static class AuditHash
{
    /// <summary>The plain SHA-256 of the row: how rows were chained before the chain had a key.</summary>
    public static string Of(AuditEventRow r) => Convert.ToHexStringLower(SHA256.HashData(Content(r).WrittenSpan));

    /// <summary>The row's hash under <paramref name="key"/>, or the plain one when there is none.</summary>
    public static string Of(AuditEventRow r, AuditKey? key) => key is null ? Of(r) : key.Hash(Content(r).WrittenSpan);

    private static ArrayBufferWriter<byte> Content(AuditEventRow r)
    {
        // A JSON array of the fields in a fixed order: each value's boundaries are unambiguous, whatever text it holds.
        var buffer = new ArrayBufferWriter<byte>(512 + (r.OldValue?.Length ?? 0) + (r.NewValue?.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(r.Id);
            json.WriteStringValue(DateTime.SpecifyKind(r.AtUtc, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
            json.WriteStringValue(r.UserId.ToString("D"));
            foreach (var text in new[] { r.UserName, r.Role, r.TokenId?.ToString("D"), r.SiteCode, r.EntityType, r.EntityId, r.ParticipantCode, r.Action,
                         r.OldValue, r.NewValue, r.Reason, r.Flag, r.RequestId, r.PreviousHash })
            {
                if (text is null) json.WriteNullValue();
                else json.WriteStringValue(text);
            }
            json.WriteEndArray();
        }
        return buffer;
    }
}
