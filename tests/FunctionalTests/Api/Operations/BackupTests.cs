using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using Trial.Tests.Api.Crash;

namespace Trial.Tests.Api.Operations;

/// <summary>
/// The backup the README documents, as an operator runs it: the worker's <c>backup</c> command against the running API's
/// SQLite file while investigators keep enrolling; the copy, with the secrets of the data folder beside it, restored under a
/// new API that verifies its trail, holds every enrolment acknowledged before the backup began, and goes on writing.
/// </summary>
[NonParallelizable]
public class BackupTests
{
    [Test]
    public async Task OnlineBackupDuringWrites_RestoresIntoAWorkingApi()
    {
        using var live = new TempFolder();
        using var restored = new TempFolder();
        var backupFile = Path.Combine(restored.Path, "backups", "trial-backup.db");

        int acknowledgedBefore, acknowledgedAfter;
        await using (var api = await ApiProcess.StartAsync(live.Path))
        {
            using var admin = api.Client();
            (await admin.PostAsJsonAsync("/api/v1/sites", new { code = "WAW", name = "Warsaw", timeZone = "Europe/Warsaw" })).EnsureSuccessStatusCode();
            using var investigator = api.Client(await api.UserTokenAsync("investigator", "WAW"));

            var acknowledged = 0;
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var response = await investigator.PostAsJsonAsync("/api/v1/participants", TrialHost.EligibleParticipant("WAW"));
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
                    Interlocked.Increment(ref acknowledged);
                }
            })).ToList();
            while (Volatile.Read(ref acknowledged) < 20) await Task.Delay(20);

            acknowledgedBefore = Volatile.Read(ref acknowledged);
            var (exitCode, output) = await RunWorkerAsync(live.Path, "backup", backupFile);
            acknowledgedAfter = Volatile.Read(ref acknowledged);
            Assert.That(exitCode, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain("integrity checked"));
            Assert.That(acknowledgedAfter, Is.GreaterThan(acknowledgedBefore), "the writers went on during the backup");

            await stop.CancelAsync();
            await Task.WhenAll(writers);

            // A second backup to the same file is refused: a backup never overwrites.
            var (again, refusal) = await RunWorkerAsync(live.Path, "backup", backupFile);
            Assert.That(again, Is.Not.EqualTo(0));
            Assert.That(refusal, Does.Contain("exists already"));
        }

        // Restore: the copy becomes the database of a new data folder, with the live folder's secrets (never the database's
        // own files: trial.db, its write-ahead log and shared memory).
        File.Copy(backupFile, Path.Combine(restored.Path, "trial.db"));
        foreach (var file in Directory.GetFiles(live.Path).Where(f => !Path.GetFileName(f).StartsWith("trial.db", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(restored.Path, Path.GetFileName(file)));

        await using var back = await ApiProcess.StartAsync(restored.Path);
        using var restoredAdmin = back.Client();
        var verify = await (await restoredAdmin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(verify["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());

        using var restoredInvestigator = back.Client(await back.UserTokenAsync("investigator", "WAW"));
        var participants = await (await restoredInvestigator.GetAsync("/api/v1/participants?site=WAW")).JsonArrayAsync();
        Assert.That(participants.Count, Is.InRange(acknowledgedBefore, acknowledgedAfter),
            "every enrolment acknowledged before the backup began, none after it ended");
        var codes = participants.Select(p => int.Parse(p!["code"]!.GetValue<string>()[4..])).Order().ToList();
        Assert.That(codes, Is.EqualTo(Enumerable.Range(1, codes.Count)), "one consistent state: no gap in the codes");

        var next = await (await restoredInvestigator.PostAsJsonAsync("/api/v1/participants", TrialHost.EligibleParticipant("WAW"))).JsonAsync(HttpStatusCode.Created);
        Assert.That(next["code"]!.GetValue<string>(), Is.EqualTo($"WAW-{codes.Count + 1:D4}"));
    }

    /// <summary>Runs the built worker (worker/bin/&lt;configuration&gt;/&lt;framework&gt;/Trial.Worker.dll) as the README does, from the API's folder.</summary>
    private static async Task<(int ExitCode, string Output)> RunWorkerAsync(string dataFolder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [BuildOutput.Find("worker", "Trial.Worker.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dataFolder,
        };
        start.Environment["Database__DataFolder"] = dataFolder;
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, string.Join("\n", await output));
    }
}
