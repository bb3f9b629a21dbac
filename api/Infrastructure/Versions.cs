using Trial.Application;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Optimistic concurrency for data entered by people: every record has a version, GET returns it as the ETag, and an
/// update must name it in If-Match, so nobody overwrites a change they have not seen.
/// </summary>
public static class Versions
{
    public static string ETag(int version) => RecordVersions.ETag(version);

    /// <summary>428 when If-Match is missing, 412 when it names another version than <paramref name="current"/>; null when it matches.</summary>
    public static IResult? CheckIfMatch(HttpContext http, int current, string what) =>
        RecordVersions.Check(http.Request.Headers.IfMatch.ToString(), current, what)?.ToResult();

    public static IResult Stale(int current, string what) => RecordVersions.Stale(current, what).ToResult();

    /// <summary>What the request's If-Match names, for a use case to check: null when the header is absent.</summary>
    public static string? IfMatch(HttpContext http) => http.Request.Headers.IfMatch.Count > 0 ? http.Request.Headers.IfMatch.ToString() : null;

    /// <summary>The result with an ETag header (kept when the response is stored for an idempotent retry).</summary>
    public static IResult WithETag(this IResult result, int version) => new ETagged(result, ETag(version));

    private sealed class ETagged(IResult inner, string etag) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.ETag = etag;
            return inner.ExecuteAsync(http);
        }
    }
}
