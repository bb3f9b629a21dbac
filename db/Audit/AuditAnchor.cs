using System.Text.Json;

namespace Trial.Db.Audit;

/// <summary>
/// The end of the audit chain at one moment (its last row's id and hash), written outside the database by the anchor
/// job. Whoever later removes rows from the end, or rewrites rows and recomputes the chain (even with the key), cannot
/// change what was anchored: verification compares the stored chain with every anchor it can read.
/// </summary>
/// <param name="LastId">The last row of the chain.</param>
/// <param name="LastHash">That row's hash.</param>
/// <param name="AtUtc">When the anchor was taken.</param>
public sealed record AuditAnchor(long LastId, string LastHash, DateTime AtUtc)
{
    /// <summary>The anchor as one line of JSON: <c>{"lastId":…,"lastHash":"…","atUtc":"…Z"}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this with { AtUtc = DateTime.SpecifyKind(AtUtc, DateTimeKind.Utc) }, JsonSerializerOptions.Web);

    /// <summary>The anchor a line holds; null when the line is not one (an empty line, a line torn by a crash).</summary>
    public static AuditAnchor? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        try
        {
            var anchor = JsonSerializer.Deserialize<AuditAnchor>(line, JsonSerializerOptions.Web);
            return anchor is { LastId: > 0, LastHash.Length: > 0 } ? anchor with { AtUtc = anchor.AtUtc.ToUniversalTime() } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether both name the same end of the chain (whenever they were taken).</summary>
    public bool SameHeadAs(AuditAnchor other) => LastId == other.LastId && LastHash == other.LastHash;
}
