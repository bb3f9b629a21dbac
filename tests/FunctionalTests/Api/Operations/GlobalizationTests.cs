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
        var config = JsonNode.Parse(File.ReadAllText(RuntimeConfig(project, assembly)))!;
        Assert.That(config["runtimeOptions"]?["configProperties"]?["System.Globalization.Invariant"]?.GetValue<bool>() ?? false, Is.False);
    }

    private static string RuntimeConfig(string project, string assembly)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, project, "bin", configuration, framework, assembly + ".runtimeconfig.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{assembly}.runtimeconfig.json was not found under {project}/bin/{configuration}/{framework}; build the solution first.");
    }
}
