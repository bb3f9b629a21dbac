using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Trial.Tests.Db;

namespace Trial.Tests.Api;

/// <summary>The README's first example, run as written (with bash and curl) against a real host, on today's date.</summary>
public partial class ReadmeTests
{
    [GeneratedRegex(@"## First steps.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstStepsBlock();

    private static string ReadmeText()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Trial.sln"))) return File.ReadAllText(candidate);
        }
        throw new FileNotFoundException("README.md beside Trial.sln was not found above the test folder.");
    }

    [Test]
    public async Task FirstSteps_RunInOrderOnAFreshDatabase_EverySucceeds()
    {
        var script = FirstStepsBlock().Match(ReadmeText()).Groups["script"].Value;
        Assert.That(script, Does.Contain("curl"), "the First steps block was found");

        // The host's clock is today, as a user's would be; its URL and admin token replace the README's defaults.
        await using var host = TrialHost.Start(startTime: DateTimeOffset.UtcNow);
        using var workFolder = new TempFolder();
        Directory.CreateDirectory(workFolder.File("data"));
        await File.WriteAllTextAsync(workFolder.File("data/bootstrap-admin-token.txt"), TrialHost.AdminToken + "\n");
        var asRun = script
            .Replace("http://localhost:5000", host.Admin.BaseAddress!.ToString().TrimEnd('/'), StringComparison.Ordinal)
            // Fail on any HTTP error instead of printing it and going on.
            .Replace("curl -s ", "curl -sS --fail-with-body ", StringComparison.Ordinal);

        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", asRun])
        {
            WorkingDirectory = workFolder.Path, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bash.WaitForExitAsync(timeout.Token);
        var printed = await output;

        Assert.That(bash.ExitCode, Is.EqualTo(0), $"{printed}\n{await errors}");
        Assert.That(printed, Does.Contain("\"code\":\"WAW-0001\""), printed);
        Assert.That(printed, Does.Contain("\"total\":27"), "the MADRS was scored");
        Assert.That(printed, Does.Contain("\"visitCode\":\"BL\"").And.Contain("\"status\":\"done\""), "the plan shows BL done");
        Assert.That(printed, Does.Contain("\"entityType\":\"assessment\""), "the history shows the assessment");
        Assert.That(printed, Does.Contain("\"intact\":true"), "the trail is intact");
    }
}
