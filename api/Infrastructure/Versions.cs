using Trial.Application;

namespace Trial.Api.Infrastructure;

/// <summary>
/// The HTTP side of <see cref="RecordVersions"/>: GET returns a record's version as the ETag, and an update names it in
/// If-Match, which the use case checks.
/// </summary>
public static class Versions
{
    public static string ETag(int version) => RecordVersions.ETag(version);

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
