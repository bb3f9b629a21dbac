namespace Trial.Api.Infrastructure;

/// <summary>
/// Optimistic concurrency for data entered by people: every record has a version, GET returns it as the ETag, and an
/// update must name it in If-Match, so nobody overwrites a change they have not seen.
/// </summary>
public static class Versions
{
    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>428 when If-Match is missing, 412 when it names another version than <paramref name="current"/>; null when it matches.</summary>
    public static IResult? CheckIfMatch(HttpContext http, int current, string what)
    {
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length == 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required.",
                type: "https://www.rfc-editor.org/rfc/rfc6585#section-3",
                detail: $"Send If-Match with the ETag of the version of the {what} you changed (currently {ETag(current)}); read it with GET first.");
        }

        return ifMatch == ETag(current) ? null : Stale(current, what);
    }

    public static IResult Stale(int current, string what) =>
        Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: $"The {what} has changed.",
            detail: $"The {what} was changed since you read it (current ETag {ETag(current)}); read it again and re-apply your change. Nothing was stored.");

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
