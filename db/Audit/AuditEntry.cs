using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trial.Db.Audit;

/// <summary>What an audit row says happened; who, when and from which request come from the write scope.</summary>
/// <param name="EntityType">The kind of record (see <see cref="AuditEntities"/>).</param>
/// <param name="EntityId">The record's id (or its natural key, e.g. a participant code and visit).</param>
/// <param name="Action">One of <see cref="AuditActions"/>.</param>
/// <param name="SiteCode">The site the record belongs to, when it belongs to one.</param>
/// <param name="ParticipantCode">The participant the record belongs to, when it belongs to one.</param>
/// <param name="OldValue">Canonical JSON of the changed fields before the change (plus the key), null for a creation.</param>
/// <param name="NewValue">Canonical JSON of the changed fields after the change (plus the key).</param>
/// <param name="Reason">Why: required for every change after first entry.</param>
/// <param name="Flag">A marker a monitor filters on, e.g. data entered after the participant's withdrawal.</param>
public sealed record AuditEntry(
    string EntityType, string EntityId, string Action, string? SiteCode = null, string? ParticipantCode = null,
    string? OldValue = null, string? NewValue = null, string? Reason = null, string? Flag = null)
{
    /// <summary>A new record: its whole content as the new value.</summary>
    public static AuditEntry Created(string entityType, string entityId, object value, string? siteCode, string? participantCode, string? reason = null, string? flag = null) =>
        new(entityType, entityId, AuditActions.Create, siteCode, participantCode, null, CanonicalJson.Serialize(value), reason, flag);

    /// <summary>
    /// A change from <paramref name="before"/> to <paramref name="after"/>: only the fields that changed, plus the
    /// fields named in <paramref name="keys"/> (the record's key), on each side.
    /// </summary>
    public static AuditEntry Changed(string entityType, string entityId, string action, object before, object after, string? siteCode,
        string? participantCode, string? reason, string[]? keys = null, string? flag = null)
    {
        var (oldValue, newValue) = CanonicalJson.Diff(CanonicalJson.Of(before), CanonicalJson.Of(after), keys ?? ["id"]);
        return new(entityType, entityId, action, siteCode, participantCode, oldValue, newValue, reason, flag);
    }
}

public static class AuditActions
{
    public const string Create = "create", Update = "update", StateChange = "state-change", DeleteBySupersede = "delete-by-supersede",
        TokenIssued = "token-issued", TokenRevoked = "token-revoked", AccessDenied = "access-denied", Export = "export";

    public static readonly IReadOnlyList<string> All = [Create, Update, StateChange, DeleteBySupersede, TokenIssued, TokenRevoked, AccessDenied, Export];
}

public static class AuditEntities
{
    public const string Site = "site", User = "user", Token = "token", Participant = "participant", Visit = "visit", Infusion = "infusion",
        Vitals = "vitals", Assessment = "assessment", AdverseEvent = "adverse-event", SafetyAlert = "safety-alert", Access = "access",
        Extract = "extract", Screening = "screening";

    /// <summary>
    /// Records of a blinded study's allocation. Their audit rows are read by admins and monitors, who are blinded, so they
    /// never carry the arm or anything that tells it (dose, drug, a guess); the records themselves are append-only.
    /// </summary>
    public const string Allocation = "allocation", AllocationList = "allocation-list", Preparation = "preparation", Unblinding = "unblinding",
        BlindingGuess = "blinding-guess";

    public static readonly IReadOnlyList<string> All =
        [Site, User, Token, Participant, Visit, Infusion, Vitals, Assessment, AdverseEvent, SafetyAlert, Access, Extract, Screening,
         Allocation, AllocationList, Preparation, Unblinding, BlindingGuess];
}

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
