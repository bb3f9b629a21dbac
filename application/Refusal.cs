namespace Trial.Application;

/// <summary>
/// Why a use case refused what it was asked, in words a clinician can act on. Nothing was stored. The API answers each
/// kind with its status code (404, 403, 409, 422, 428, 412) as problem+json; an import reports it for its row.
/// </summary>
public abstract record Refusal(string Detail);

/// <summary>What was asked for does not exist (or not in this protocol).</summary>
public sealed record NotFound(string Detail) : Refusal(Detail);

/// <summary>The actor may not act on it: another site's record, or a role that may not see it.</summary>
public sealed record Forbidden(string Detail) : Refusal(Detail);

/// <summary>
/// It cannot happen in the state the data is in (a missing step, a duplicate, a withdrawn participant);
/// <paramref name="Extensions"/> name what is missing or in the way, for a client to act on.
/// </summary>
public sealed record Conflict(string Detail, IReadOnlyDictionary<string, object?>? Extensions = null) : Refusal(Detail);

/// <summary>Fields that are wrong, each with what is wrong with it.</summary>
public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors, string Detail) : Refusal(Detail)
{
    public static Invalid Field(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] }, message);
}

/// <summary>A change to a record that did not say which version it changes (HTTP: If-Match missing).</summary>
public sealed record VersionRequired(string Detail) : Refusal(Detail);

/// <summary>A change to a record (<paramref name="What"/>, e.g. "assessment") that has changed since the caller read it.</summary>
public sealed record VersionStale(string Detail, string What, int CurrentVersion) : Refusal(Detail);
