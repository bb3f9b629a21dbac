using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Trial.Application.Paging;

namespace Trial.Api.Infrastructure;

/// <summary>
/// How every list answers with a page: the body stays the JSON array it always was (so no client breaks), and the next page is
/// given in an RFC 8288 <c>Link: &lt;…&gt;; rel="next"</c> header, the same request with the next cursor, absent on the last page.
/// </summary>
public static class PageLinks
{
    public const string Header = "Link";

    /// <summary>The page's rows as the body, its next page in the Link header.</summary>
    public static IResult Ok<TRow, TResponse>(HttpContext http, Page<TRow> page, Func<TRow, TResponse> map)
    {
        if (page.NextCursor is not null) http.Response.Headers.Append(Header, $"<{NextUrl(http.Request, page.NextCursor)}>; rel=\"next\"");
        return Results.Ok(page.Items.Select(map).ToList());
    }

    /// <summary>The request's own path and query with <c>cursor</c> replaced (relative, so it holds behind any proxy).</summary>
    public static string NextUrl(HttpRequest request, string cursor)
    {
        var query = new QueryBuilder();
        foreach (var (key, values) in QueryHelpers.ParseQuery(request.QueryString.Value))
        {
            if (string.Equals(key, "cursor", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values) query.Add(key, value ?? "");
        }
        query.Add("cursor", cursor);
        return $"{request.PathBase}{request.Path}{query.ToQueryString()}";
    }
}
