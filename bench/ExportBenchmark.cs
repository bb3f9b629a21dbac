using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Trial.Extracts.Reading;

namespace Trial.Bench;

/// <summary>One pull of an extract: rows and bytes read, time taken, and the API process's largest resident set meanwhile.</summary>
public sealed record PullRun(string Name, long Rows, long Bytes, TimeSpan Elapsed, long PeakRssKb, TimeSpan ServerCpu)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
    public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;
}

/// <summary>
/// items.csv (the largest dataset, one row per item response) of a seeded study, pulled through the API running as
/// its own process on Kestrel by an HTTP client reading the stream, beside the sqlite3 command-line tool printing the
/// same query with -csv; and the API process's resident memory while it streams (sampled from /proc/PID/status).
/// </summary>
public static class ExportBenchmark
{
    public const double WorkingSetTargetMb = 200;
    public const string Sqlite3 = "/usr/bin/sqlite3";

    public static async Task RunAsync(int participants, int seed, string? path, int rounds)
    {
        // Named for what the seed writes (randomised, blinded infusions), so a study seeded before it is not reused.
        path ??= Path.Combine(Path.GetTempPath(), "trial-bench-export", $"study-{participants}-seed{seed}-randomised.db");
        var tokenFile = path + ".admin-token";
        if (!File.Exists(tokenFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            foreach (var stale in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists)) File.Delete(stale);
            Console.WriteLine($"Seeding {participants:N0} participants (seed {seed}) into {path} ...");
            var summary = await StudySeeder.SeedAsync(new SeedOptions(participants, seed, path, SeedCommand.DefaultCutOff, null), Console.Out);
            await StudySeeder.SaveKeysAsync(path, summary);
            Console.WriteLine($"Seeded in {summary.Elapsed.TotalSeconds:N0} s: {summary.Items:N0} item responses in {summary.Assessments:N0} assessments, " +
                              $"{summary.Randomised:N0} participants randomised.");
        }
        else
        {
            Console.WriteLine($"Reusing the seeded study {path}");
        }

        Console.WriteLine($"Database: {new FileInfo(path).Length / 1e6:N0} MB");
        Console.WriteLine();

        var secretFile = path + ".randomisation-secret";
        await using var api = await ApiProcess.StartAsync(path, File.Exists(secretFile) ? (await File.ReadAllTextAsync(secretFile)).Trim() : null);
        using var admin = api.Client(await File.ReadAllTextAsync(tokenFile));
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { name = "Bench statistician", role = "statistician", sites = StudySeeder.Sites.Select(s => s.Code) });
        created.EnsureSuccessStatusCode();
        // The statistician exchanges the activation code the admin was given for a token of their own.
        using var anonymous = api.Client(null);
        var activated = await anonymous.PostAsJsonAsync("/api/v1/tokens",
            new { activationCode = (await created.Content.ReadFromJsonAsync<JsonObject>())!["activationCode"]!.GetValue<string>() });
        activated.EnsureSuccessStatusCode();
        using var statistician = api.Client((await activated.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());

        var sql = EquivalentItemsQuery();
        Console.WriteLine("== export: items.csv through the API (separate process, Kestrel, HTTP client reading the stream) beside sqlite3 -csv of the same query");
        Console.WriteLine($"API process: dotnet {Path.GetFileName(api.DllPath)} (pid {api.Pid}), server GC, Release; {rounds} rounds after one warm-up pull of each, alternating which goes first");
        await PullAsync(api, statistician, "/api/v1/exports/items.csv", "warm-up");
        await Sqlite3Async(path, sql);

        var apiRuns = new List<PullRun>();
        var sqliteRuns = new List<PullRun>();
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                apiRuns.Add(await PullAsync(api, statistician, "/api/v1/exports/items.csv", "API items.csv"));
                sqliteRuns.Add(await Sqlite3Async(path, sql));
            }
            else
            {
                sqliteRuns.Add(await Sqlite3Async(path, sql));
                apiRuns.Add(await PullAsync(api, statistician, "/api/v1/exports/items.csv", "API items.csv"));
            }
        }
        var bundle = await PullAsync(api, statistician, "/api/v1/exports/bundle.zip", "API bundle.zip (all datasets, zipped)");

        var table = new Table("run", "rows", "MB", "seconds", "rows/s", "MB/s", "server CPU s", "API peak RSS MB");
        foreach (var run in apiRuns.Zip(sqliteRuns).SelectMany(p => new[] { p.First, p.Second }).Append(bundle))
        {
            table.Add(run.Name, Format.N0(run.Rows), Format.N1(run.Bytes / 1e6), Format.N2(run.Elapsed.TotalSeconds), Format.N0(run.RowsPerSecond),
                Format.N1(run.MegabytesPerSecond), Format.N2(run.ServerCpu.TotalSeconds), run.PeakRssKb == 0 ? "-" : Format.N1(run.PeakRssKb / 1024.0));
        }

        table.Print();
        Console.WriteLine("rows: data rows (lines less the header). server CPU: user + system time of the API process, or of sqlite3, during that pull (the reading client's not included).");
        Console.WriteLine("API peak RSS: the largest VmRSS of the API process sampled every 20 ms during that pull.");

        // Why items.csv has a writer of its own: the same file produced in this process, into a null stream, both ways.
        var ways = new Table("items.csv produced in process (no HTTP), into a null stream", "rows", "seconds", "CPU s", "rows/s");
        foreach (var (way, run) in await ProduceBothWaysAsync(path, rounds))
            ways.Add(way, Format.N0(run.Rows), Format.N2(run.Elapsed.TotalSeconds), Format.N2(run.ServerCpu.TotalSeconds), Format.N0(run.RowsPerSecond));
        ways.Print();

        var ratios = apiRuns.Zip(sqliteRuns, (a, s) => a.RowsPerSecond / s.RowsPerSecond).Order().ToList();
        var ratio = Stats.Median(ratios);
        var (rss, hwm) = api.Memory();
        var peak = Math.Max(apiRuns.Max(r => r.PeakRssKb), bundle.PeakRssKb) / 1024.0;
        Console.WriteLine($"items.csv: API {Format.N0(Stats.Median(apiRuns.Select(r => r.RowsPerSecond).Order().ToList()))} rows/s, sqlite3 {Format.N0(Stats.Median(sqliteRuns.Select(r => r.RowsPerSecond).Order().ToList()))} rows/s (medians)");
        Console.WriteLine($"API / sqlite3: {Format.N2(ratio)} (median of the rounds; {Format.N2(ratios[0])}-{Format.N2(ratios[^1])}) (target >= 1.00): {(ratio >= 1 ? "met" : "NOT met")}");
        Console.WriteLine($"API process memory: peak VmRSS during the pulls {Format.N1(peak)} MB; VmHWM (peak since start) {Format.N1(hwm / 1024.0)} MB; now {Format.N1(rss / 1024.0)} MB " +
                          $"(target <= {WorkingSetTargetMb} MB): {(hwm / 1024.0 <= WorkingSetTargetMb ? "met" : "NOT met")}");
        Console.WriteLine();
    }

    /// <summary>
    /// items.csv written by the API's code in this process to a null stream: from encoded pieces (as the API
    /// serves it) and cell by cell from the column definitions through Sylvan (as every other dataset), alternately.
    /// </summary>
    private static async Task<List<(string Way, PullRun Run)>> ProduceBothWaysAsync(string path, int rounds)
    {
        var database = new Trial.Db.Infrastructure.Database(new Trial.Db.Infrastructure.DatabaseOptions { ConnectionString = $"Data Source={path}" });
        var catalog = new Trial.Extracts.ExtractCatalog(Trial.Core.Protocol.ProtocolLoader.LoadDefault(), Trial.Application.Randomisation.ConcealedSequence.None);
        var items = (Trial.Extracts.Datasets.ItemsDataset)catalog.Find("items")!;
        var runs = new List<(string, PullRun)>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var pieces in new[] { true, false })
            {
                await using var snapshot = await ExportSnapshot.BeginAsync(database, TimeProvider.System);
                var context = new Trial.Extracts.ExportContext(snapshot, new ExportFilter(null, null, null),
                    Trial.Extracts.ExtractAudience.BlindedPseudonymised, catalog.Protocol, catalog.Anchors);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var rows = pieces
                    ? await items.WriteCsvAsync(context, Stream.Null, CancellationToken.None)
                    : await items.WriteCsvCellByCellAsync(context, Stream.Null, CancellationToken.None);
                runs.Add((pieces ? "encoded pieces, reading and copying overlapped (served)" : "cell by cell through Sylvan (reference)",
                    new PullRun("", rows, 0, watch.Elapsed, 0, Process.GetCurrentProcess().TotalProcessorTime - cpu)));
            }
        }
        return runs;
    }

    /// <summary>The items query as the API runs it for a statistician of every site with no filter, parameters written in.</summary>
    public static string EquivalentItemsQuery() =>
        Trial.Extracts.Datasets.ItemsDataset.ItemsSql
            .Replace("@anySite", "1", StringComparison.Ordinal)
            .Replace("IN @sites", "IN ('')", StringComparison.Ordinal)
            .Replace("@instrument", "NULL", StringComparison.Ordinal)
            .Replace("@sinceUtc", "NULL", StringComparison.Ordinal)
            .Replace("@dayZeroVisit", "'INF1'", StringComparison.Ordinal)
            .Replace("@lastInfusionVisit", "'INF4'", StringComparison.Ordinal);

    private static async Task<PullRun> PullAsync(ApiProcess api, HttpClient client, string url, string name)
    {
        using var sampler = new RssSampler(api.Pid);
        var cpu = ApiProcess.CpuTime(api.Pid);
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var (bytes, lines) = await CountAsync(stream);
        watch.Stop();
        var peak = await sampler.StopAsync();
        cpu = ApiProcess.CpuTime(api.Pid) - cpu;
        var rows = url.EndsWith(".zip", StringComparison.Ordinal) ? await BundleRowsAsync(client, url) : lines - 1;
        return new PullRun(name, rows, bytes, watch.Elapsed, peak, cpu);
    }

    // The zip's rows are in its manifest; pulled again only to read it, outside the timing.
    private static async Task<long> BundleRowsAsync(HttpClient client, string url)
    {
        await using var stream = await client.GetStreamAsync(url);
        using var buffered = new MemoryStream();
        await stream.CopyToAsync(buffered);
        using var zip = new System.IO.Compression.ZipArchive(buffered);
        await using var manifest = zip.GetEntry("manifest.json")!.Open();
        var files = (await JsonNode.ParseAsync(manifest))!["files"]!.AsArray();
        return files.Sum(f => f!["rows"]!.GetValue<long>());
    }

    private static async Task<PullRun> Sqlite3Async(string path, string sql)
    {
        // Through /usr/bin/time, which reports the CPU time sqlite3 used.
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-f", "cpu %U %S", Sqlite3, "-csv", "-header", path, sql }) start.ArgumentList.Add(argument);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Sqlite3}.");
        var errors = process.StandardError.ReadToEndAsync();
        var (bytes, lines) = await CountAsync(process.StandardOutput.BaseStream);
        await process.WaitForExitAsync();
        watch.Stop();
        var report = await errors;
        if (process.ExitCode != 0) throw new InvalidOperationException($"sqlite3 failed: {report}");
        var cpu = report.Split('\n').Last(l => l.StartsWith("cpu ", StringComparison.Ordinal)).Split(' ')[1..]
            .Sum(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture));
        return new PullRun("sqlite3 -csv, same query", lines - 1, bytes, watch.Elapsed, 0, TimeSpan.FromSeconds(cpu));
    }

    private static async Task<(long Bytes, long Lines)> CountAsync(Stream stream)
    {
        var buffer = new byte[1 << 20];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        return (bytes, lines);
    }
}

/// <summary>The largest VmRSS of a process, sampled from /proc until stopped.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<long> _sampling;

    public RssSampler(int pid)
    {
        _sampling = Task.Run(async () =>
        {
            long peak = 0;
            while (!_stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, ApiProcess.ReadStatusKb(pid, "VmRSS:"));
                try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
            }
            return Math.Max(peak, ApiProcess.ReadStatusKb(pid, "VmRSS:"));
        });
    }

    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        return await _sampling;
    }

    public void Dispose() => _stop.Dispose();
}

/// <summary>
/// The API as its own process (<c>dotnet api/bin/&lt;configuration&gt;/net10.0/Trial.Api.dll</c>, built with the bench),
/// over the seeded database, with jobs in process as shipped, so its memory is the API's alone.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private ApiProcess(Process process, string dllPath, string folder, Uri address)
    {
        _process = process;
        DllPath = dllPath;
        _folder = folder;
        Address = address;
    }

    public string DllPath { get; }
    public Uri Address { get; }
    public int Pid => _process.Id;

    /// <param name="databasePath">The study.</param>
    /// <param name="randomisationSecret">The secret its allocation sequence was generated from (the seed's), so the API allocates from the same sequence.</param>
    public static async Task<ApiProcess> StartAsync(string databasePath, string? randomisationSecret)
    {
        var dll = ApiDll();
        var folder = Path.Combine(Path.GetTempPath(), "trial-bench-api-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Trial"] = $"Data Source={databasePath}";
        start.Environment["Database__DataFolder"] = folder;
        if (randomisationSecret is not null) start.Environment["Randomisation__Secret"] = randomisationSecret;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        var log = new StreamWriter(Path.Combine(folder, "api.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var api = new ApiProcess(process, dll, folder, address);
        using var probe = new HttpClient { BaseAddress = address };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The API exited at start; see {Path.Combine(folder, "api.log")}.");
            try
            {
                if ((await probe.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return api;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The API did not become ready within 60 s.");
            await Task.Delay(200);
        }
    }

    /// <summary>A client sending <paramref name="token"/>; none when it is null.</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(10) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        return client;
    }

    /// <summary>VmRSS (resident now) and VmHWM (the peak since start), in kB.</summary>
    public (long Rss, long Hwm) Memory() => (ReadStatusKb(Pid, "VmRSS:"), ReadStatusKb(Pid, "VmHWM:"));

    /// <summary>User + system CPU time of a process so far (/proc/PID/stat, in clock ticks of 1/100 s).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: state is field 3, utime field 14 and stime field 15 (1-based over the whole line).
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public static long ReadStatusKb(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
    }

    // The API built beside the bench, in the same configuration (dotnet run -c Release --project bench builds both).
    private static string ApiDll()
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
        var apiFolder = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject()
            .First(f => f.Key.StartsWith("Trial.Api,", StringComparison.Ordinal)).Value!.GetValue<string>();
        var dll = Path.Combine(apiFolder, "bin", configuration, "net10.0", "Trial.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The API is not built in {configuration}: expected {dll}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
