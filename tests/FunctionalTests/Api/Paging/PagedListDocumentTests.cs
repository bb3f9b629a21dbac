using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Paging;

/// <summary>Every paged list says in the OpenAPI document how to read it: limit, cursor, and the Link header of the next page.</summary>
public class PagedListDocumentTests
{
    private static JsonObject _document = null!;

    /// <summary>The lists that answer a page at a time, by path (all GET).</summary>
    public static readonly string[] PagedLists =
    [
        "/api/v1/safety-alerts", "/api/v1/participants", "/api/v1/adverse-events", "/api/v1/participants/{code}/assessments", "/api/v1/visits/due",
        "/api/v1/randomisation/allocations", "/api/v1/participants/{code}/history", "/api/v1/users", "/api/v1/screenings",
        "/api/v1/participants/{code}/concomitant-medications",
    ];

    [OneTimeSetUp]
    public static async Task LoadAsync()
    {
        await using var host = TrialHost.Start();
        var response = await host.Client().GetAsync("/swagger/v1/swagger.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [TestCaseSource(nameof(PagedLists))]
    public void Document_PagedList_DeclaresLimitCursorAndLink(string path)
    {
        var operation = _document["paths"]![path]!["get"]!;
        var parameters = operation["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
        Assert.That(parameters["limit"]!["in"]!.GetValue<string>(), Is.EqualTo("query"));
        Assert.That(parameters["limit"]!["description"]!.GetValue<string>(), Does.Contain("1 to 1000"));
        Assert.That(parameters["cursor"]!["in"]!.GetValue<string>(), Is.EqualTo("query"));
        Assert.That(parameters["cursor"]!["description"]!.GetValue<string>(), Does.Contain("Link header"));
        Assert.That(operation["responses"]!["200"]!["headers"]!["Link"]!["description"]!.GetValue<string>(), Does.Contain("rel=\\\"next\\\"").Or.Contain("rel=\"next\""));
        Assert.That(operation["responses"]!.AsObject().Select(r => r.Key), Does.Contain("422"));
    }

    [Test]
    public void Document_ListThatIsNotPaged_DeclaresNoLink()
    {
        var operation = _document["paths"]!["/api/v1/audit/verify"]!["get"]!;
        var headers = operation["responses"]!["200"]!["headers"]?.AsObject().Select(h => h.Key) ?? [];
        Assert.That(headers, Does.Not.Contain("Link"));
    }
}
