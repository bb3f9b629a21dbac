using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Trial.Tests.Api.Paging;

/// <summary>Reads a paged list as a client does: the first page, then each page its Link header names, until there is none.</summary>
public static partial class PageReader
{
    [GeneratedRegex("^<(?<url>[^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();

    /// <summary>The next page's URL from the response's Link header, or null on the last page.</summary>
    public static string? Next(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        var link = links.Single();
        var match = NextLink().Match(link);
        Assert.That(match.Success, Is.True, $"a Link header of one next page: {link}");
        return match.Groups["url"].Value;
    }

    /// <summary>Every page of the list from <paramref name="url"/>, each checked to hold at most <paramref name="limit"/> rows.</summary>
    public static async Task<List<JsonArray>> PagesAsync(HttpClient client, string url, int limit)
    {
        var pages = new List<JsonArray>();
        for (string? next = url; next is not null;)
        {
            Assert.That(pages, Has.Count.LessThan(10_000), "the pages end");
            var response = await client.GetAsync(next);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            var page = await response.JsonArrayAsync();
            next = Next(response);
            Assert.That(page, Has.Count.LessThanOrEqualTo(limit));
            if (next is not null) Assert.That(page, Has.Count.EqualTo(limit), "a page before the last is full");
            pages.Add(page);
        }
        return pages;
    }

    /// <summary>Every row of the list from <paramref name="url"/>, read a page at a time.</summary>
    public static async Task<List<JsonNode>> AllAsync(HttpClient client, string url, int limit = 100) =>
        (await PagesAsync(client, url, limit)).SelectMany(p => p.Select(r => r!)).ToList();
}
