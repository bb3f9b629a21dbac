using System.Diagnostics;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Client;

/// <summary>
/// The committed C# client is what clients/generate.sh writes from the committed document: a change of clients/openapi.json
/// without regenerating (or a hand edit of the generated code) fails here.
/// </summary>
public class ClientSourceTests
{
    public static string RepositoryRoot() => BuildOutput.RepositoryRoot();

    /// <summary>The document the client is generated from.</summary>
    public static JsonObject Document() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "clients", "openapi.json")))!.AsObject();

    [Test]
    public async Task GeneratedClient_IsWhatTheScriptWritesFromTheDocument()
    {
        var root = RepositoryRoot();
        var committed = Path.Combine(root, "clients", "csharp", "Generated");
        using var fresh = new TempFolder();

        var start = new ProcessStartInfo("bash", [Path.Combine(root, "clients", "generate.sh"), fresh.Path])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var generate = Process.Start(start)!;
        var output = generate.StandardOutput.ReadToEndAsync();
        var errors = generate.StandardError.ReadToEndAsync();
        // The first run may restore the Kiota tool from the package feed.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await generate.WaitForExitAsync(timeout.Token);
        Assert.That(generate.ExitCode, Is.EqualTo(0), $"{await output}\n{await errors}");

        var expected = Files(fresh.Path);
        var actual = Files(committed);
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys), "the generated files; run clients/generate.sh and commit what it writes");
        Assert.That(expected.Keys.Where(file => expected[file] != actual[file]), Is.Empty, "files that differ; run clients/generate.sh and commit what it writes");
    }

    /// <summary>
    /// Each file's text by its path under <paramref name="folder"/>. The lock file names the document by a path relative to
    /// the output folder, which differs between the two; its hash of the document is compared with the rest.
    /// </summary>
    private static Dictionary<string, string> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            file => Path.GetRelativePath(folder, file).Replace('\\', '/'),
            file => Path.GetFileName(file) == "kiota-lock.json" ? WithoutDescriptionLocation(File.ReadAllText(file)) : File.ReadAllText(file));

    private static string WithoutDescriptionLocation(string lockFile)
    {
        var json = JsonNode.Parse(lockFile)!.AsObject();
        Assert.That(json.Remove("descriptionLocation"), Is.True, "kiota-lock.json names the document it was generated from");
        return json.ToJsonString();
    }
}
