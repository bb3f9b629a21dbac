using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Trial.Tests.Api.Operations;

/// <summary>
/// The README from top to bottom as a new user follows it, on a fresh clone of the committed repository: its first command
/// (the API, built from the clone), every example block in order against that process, the R example, the synthetic study's
/// seed and its second API, and the backup. Then git finds nothing the commands wrote outside the ignored folders: no
/// database, secret or extract is one <c>git add .</c> away from a commit.
/// The README's second command (<c>dotnet test</c>) is the run this test is part of, so it is not started again here; the
/// Python example runs only where pandas is installed, and the compose commands need a Docker engine (none runs here).
/// </summary>
[NonParallelizable]
public partial class FreshCloneReadmeTests
{
    [GeneratedRegex(@"```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"```r\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex RBlock();

    [GeneratedRegex(@"```python\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonBlock();

    [GeneratedRegex(@"```bash\n(?<script>[^`]*-- backup [^`]*)```", RegexOptions.Singleline)]
    private static partial Regex BackupBlock();

    [GeneratedRegex(@"`(?<command>dotnet run -c Release --project bench -- seed [^`]+)`")]
    private static partial Regex SeedCommand();

    [GeneratedRegex(@"`(?<command>Database__DataFolder=data/study [^`]+)`")]
    private static partial Regex StudyApiCommand();

    [Test]
    public async Task Readme_FollowedOnAFreshClone_WorksAndLeavesNothingUnignored()
    {
        if (!string.IsNullOrWhiteSpace(TrialHost.SuiteProtocol)) Assert.Ignore("The README walks through the default protocol; this pass runs another one.");
        TrialHost.RequireSqlite("the README's first command runs the embedded default.");

        var repository = RepositoryRoot();
        using var folder = new TempFolder();
        var clone = Path.Combine(folder.Path, "trial");
        await RunAsync("git", ["clone", "--quiet", "--no-hardlinks", repository, clone], folder.Path, TimeSpan.FromMinutes(2));

        var readme = await File.ReadAllTextAsync(Path.Combine(clone, "README.md"));
        var topCommands = ShellBlock().Match(readme).Groups["script"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(topCommands, Is.EqualTo(new[] { "dotnet run --project api", "dotnet test" }), "the README starts with its two commands");

        var apiUrl = $"http://127.0.0.1:{FreePort()}";
        await using (var api = await LongRunning.StartAsync(topCommands[0], clone, new() { ["ASPNETCORE_URLS"] = apiUrl }))
        {
            await api.WaitUntilReadyAsync(apiUrl);

            var fromFirstSteps = readme[readme.IndexOf("## First steps", StringComparison.Ordinal)..];
            var examples = string.Join("\n", ShellBlock().Matches(fromFirstSteps).Select(m => m.Groups["script"].Value))
                .Replace("http://localhost:5000", apiUrl, StringComparison.Ordinal)
                .Replace("curl -s ", "curl -sS --fail-with-body ", StringComparison.Ordinal);
            var printed = await RunAsync("bash", ["-euo", "pipefail", "-c", examples], clone, TimeSpan.FromMinutes(2));
            Assert.That(printed, Does.Contain("\"total\":27"), "the walkthrough's MADRS was scored");
            Assert.That(printed, Does.Contain("\"intact\":true"), "the trail verifies");

            if (CanRun("Rscript", "--version"))
            {
                var r = RBlock().Match(readme).Groups["script"].Value;
                await RunAsync("Rscript", ["-e", r + "\nstopifnot(nrow(participants) == 1)"], clone, TimeSpan.FromMinutes(1));
            }
            if (CanRun("python3", "-c", "import pandas"))
                await RunAsync("python3", ["-c", PythonBlock().Match(readme).Groups["script"].Value], clone, TimeSpan.FromMinutes(1));

            var backup = BackupBlock().Match(readme);
            Assert.That(backup.Success, Is.True, "the README's backup command");
            var backedUp = await RunAsync("bash", ["-euo", "pipefail", "-c", backup.Groups["script"].Value], clone, TimeSpan.FromMinutes(4));
            Assert.That(backedUp, Does.Contain("integrity checked"));
        }

        var seed = SeedCommand().Match(readme);
        var studyApi = StudyApiCommand().Match(readme);
        Assert.That(seed.Success && studyApi.Success, Is.True, "the README's synthetic study: its seed and its API");
        await RunAsync("bash", ["-euo", "pipefail", "-c", seed.Groups["command"].Value], clone, TimeSpan.FromMinutes(8));
        var adminToken = (await File.ReadAllTextAsync(Path.Combine(clone, "data/study/trial.db.admin-token"))).Trim();
        var studyUrl = $"http://127.0.0.1:{FreePort()}";
        await using (var study = await LongRunning.StartAsync(studyApi.Groups["command"].Value.Replace("http://localhost:5001", studyUrl, StringComparison.Ordinal), clone, []))
        {
            await study.WaitUntilReadyAsync(studyUrl);
            using var client = new HttpClient { BaseAddress = new Uri(studyUrl) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            var participants = await client.GetAsync("/api/v1/participants?limit=1");
            Assert.That(participants.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the seeded study answers its admin's token");
            Assert.That(participants.Headers.Contains("Link"), Is.True, "2,000 participants: more than one page");
        }

        var untracked = await RunAsync("git", ["status", "--porcelain", "--untracked-files=all"], clone, TimeSpan.FromMinutes(1));
        Assert.That(untracked.Trim(), Is.Empty, "everything the README's commands wrote is ignored by git");
        Assert.That(File.Exists(Path.Combine(clone, "data/extract/manifest.json")) && File.Exists(Path.Combine(clone, "data/study/trial.db")), Is.True,
            "the commands did write their files (under data/)");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var git = Path.Combine(dir.FullName, ".git");
            if (File.Exists(Path.Combine(dir.FullName, "Trial.sln")) && (Directory.Exists(git) || File.Exists(git))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("No git repository with Trial.sln above the test folder.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanRun(string program, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit(30_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Runs a command to its end; fails the test with its output when it fails or outlasts its time.</summary>
    private static async Task<string> RunAsync(string program, string[] args, string directory, TimeSpan limit)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not end within {limit}.");
        }
        var printed = await output;
        Assert.That(process.ExitCode, Is.EqualTo(0), $"{program} {string.Join(' ', args)}\n{printed}\n{await errors}");
        return printed;
    }

    /// <summary>A README command that runs until stopped (an API), started through bash as a user's shell would.</summary>
    private sealed class LongRunning : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private LongRunning(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static Task<LongRunning> StartAsync(string command, string directory, Dictionary<string, string> environment)
        {
            var start = new ProcessStartInfo("bash", ["-c", command])
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var (name, value) in environment) start.Environment[name] = value;
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            return Task.FromResult(new LongRunning(Process.Start(start)!));
        }

        /// <summary>Waits for the API to answer ready; the first start builds the clone, which takes a few minutes on a small machine.</summary>
        public async Task WaitUntilReadyAsync(string url)
        {
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddMinutes(6);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited) Assert.Fail($"The API exited ({_process.ExitCode}) before it was ready:\n{Output}");
                try
                {
                    if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
                await Task.Delay(500);
            }
            Assert.Fail($"The API was not ready within 6 minutes:\n{Output}");
        }

        private string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }
}
