using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trial.Db.Audit;

/// <summary>
/// One JSON spelling per value, so equal content always hashes and compares equal: properties in ordinal order,
/// camelCase names, no whitespace, numbers without trailing zeros (61.50 and 61.5 are one weight), dates and
/// instants as ISO-8601.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static JsonObject Of(object value) =>
        Canonical(JsonSerializer.SerializeToNode(value, value.GetType(), Options)) as JsonObject
        ?? throw new ArgumentException("An audited value must serialise to a JSON object.", nameof(value));

    public static string Write(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>
    /// The canonical JSON of <paramref name="value"/>, the same text as <c>Write(Of(value))</c>, written straight from the
    /// serialised document: every new assessment has its audit row, and building a node tree for it cost most of the audit
    /// row's CPU (docs/decisions/0008-audit-rows-cheaper.md).
    /// </summary>
    public static string Serialize(object value)
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options));
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("An audited value must serialise to a JSON object.", nameof(value));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
            WriteCanonical(json, document.RootElement);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    json.WritePropertyName(property.Name);
                    WriteCanonical(json, property.Value);
                }
                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteCanonical(json, item);
                json.WriteEndArray();
                break;
            case JsonValueKind.Number:
                json.WriteNumberValue(Normalize(element.TryGetDecimal(out var d) ? d : decimal.Parse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)));
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    /// <summary>The changed fields before and after, each with the key fields; nulls when nothing changed.</summary>
    public static (string? Old, string? New) Diff(JsonObject before, JsonObject after, IReadOnlyCollection<string> keys)
    {
        var oldSide = new JsonObject();
        var newSide = new JsonObject();
        var changed = false;
        foreach (var name in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            before.TryGetPropertyValue(name, out var b);
            after.TryGetPropertyValue(name, out var a);
            var differs = !JsonNode.DeepEquals(b, a);
            changed |= differs;
            if (!differs && !keys.Contains(name)) continue;
            oldSide[name] = b?.DeepClone();
            newSide[name] = a?.DeepClone();
        }
        return changed ? (Write(oldSide), Write(newSide)) : (null, null);
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(Normalize(
            v.TryGetValue<decimal>(out var d) ? d : decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture))),
        null => null,
        _ => node.DeepClone(),
    };

    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}
