using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

public class OpenApiTests
{
    private static JsonObject _document = null!;

    [OneTimeSetUp]
    public static async Task LoadAsync()
    {
        await using var host = TrialHost.Start();
        var response = await host.Client().GetAsync("/swagger/v1/swagger.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        _document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    [Test]
    public void EveryOperation_HasASummaryAndDocumentedResponses()
    {
        var operations = Operations().ToList();
        Assert.That(operations, Has.Count.GreaterThan(15));
        Assert.That(operations.Where(o => string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>())).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
        Assert.That(operations.Where(o => o.Operation["responses"]!.AsObject().Count == 0).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
    }

    [Test]
    public void Document_DeclaresBearerSchemeForAuthorizeButton()
    {
        var scheme = _document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.That(scheme["type"]!.GetValue<string>(), Is.EqualTo("http"));
        Assert.That(scheme["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.That(_document["security"]!.AsArray(), Is.Not.Empty);
    }

    [Test]
    public void AnonymousOperations_RequireNoToken_OthersTheBearerToken()
    {
        var anonymous = Operations().Where(o => o.Operation["security"] is JsonArray { Count: 0 }).Select(o => $"{o.Method} {o.Path}").ToList();
        Assert.That(anonymous, Is.EquivalentTo(new[] { "post /api/v1/tokens", "get /health/live", "get /health/ready" }));
        Assert.That(_document["paths"]!["/api/v1/users"]!["post"]!["security"], Is.Null, "the document's bearer requirement applies");
    }

    [Test]
    public void ContractRoutes_ArePublished()
    {
        var paths = _document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/api/v1/sites", "/api/v1/users", "/api/v1/users/{id}/token", "/api/v1/users/{id}/activation", "/api/v1/tokens",
            "/api/v1/users/me/tokens", "/api/v1/users/me/tokens/{id}", "/api/v1/participants", "/api/v1/participants/{code}",
            "/api/v1/participants/{code}/visits", "/api/v1/participants/{code}/visits/{visitCode}",
            "/api/v1/participants/{code}/visits/{visitCode}/infusion", "/api/v1/participants/{code}/visits/{visitCode}/vitals",
            "/api/v1/participants/{code}/visits/{visitCode}/assessments", "/api/v1/participants/{code}/assessments",
            "/api/v1/visits/due", "/health/live", "/health/ready",
        }));
    }

    [Test]
    public void AssessmentRequest_HasAnExample()
    {
        var schema = _document["components"]!["schemas"]!["CreateAssessmentRequest"]!;
        Assert.That(schema["example"] ?? schema["examples"], Is.Not.Null);
    }
}
