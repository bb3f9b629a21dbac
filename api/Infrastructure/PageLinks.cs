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
        SetNext(http, page.NextCursor, "cursor");
        return Results.Ok(page.Items.Select(map).ToList());
    }

    /// <summary>Sets the Link header of the next page, read on with <paramref name="parameter"/> (the audit trail's is <c>after</c>).</summary>
    public static void SetNext(HttpContext http, string? cursor, string parameter)
    {
        if (cursor is not null) http.Response.Headers.Append(Header, $"<{NextUrl(http.Request, cursor, parameter)}>; rel=\"next\"");
    }

    /// <summary>The request's own path and query with <c>cursor</c> replaced (relative, so it holds behind any proxy).</summary>
    public static string NextUrl(HttpRequest request, string cursor, string parameter = "cursor")
    {
        var query = new QueryBuilder();
        foreach (var (key, values) in QueryHelpers.ParseQuery(request.QueryString.Value))
        {
            if (string.Equals(key, parameter, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values) query.Add(key, value ?? "");
        }
        query.Add(parameter, cursor);
        return $"{request.PathBase}{request.Path}{query.ToQueryString()}";
    }
}
