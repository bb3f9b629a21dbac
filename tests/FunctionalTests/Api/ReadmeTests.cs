using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// The README's examples after its two commands, every shell block in order as one session (bash, curl, unzip), run as
/// written against a real host on today's date.
/// </summary>
public partial class ReadmeTests
{
    [GeneratedRegex(@"```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

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
    public async Task Examples_RunInOrderOnAFreshDatabase_EverySucceeds()
    {
        var readme = ReadmeText();
        var blocks = ShellBlock().Matches(readme[readme.IndexOf("## First steps", StringComparison.Ordinal)..]).Select(m => m.Groups["script"].Value).ToList();
        Assert.That(blocks, Has.Count.GreaterThanOrEqualTo(2), "the First steps block and the statisticians' block");
        var script = string.Join("\n", blocks);

        // The host runs on the real clock, as a user's would: a clock frozen when the host started would still be on
        // yesterday when the script computes TODAY just after midnight in Warsaw. Its URL and admin token replace the
        // README's defaults.
        await using var host = TrialHost.Start(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton(TimeProvider.System);
        });
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
        Assert.That(File.Exists(workFolder.File("data/extract/manifest.json")), Is.True, "the statistician's bundle was unzipped");
        Assert.That(File.ReadAllLines(workFolder.File("data/items.csv")), Has.Length.EqualTo(11), "items.csv: the header and the baseline MADRS's 10 items");
        // Everything the examples wrote is under data/, which git ignores: extracts are clinical data.
        Assert.That(Directory.GetFileSystemEntries(workFolder.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "data" }), "nothing written outside data/");
    }
}
