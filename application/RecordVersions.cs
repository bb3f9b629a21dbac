namespace Trial.Application;

/// <summary>
/// Optimistic concurrency for data entered by people: every record has a version, a read gives it as an ETag, and a change
/// must name the version it changes, so nobody overwrites a change they have not seen.
/// </summary>
public static class RecordVersions
{
    /// <summary>The version as an ETag: what a reader is given and a change must send back (HTTP: If-Match).</summary>
    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>
    /// Refused when <paramref name="ifMatch"/> (the ETag the caller read, empty when it sent none) is missing or names another
    /// version than <paramref name="current"/>; null when it matches.
    /// </summary>
    public static Refusal? Check(string? ifMatch, int current, string what)
    {
        if (string.IsNullOrEmpty(ifMatch))
            return new VersionRequired($"Send If-Match with the ETag of the version of the {what} you changed (currently {ETag(current)}); read it with GET first.");
        return ifMatch == ETag(current) ? null : Stale(current, what);
    }

    /// <summary>The record changed since the caller read it (<paramref name="current"/>: its version now).</summary>
    public static VersionStale Stale(int current, string what) =>
        new($"The {what} was changed since you read it (current ETag {ETag(current)}); read it again and re-apply your change. Nothing was stored.", what, current);
}
