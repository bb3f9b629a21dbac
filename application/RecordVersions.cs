namespace Trial.Application;

/// <summary>
/// Optimistic concurrency for data entered by people: every record has a version, a read gives it (HTTP: the ETag), and a
/// change must name it (HTTP: If-Match), so nobody overwrites a change they have not seen.
/// </summary>
public static class RecordVersions
{
    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>
    /// Why a change naming <paramref name="ifMatch"/> may not change the <paramref name="what"/> at version <paramref name="current"/>:
    /// it named none (428) or another one (412); null when it names the current one.
    /// </summary>
    public static Refusal? Check(string? ifMatch, int current, string what)
    {
        if (string.IsNullOrEmpty(ifMatch))
            return new VersionRequired($"Send If-Match with the ETag of the version of the {what} you changed (currently {ETag(current)}); read it with GET first.");
        return ifMatch == ETag(current) ? null : Stale(current, what);
    }

    /// <summary>The <paramref name="what"/> was changed by someone else since it was read: it is now at <paramref name="current"/>.</summary>
    public static VersionStale Stale(int current, string what) =>
        new($"The {what} was changed since you read it (current ETag {ETag(current)}); read it again and re-apply your change. Nothing was stored.", what, current);
}
