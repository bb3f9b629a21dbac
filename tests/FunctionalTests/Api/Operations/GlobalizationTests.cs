using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Operations;

/// <summary>
/// The API and the worker as built run with the ICU culture data: SQL Server's client refuses to open a connection in
/// globalization-invariant mode (Trial.Tests.Db.SqlServerClientTests), so with it on neither could reach SQL Server.
/// </summary>
public class GlobalizationTests
{
    [TestCase("api", "Trial.Api")]
    [TestCase("worker", "Trial.Worker")]
    public void TheApiAndTheWorker_RunWithCultureData(string project, string assembly)
    {
        var config = JsonNode.Parse(File.ReadAllText(BuildOutput.Find(project, assembly + ".runtimeconfig.json")))!;
        Assert.That(config["runtimeOptions"]?["configProperties"]?["System.Globalization.Invariant"]?.GetValue<bool>() ?? false, Is.False);
    }
}
