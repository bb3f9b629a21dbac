using System.Diagnostics;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// The served document passes Spectral's <c>spectral:oas</c> and Redocly's <c>recommended</c> rulesets with no error and
/// no warning (tools/openapi-lint: the pinned linters and the committed ruleset files, each disabled rule with its reason).
/// The linters are npm packages: without tools/openapi-lint/node_modules the test is ignored, unless
/// TRIAL_REQUIRE_OPENAPI_LINT=1 (as .ci/run sets it after installing them), when it fails.
/// </summary>
public class OpenApiLintTests
{
    public const string RequireVariable = "TRIAL_REQUIRE_OPENAPI_LINT";

    private static string _lintFolder = null!;
    private static string _document = null!;
    private static TempFolder _temp = null!;

    [OneTimeSetUp]
    public static async Task ServeAsync()
    {
        _lintFolder = Path.Combine(ServedOpenApi.RepositoryRoot(), "tools", "openapi-lint");
        if (!Directory.Exists(Path.Combine(_lintFolder, "node_modules")))
        {
            const string why = "the OpenAPI linters are not installed: run `npm ci --prefix tools/openapi-lint` (needs node and npm).";
            if (Environment.GetEnvironmentVariable(RequireVariable) == "1") Assert.Fail($"{RequireVariable}=1, but {why}");
            Assert.Ignore(why);
        }
        _temp = new TempFolder();
        _document = _temp.File("openapi.json");
        await File.WriteAllTextAsync(_document, await ServedOpenApi.TextAsync());
    }

    [OneTimeTearDown]
    public static void CleanUp() => _temp?.Dispose();

    [Test]
    public async Task Spectral_OasRuleset_NoErrorsOrWarnings()
    {
        var (exitCode, output, errors) = await RunAsync("spectral",
            ["lint", "--ruleset", Path.Combine(_lintFolder, ".spectral.yaml"), "--format", "json", "--fail-severity", "warn", "--quiet", _document]);

        // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
        var results = JsonNode.Parse(output)?.AsArray() ?? throw new AssertionException($"Spectral printed no results: {output}\n{errors}");
        var problems = results.Where(r => r!["severity"]!.GetValue<int>() <= 1)
            .Select(r => $"{r!["code"]}: {r["message"]} at {string.Join('.', r["path"]!.AsArray().Select(p => p!.ToString()))}").ToList();
        Assert.That(problems, Is.Empty, output);
        Assert.That(exitCode, Is.EqualTo(0), $"{output}\n{errors}");
    }

    [Test]
    public async Task Redocly_RecommendedRuleset_NoErrorsOrWarnings()
    {
        var (exitCode, output, errors) = await RunAsync("redocly",
            ["lint", "--config", Path.Combine(_lintFolder, "redocly.yaml"), "--format", "json", _document]);

        var report = JsonNode.Parse(output) ?? throw new AssertionException($"Redocly printed no report: {output}\n{errors}");
        var problems = report["problems"]!.AsArray()
            .Select(p => $"{p!["severity"]} {p["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}").ToList();
        Assert.That(problems, Is.Empty, output);
        Assert.That(report["totals"]!["errors"]!.GetValue<int>() + report["totals"]!["warnings"]!.GetValue<int>(), Is.EqualTo(0), output);
        Assert.That(exitCode, Is.EqualTo(0), $"{output}\n{errors}");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(_lintFolder, "node_modules", ".bin", tool), arguments)
        {
            WorkingDirectory = _lintFolder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        // The linters' usage reports would be the only traffic of the test run; the build machines send none.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
