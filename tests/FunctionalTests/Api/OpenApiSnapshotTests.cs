using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// clients/openapi.json is the document a host of the default protocol serves, byte for byte: clients are generated from
/// it, and a change of the contract shows in review as a change of that file. TRIAL_UPDATE_OPENAPI_SNAPSHOT=1 rewrites it.
/// </summary>
public class OpenApiSnapshotTests
{
    public const string UpdateVariable = "TRIAL_UPDATE_OPENAPI_SNAPSHOT";

    private static string SnapshotFile => Path.Combine(ServedOpenApi.RepositoryRoot(), "clients", "openapi.json");

    [Test]
    public async Task ServedDocument_OfTheDefaultProtocol_IsTheCommittedSnapshot()
    {
        // The default protocol whatever the suite's, so the file is the same in the open-label pass.
        var served = await ServedOpenApi.TextAsync(TestProtocols.Blinded);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(SnapshotFile)!);
            await File.WriteAllTextAsync(SnapshotFile, served);
        }
        Assert.That(File.Exists(SnapshotFile), Is.True, $"{SnapshotFile} is missing; run the test with {UpdateVariable}=1 to write it.");
        var committed = await File.ReadAllTextAsync(SnapshotFile);
        if (committed == served) return;

        var differences = Differences(JsonNode.Parse(committed), JsonNode.Parse(served), "$").Take(10).ToList();
        Assert.Fail($"The served OpenAPI document differs from clients/openapi.json{(differences.Count == 0 ? " in layout or key order only" : " at:\n  " + string.Join("\n  ", differences))}\n" +
                    $"If the change of the contract is intended, rewrite the file with {UpdateVariable}=1 " +
                    "(dotnet test tests/FunctionalTests --filter FullyQualifiedName~OpenApiSnapshot) and commit it with the change.");
    }

    [Test]
    public async Task ServedDocument_HoldsNothingOfTheRunningHost()
    {
        var served = await ServedOpenApi.TextAsync(TestProtocols.Blinded);

        // Two hosts (other ports, folders, secrets and start times) serve the same document.
        Assert.That(await ServedOpenApi.TextAsync(TestProtocols.Blinded), Is.EqualTo(served));
        Assert.That(served, Does.Not.Contain("127.0.0.1").And.Not.Contain("localhost").And.Not.Contain(Path.GetTempPath().TrimEnd('/')));
    }

    [Test]
    public void Differences_NameThePathsThatChanged()
    {
        var committed = JsonNode.Parse("""{ "paths": { "/a": { "get": { "summary": "x" } } }, "tags": [1, 2] }""");
        var served = JsonNode.Parse("""{ "paths": { "/a": { "get": { "summary": "y" } }, "/b": {} }, "tags": [1] }""");

        Assert.That(Differences(committed, served, "$"), Is.EqualTo(new[]
        {
            "$.paths./a.get.summary: \"x\" became \"y\"", "$.paths./b: added", "$.tags[1]: removed",
        }));
    }

    /// <summary>The JSON paths where two documents differ, depth first in the committed document's order.</summary>
    public static IEnumerable<string> Differences(JsonNode? committed, JsonNode? served, string path)
    {
        switch (committed, served)
        {
            case (JsonObject a, JsonObject b):
                foreach (var (key, value) in a)
                {
                    if (!b.ContainsKey(key)) yield return $"{path}.{key}: removed";
                    else foreach (var d in Differences(value, b[key], $"{path}.{key}")) yield return d;
                }
                foreach (var key in b.Select(p => p.Key).Where(k => !a.ContainsKey(k))) yield return $"{path}.{key}: added";
                break;
            case (JsonArray a, JsonArray b):
                for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
                {
                    if (i >= a.Count) yield return $"{path}[{i}]: added";
                    else if (i >= b.Count) yield return $"{path}[{i}]: removed";
                    else foreach (var d in Differences(a[i], b[i], $"{path}[{i}]")) yield return d;
                }
                break;
            default:
                if (!JsonNode.DeepEquals(committed, served)) yield return $"{path}: {committed?.ToJsonString() ?? "null"} became {served?.ToJsonString() ?? "null"}";
                break;
        }
    }
}
