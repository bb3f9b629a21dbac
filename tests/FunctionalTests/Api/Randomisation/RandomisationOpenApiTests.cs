using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>The randomisation and blinding routes in the OpenAPI document, and the infusion example of the served design.</summary>
public class RandomisationOpenApiTests
{
    private static async Task<JsonObject> DocumentAsync(string protocol)
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(protocol));
        return JsonNode.Parse(await (await host.Client().GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync())!.AsObject();
    }

    [Test]
    public async Task ContractRoutes_ArePublishedWithSummariesAndResponses()
    {
        var paths = (await DocumentAsync(TestProtocols.Blinded))["paths"]!.AsObject();
        var expected = new (string Path, string Method)[]
        {
            ("/api/v1/participants/{code}/randomisation", "post"), ("/api/v1/participants/{code}/randomisation", "get"),
            ("/api/v1/participants/{code}/allocation", "get"), ("/api/v1/participants/{code}/visits/{visitCode}/preparation", "post"),
            ("/api/v1/participants/{code}/visits/{visitCode}/preparation", "get"), ("/api/v1/participants/{code}/unblinding", "post"),
            ("/api/v1/participants/{code}/visits/{visitCode}/blinding-guess", "post"), ("/api/v1/reports/dmc", "get"), ("/api/v1/reports/dmc/open", "get"),
            ("/api/v1/reports/blinding-index", "get"), ("/api/v1/randomisation/list", "get"), ("/api/v1/randomisation/list", "post"),
            ("/api/v1/randomisation/allocations", "get"), ("/api/v1/reports/consort", "get"), ("/api/v1/exports", "get"),
        };
        foreach (var (path, method) in expected)
        {
            var operation = paths[path]?[method];
            Assert.That(operation, Is.Not.Null, $"{method} {path}");
            Assert.That(operation!["summary"]!.GetValue<string>(), Is.Not.Empty, $"{method} {path}");
            Assert.That(operation["responses"]!.AsObject().Select(r => r.Key), Does.Contain("403"), $"{method} {path}");
        }
    }

    [TestCase("/api/v1/reports/dmc", "DmcClosedReportResponse")]
    [TestCase("/api/v1/reports/dmc/open", "DmcOpenReportResponse")]
    public async Task DmcReports_DeclareJsonAndPrintableHtml(string path, string schema)
    {
        var content = (await DocumentAsync(TestProtocols.Blinded))["paths"]![path]!["get"]!["responses"]!["200"]!["content"]!.AsObject();

        Assert.That(content.Select(c => c.Key), Is.EquivalentTo(new[] { "application/json", "text/html" }));
        Assert.That(content["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("/" + schema));
        Assert.That(content["text/html"]!["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
    }

    [Test]
    public async Task ConsortReport_DeclaresTheByArmShape_AndSaysWhoGetsItPooled()
    {
        var operation = (await DocumentAsync(TestProtocols.Blinded))["paths"]!["/api/v1/reports/consort"]!["get"]!;

        Assert.That(operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("/ConsortByArmResponse"));
        Assert.That(operation["summary"]!.GetValue<string>(), Does.Contain("without protocolId and arms"));
    }

    [TestCase(TestProtocols.Blinded, "preparationId", "doseMgPerKg")]
    [TestCase(TestProtocols.OpenLabel, "doseMgPerKg", "preparationId")]
    public async Task InfusionExample_FollowsTheServedDesign(string protocol, string present, string absent)
    {
        var schema = (await DocumentAsync(protocol))["components"]!["schemas"]!["RecordInfusionRequest"]!;
        var example = (schema["examples"]?[0] ?? schema["example"])!.AsObject();

        Assert.That(example.Select(p => p.Key), Does.Contain(present).And.Not.Contain(absent));
    }
}
