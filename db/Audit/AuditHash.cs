using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Trial.Db.Audit;

/// <summary>The SHA-256 of an audit row: its content, as a canonical JSON array, and the hash of the row before it.</summary>
public static class AuditHash
{
    public static string Of(AuditEventRow r)
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
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}
