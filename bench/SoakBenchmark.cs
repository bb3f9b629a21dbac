using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;

namespace Trial.Bench;

/// <summary>
/// The state of the API's process and of the load at one moment of the soak, and what the load did in the
/// <see cref="SoakBenchmark.SampleEvery"/> before it.
/// </summary>
/// <param name="AtSeconds">Seconds since the measured part of the run began.</param>
/// <param name="WorkingSetMb">The process's resident memory.</param>
/// <param name="GcHeapMb">
/// Live managed memory: what a full, blocking, compacting collection forced at the sample leaves (<see cref="GC.GetTotalMemory(bool)"/>
/// right after it), so free space between objects does not count.
/// The heap as the last ordinary collection left it swings by the size of the youngest generation's budget (tens of MB with
/// server GC), which would hide a leak of a few MB a minute; the forced collection costs one pause of a few ms per sample.
/// </param>
/// <param name="AnonymousMb">The part of the working set that is the process's own memory (Linux RssAnon): the managed heap, native allocations such as SQLite's page caches, stacks.</param>
/// <param name="SqliteMb">Memory SQLite's allocator holds in this process (sqlite3_memory_used): its page caches above all, part of <paramref name="AnonymousMb"/>.</param>
/// <param name="SharedMb">The part in shared mappings (Linux RssShmem): mostly the JIT's code, which .NET maps twice through a shared memory file, and SQLite's WAL index.</param>
/// <param name="OpenAlerts">Open alerts in the monitor's last list: the backlog a monitor sees.</param>
/// <param name="Threads">Operating-system threads of the process.</param>
/// <param name="SqliteConnections">SQLite connections open in the process (pooled idle ones included): descriptors open on the database file.</param>
/// <param name="JobsQueued">Hangfire jobs enqueued and not yet started.</param>
/// <param name="JobsRunning">Hangfire jobs being processed.</param>
/// <param name="Writes">Writes answered with their success status in the window.</param>
/// <param name="Reads">Reads answered 200 in the window.</param>
/// <param name="Errors">Requests answered otherwise, or not at all, in the window.</param>
/// <param name="WriteP50Ms">Median write latency in the window.</param>
/// <param name="WriteP99Ms">99th percentile write latency in the window.</param>
/// <param name="ReadP99Ms">99th percentile read latency in the window.</param>
/// <param name="Extracts">Extracts (bundle.zip) received whole in the window.</param>
/// <param name="ExtractMaxMs">The longest of those extracts, from request to the last byte; NaN when none finished.</param>
public sealed record SoakSample(
    double AtSeconds, double WorkingSetMb, double GcHeapMb, double AnonymousMb, double SqliteMb, double SharedMb, int OpenAlerts, int Threads, int SqliteConnections, long JobsQueued, long JobsRunning,
    int Writes, int Reads, int Errors, double WriteP50Ms, double WriteP99Ms, double ReadP99Ms, int Extracts, double ExtractMaxMs)
{
    public long JobQueue => JobsQueued + JobsRunning;
}

public sealed record SoakRun(IReadOnlyList<SoakSample> Samples, int Participants, long Errors, string? FirstError, long AlertsRaised, long DatabaseMb);

/// <summary>
/// A long run of mixed load against the API as shipped (in-process Hangfire server, SQLite), to show that nothing grows
/// that should not. Investigators enter whole participants, every write with an Idempotency-Key (enrolment, every visit, the protocol's battery of assessments
/// with one in <see cref="FiringEvery"/> firing a safety rule, an adverse event, a correction of the baseline MADRS); a
/// monitor reads the open alerts and acknowledges and resolves them; readers poll participants' alerts, visit plans and
/// the worklist; a statistician pulls the whole bundle of extracts (bundle.zip) every <see cref="ExtractEvery"/>, of a study
/// that grows through the run. Writes and reads are paced at fixed rates, so a slower server shows as lower throughput, not as more
/// load. Every <see cref="SampleEvery"/> the process's working set, GC heap, threads, open SQLite connections and the job
/// queue are sampled, with the throughput and latencies of the window.
/// <para>
/// The clients run in the same process as the API (as in every scenario of this benchmark), so the working set and the
/// threads include theirs; the clients keep only a bounded amount of state (the last participants entered), so growth in
/// the figures is the server's.
/// </para>
/// </summary>
public static class SoakBenchmark
{
    public const int WriteRate = 60;
    public const int AlertReadRate = 10;
    public const int ScheduleReadRate = 10;
    public const int WorklistReadRate = 1;
    public const int Investigators = 8;
    public const int FiringEvery = 25;
    public const int MonitorAlertsPerSecond = 10;
    public const string SiteCode = "SOK";
    public static readonly TimeSpan ExtractEvery = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The load's counters and the latencies of the current sampling window.</summary>
    private sealed class Tally
    {
        private ConcurrentQueue<double> _writeMs = new(), _readMs = new(), _extractMs = new();
        private int _writes, _reads, _errors;
        private long _totalErrors;
        private string? _firstError;

        public long TotalErrors => Interlocked.Read(ref _totalErrors);

        /// <summary>Open alerts in the monitor's last list.</summary>
        public int OpenAlerts { get; set; }
        public string? FirstError => _firstError;

        public void Write(double ms) { Interlocked.Increment(ref _writes); _writeMs.Enqueue(ms); }
        public void Read(double ms) { Interlocked.Increment(ref _reads); _readMs.Enqueue(ms); }
        public void Extract(double ms) => _extractMs.Enqueue(ms);

        public void Error(string what)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.Increment(ref _totalErrors);
            Interlocked.CompareExchange(ref _firstError, what, null);
        }

        /// <summary>The window's counts and latencies, and a new window.</summary>
        public (int Writes, int Reads, int Errors, List<double> WriteMs, List<double> ReadMs, List<double> ExtractMs) Take()
        {
            var writeMs = Interlocked.Exchange(ref _writeMs, new ConcurrentQueue<double>()).Order().ToList();
            var readMs = Interlocked.Exchange(ref _readMs, new ConcurrentQueue<double>()).Order().ToList();
            var extractMs = Interlocked.Exchange(ref _extractMs, new ConcurrentQueue<double>()).ToList();
            return (Interlocked.Exchange(ref _writes, 0), Interlocked.Exchange(ref _reads, 0), Interlocked.Exchange(ref _errors, 0), writeMs, readMs, extractMs);
        }
    }

    /// <summary>Runs the load for <see cref="WarmUp"/> and then <paramref name="measured"/>, calling <paramref name="sampled"/> with every sample as it is taken.</summary>
    public static async Task<SoakRun> RunAsync(TimeSpan measured, Action<SoakSample> sampled)
    {
        var protocol = ProtocolLoader.LoadDefault();
        await using var host = new ApiHost();
        var investigatorToken = await host.CreateInvestigatorAsync(SiteCode);
        var monitorToken = await host.CreateUserAsync("Monitor Soak", Roles.Monitor, SiteCode);
        var statisticianToken = await host.CreateUserAsync("Statistician Soak", Roles.Statistician, SiteCode);
        var tally = new Tally();
        var recent = new RecentParticipants(200);
        var writes = new PollPacer(WriteRate);
        var participants = 0;
        using var stop = new CancellationTokenSource();
        var clients = new List<HttpClient>();
        HttpClient Client(string token) { var c = host.Client(token); clients.Add(c); return c; }

        var load = new List<Task>();
        for (var i = 0; i < Investigators; i++)
        {
            var investigator = Client(investigatorToken);
            load.Add(Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                    await EnterParticipantAsync(investigator, protocol, Interlocked.Increment(ref participants) - 1, writes, tally, recent, stop.Token);
            }));
        }
        load.Add(Task.Run(() => MonitorAsync(Client(monitorToken), writes, tally, stop.Token)));
        load.Add(Task.Run(() => ReadAsync(Client(monitorToken), AlertReadRate, () => recent.Any() is { } code ? $"/api/v1/safety-alerts?participant={code}" : null, tally, stop.Token)));
        load.Add(Task.Run(() => ReadAsync(Client(investigatorToken), ScheduleReadRate, () => recent.Any() is { } code ? $"/api/v1/participants/{code}/visits" : null, tally, stop.Token)));
        load.Add(Task.Run(() => ReadAsync(Client(investigatorToken), WorklistReadRate, () => "/api/v1/visits/due?days=14", tally, stop.Token)));
        load.Add(Task.Run(() => ExtractAsync(Client(statisticianToken), tally, stop.Token)));

        var samples = new List<SoakSample>();
        var storage = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        try
        {
            await Task.Delay(WarmUp);
            tally.Take();
            var start = Stopwatch.GetTimestamp();
            var next = SampleEvery;
            while (next <= measured)
            {
                var wait = next - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                var sample = Sample(Stopwatch.GetElapsedTime(start).TotalSeconds, tally, storage, host.DatabasePath);
                samples.Add(sample);
                sampled(sample);
                next += SampleEvery;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var client in clients) client.Dispose();
        }
        // A client that failed outright stopped its share of the load: that shows as lower throughput, and here as an error.
        foreach (var failed in load.Where(t => t.IsFaulted)) tally.Error($"a client stopped: {failed.Exception!.InnerException?.Message}");

        long alerts;
        await using (var connection = await host.Services.GetRequiredService<Database>().OpenAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM SafetyAlert";
            alerts = (long)(await command.ExecuteScalarAsync())!;
        }
        var databaseMb = (new FileInfo(host.DatabasePath).Length + (File.Exists(host.DatabasePath + "-wal") ? new FileInfo(host.DatabasePath + "-wal").Length : 0)) / (1024 * 1024);
        return new SoakRun(samples, participants, tally.TotalErrors, tally.FirstError, alerts, databaseMb);
    }

    private static SoakSample Sample(double atSeconds, Tally tally, Hangfire.Storage.IMonitoringApi storage, string databasePath)
    {
        var window = tally.Take();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var liveBytes = GC.GetTotalMemory(forceFullCollection: false);
        using var process = Process.GetCurrentProcess();
        var statistics = storage.GetStatistics();
        double P(List<double> sorted, double percent) => sorted.Count == 0 ? double.NaN : Stats.Percentile(sorted, percent);
        var (anonymous, shared) = ResidentParts();
        return new SoakSample(atSeconds, process.WorkingSet64 / 1048576.0, liveBytes / 1048576.0, anonymous, SQLitePCL.raw.sqlite3_memory_used() / 1048576.0, shared, tally.OpenAlerts, process.Threads.Count,
            OpenSqliteConnections(databasePath), statistics.Enqueued, statistics.Processing,
            window.Writes, window.Reads, window.Errors, P(window.WriteMs, 50), P(window.WriteMs, 99), P(window.ReadMs, 99),
            window.ExtractMs.Count, window.ExtractMs.Count == 0 ? double.NaN : window.ExtractMs.Max());
    }

    /// <summary>The resident memory that is the process's own and that in shared mappings, in MB, from /proc/self/status (Linux only; NaN elsewhere).</summary>
    private static (double Anonymous, double Shared) ResidentParts()
    {
        if (!File.Exists("/proc/self/status")) return (double.NaN, double.NaN);
        double Kb(string[] lines, string key) =>
            lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line
                ? double.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        var status = File.ReadAllLines("/proc/self/status");
        return (Kb(status, "RssAnon:") / 1024, Kb(status, "RssShmem:") / 1024);
    }

    /// <summary>
    /// SQLite connections open in this process: the file descriptors open on the database file itself (each open
    /// connection, in use or idle in the pool, holds exactly one; its -wal and -shm files are not counted). Linux only.
    /// </summary>
    public static int OpenSqliteConnections(string databasePath)
    {
        if (!Directory.Exists("/proc/self/fd")) return -1;
        var full = Path.GetFullPath(databasePath);
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == full) count++;
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }
        return count;
    }

    /// <summary>One participant from enrolment to the end of the protocol, each write waiting for its turn at the global write rate.</summary>
    private static async Task EnterParticipantAsync(HttpClient investigator, ProtocolDefinition protocol, int n, PollPacer writes, Tally tally, RecentParticipants recent, CancellationToken stop)
    {
        var random = new Random(n);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var dates = Workload.VisitDates(protocol, n, today);
        var enrolment = new
        {
            siteCode = SiteCode, sex = n % 3 == 0 ? "M" : "F", birthYear = 1960 + n % 45, weightKg = 50m + n % 60, enrolledDate = Workload.EnrolledDate(n, today),
            eligibility = new { failedAntidepressantTrials = 2 + n % 3, psychotherapyWithoutResponse = true, bpdDiagnosis = true, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
        };
        var code = (await WriteAsync(investigator, HttpMethod.Post, "/api/v1/participants", enrolment, HttpStatusCode.Created, null, writes, tally, stop))?["code"]?.GetValue<string>();
        if (code is null) return;
        recent.Add(code);

        foreach (var visit in protocol.Visits.Where(v => v.Kind != VisitKinds.Screening))
        {
            if (await WriteAsync(investigator, HttpMethod.Put, $"/api/v1/participants/{code}/visits/{visit.Code}", new { actualDate = dates[visit.Code] }, HttpStatusCode.OK, null, writes, tally, stop) is null)
                return;
        }

        string? baselineMadrs = null;
        var k = n;
        foreach (var visit in protocol.Visits)
        {
            foreach (var entry in visit.Battery)
            {
                foreach (var instrument in entry.Instruments.Select(InstrumentCatalog.Get))
                {
                    var fires = k++ % FiringEvery == 0 && Workload.FiringRule(instrument, entry.Timepoint) is not null;
                    var items = fires ? Workload.Firing(instrument) : Workload.Steady(instrument, random);
                    var created = await WriteAsync(investigator, HttpMethod.Post, $"/api/v1/participants/{code}/visits/{visit.Code}/assessments",
                        new { instrument = instrument.Code, timepoint = entry.Timepoint, administeredUtc = Workload.AdministeredUtc(dates[visit.Code], entry.Timepoint), items },
                        HttpStatusCode.Created, null, writes, tally, stop);
                    if (created is null) return;
                    if (visit.Kind == VisitKinds.Baseline && instrument.Code == InstrumentCatalog.Madrs) baselineMadrs = created["id"]!.GetValue<string>();
                }
            }
        }

        var infusion = dates[protocol.InfusionVisits.First().Code];
        await WriteAsync(investigator, HttpMethod.Post, $"/api/v1/participants/{code}/adverse-events", new
        {
            term = "Nausea", codedTerm = (string?)null, onsetDate = infusion, endDate = infusion.AddDays(1), severity = "mild", serious = false, seriousCriteria = Array.Empty<string>(),
            relatedness = "probable", expected = true, actionTaken = "none", outcome = "recovered", awareDate = infusion, sponsorReportedUtc = (DateTime?)null, specialInterest = (string?)null,
            reason = (string?)null,
        }, HttpStatusCode.Created, null, writes, tally, stop);
        if (baselineMadrs is not null)
        {
            await WriteAsync(investigator, HttpMethod.Put, $"/api/v1/assessments/{baselineMadrs}", new
            {
                instrument = InstrumentCatalog.Madrs, timepoint = (string?)null, administeredUtc = Workload.AdministeredUtc(dates["BL"], null),
                items = Workload.Steady(InstrumentCatalog.Get(InstrumentCatalog.Madrs), random), reason = "Transcription error corrected from the source document.",
            }, HttpStatusCode.OK, "\"1\"", writes, tally, stop);
        }
    }

    /// <summary>The monitor: reads the open alerts of the site once a second, and acknowledges and resolves the oldest of them.</summary>
    private static async Task MonitorAsync(HttpClient monitor, PollPacer writes, Tally tally, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var open = (await GetAsync(monitor, "/api/v1/safety-alerts?status=open", tally, stop))?.AsArray() ?? [];
            tally.OpenAlerts = open.Count;
            // Oldest first (the list is newest first), as many as a monitor works through in a second: so the backlog of
            // open alerts, and with it the size of this list, stays bounded.
            foreach (var id in open.Reverse().Take(MonitorAlertsPerSecond).Select(a => a!["id"]!.GetValue<string>()))
            {
                if (await WriteAsync(monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{id}/acknowledge", new { comment = "Reviewed." }, HttpStatusCode.OK, null, writes, tally, stop) is null) break;
                await WriteAsync(monitor, HttpMethod.Post, $"/api/v1/safety-alerts/{id}/resolve", new { comment = "Discussed with the site; no action needed." }, HttpStatusCode.OK, null, writes, tally, stop);
            }
            try { await Task.Delay(1000, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>GETs at a steady rate; <paramref name="url"/> says what to read next (null: nothing yet).</summary>
    private static async Task ReadAsync(HttpClient reader, int perSecond, Func<string?> url, Tally tally, CancellationToken stop)
    {
        var pacer = new PollPacer(perSecond);
        while (!stop.IsCancellationRequested)
        {
            await pacer.WaitAsync();
            if (url() is { } next) await GetAsync(reader, next, tally, stop);
        }
    }

    /// <summary>
    /// A statistician pulling the whole bundle every <see cref="ExtractEvery"/>, read to its end and dropped: the server streams it
    /// from one snapshot while the writes go on, so its memory and connections are the server's to keep flat.
    /// </summary>
    private static async Task ExtractAsync(HttpClient statistician, Tally tally, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await statistician.GetAsync("/api/v1/exports/bundle.zip", HttpCompletionOption.ResponseHeadersRead, stop);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    tally.Error($"GET bundle.zip: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(stop)}");
                }
                else
                {
                    await using var body = await response.Content.ReadAsStreamAsync(stop);
                    await body.CopyToAsync(Stream.Null, stop);
                    tally.Extract(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException ex)
            {
                tally.Error($"GET bundle.zip: {ex.Message}");
            }
            var wait = ExtractEvery - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stop); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private static async Task<JsonNode?> GetAsync(HttpClient client, string url, Tally tally, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(url, stop);
            var text = await response.Content.ReadAsStringAsync(stop);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                tally.Error($"GET {url}: {(int)response.StatusCode} {text}");
                return null;
            }
            tally.Read(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return JsonNode.Parse(text);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (HttpRequestException ex)
        {
            tally.Error($"GET {url}: {ex.Message}");
            return null;
        }
    }

    private static async Task<JsonObject?> WriteAsync(HttpClient client, HttpMethod method, string url, object body, HttpStatusCode expected, string? ifMatch,
        PollPacer writes, Tally tally, CancellationToken stop)
    {
        await writes.WaitAsync();
        if (stop.IsCancellationRequested) return null;
        using var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web)) };
        request.Content.Headers.ContentType = Json;
        // As a careful client sends them: every write can be retried safely, and the server stores each first response.
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        if (ifMatch is not null) request.Headers.IfMatch.ParseAdd(ifMatch);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, CancellationToken.None);
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            if (response.StatusCode != expected)
            {
                tally.Error($"{method} {url}: {(int)response.StatusCode} {text}");
                return null;
            }
            tally.Write(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return JsonNode.Parse(text)!.AsObject();
        }
        catch (HttpRequestException ex)
        {
            tally.Error($"{method} {url}: {ex.Message}");
            return null;
        }
    }

    /// <summary>The codes of the last participants entered, for the readers to pick from: bounded, so the clients' memory does not grow.</summary>
    private sealed class RecentParticipants(int capacity)
    {
        private readonly string?[] _codes = new string?[capacity];
        private long _added;

        public void Add(string code) => _codes[(Interlocked.Increment(ref _added) - 1) % capacity] = code;

        public string? Any()
        {
            var added = Interlocked.Read(ref _added);
            return added == 0 ? null : _codes[Random.Shared.NextInt64(Math.Min(added, capacity))];
        }
    }

    // --- the report ---

    /// <summary>One figure compared between the first and the last minute of the run.</summary>
    /// <param name="Name">The figure.</param>
    /// <param name="First">Its mean over the samples of the first minute.</param>
    /// <param name="Last">Its mean over the samples of the last minute.</param>
    /// <param name="Noise">The larger of the two minutes' spreads (highest sample minus lowest).</param>
    /// <param name="SlopePerMinute">Its least-squares slope over every sample of the run, per minute.</param>
    public sealed record Drift(string Name, double First, double Last, double Noise, double SlopePerMinute)
    {
        public double Change => Last - First;

        /// <summary>No growth beyond noise: the last minute exceeds the first by no more than the spread within a minute.</summary>
        public bool WithinNoise => Change <= Noise;
    }

    public static IReadOnlyList<Drift> Drifts(IReadOnlyList<SoakSample> samples)
    {
        var perMinute = (int)Math.Round(60 / SampleEvery.TotalSeconds);
        var first = samples.Take(perMinute).ToList();
        var last = samples.Skip(Math.Max(0, samples.Count - perMinute)).ToList();
        Drift Of(string name, Func<SoakSample, double> figure)
        {
            double Spread(List<SoakSample> s) => s.Max(figure) - s.Min(figure);
            return new Drift(name, first.Average(figure), last.Average(figure), Math.Max(Spread(first), Spread(last)), Slope(samples, figure));
        }
        return
        [
            Of("working set (MB)", s => s.WorkingSetMb),
            Of("GC heap (MB)", s => s.GcHeapMb),
            Of("  of the working set: own (MB)", s => s.AnonymousMb),
            Of("    of which SQLite (MB)", s => s.SqliteMb),
            Of("  of the working set: shared (MB)", s => s.SharedMb),
            Of("threads", s => s.Threads),
            Of("open SQLite connections", s => s.SqliteConnections),
            Of("job queue (enqueued + processing)", s => s.JobQueue),
            Of("open alerts (the monitor's list)", s => s.OpenAlerts),
            Of("write p99 (ms)", s => s.WriteP99Ms),
        ];
    }

    private static double Slope(IReadOnlyList<SoakSample> samples, Func<SoakSample, double> figure)
    {
        var xs = samples.Select(s => s.AtSeconds / 60).ToList();
        var ys = samples.Select(figure).ToList();
        var (mx, my) = (xs.Average(), ys.Average());
        var den = xs.Sum(x => (x - mx) * (x - mx));
        return den == 0 ? 0 : xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / den;
    }

    public const string SampleHeader =
        "    s   WS (MB)  own (MB)  SQLite (MB)  shared (MB)  GC (MB)  threads  connections  job queue  open alerts  writes/s  reads/s  errors  write p50  write p99  read p99\n" +
        "-----  --------  --------  -----------  -----------  -------  -------  -----------  ---------  -----------  --------  -------  ------  ---------  ---------  --------";

    /// <summary>One sample as a line under <see cref="SampleHeader"/>.</summary>
    public static string SampleLine(SoakSample s) => string.Join("  ",
        Format.N0(s.AtSeconds).PadLeft(5), Format.N1(s.WorkingSetMb).PadLeft(8), Format.N1(s.AnonymousMb).PadLeft(8), Format.N1(s.SqliteMb).PadLeft(11), Format.N1(s.SharedMb).PadLeft(11), Format.N1(s.GcHeapMb).PadLeft(7), s.Threads.ToString().PadLeft(7),
        s.SqliteConnections.ToString().PadLeft(11), s.JobQueue.ToString().PadLeft(9), s.OpenAlerts.ToString().PadLeft(11), Format.N1(s.Writes / SampleEvery.TotalSeconds).PadLeft(8),
        Format.N1(s.Reads / SampleEvery.TotalSeconds).PadLeft(7), s.Errors.ToString().PadLeft(6), Format.N1(s.WriteP50Ms).PadLeft(9), Format.N1(s.WriteP99Ms).PadLeft(9),
        Format.N1(s.ReadP99Ms).PadLeft(8));

    /// <summary>Throughput and the sampled figures minute by minute, then each figure's first minute against its last.</summary>
    public static void PrintReport(SoakRun run)
    {
        var perMinute = (int)Math.Round(60 / SampleEvery.TotalSeconds);
        var minutes = new Table("minute", "writes/s", "reads/s", "extracts", "extract s (max)", "errors", "write p99 ms (max)", "WS MB", "own MB", "SQLite MB", "shared MB", "GC heap MB", "threads", "connections", "job queue (max)");
        foreach (var (minute, i) in run.Samples.Chunk(perMinute).Select((m, i) => (m, i)))
        {
            var seconds = minute.Length * SampleEvery.TotalSeconds;
            var extractMs = minute.Where(s => s.Extracts > 0).Select(s => s.ExtractMaxMs).DefaultIfEmpty(double.NaN).Max();
            minutes.Add($"{i + 1}", Format.N1(minute.Sum(s => s.Writes) / seconds), Format.N1(minute.Sum(s => s.Reads) / seconds), Format.N0(minute.Sum(s => s.Extracts)),
                double.IsNaN(extractMs) ? "-" : Format.N1(extractMs / 1000), Format.N0(minute.Sum(s => s.Errors)),
                Format.N1(minute.Max(s => s.WriteP99Ms)), Format.N1(minute.Average(s => s.WorkingSetMb)), Format.N1(minute.Average(s => s.AnonymousMb)),
                Format.N1(minute.Average(s => s.SqliteMb)), Format.N1(minute.Average(s => s.SharedMb)), Format.N1(minute.Average(s => s.GcHeapMb)),
                Format.N1(minute.Average(s => s.Threads)), Format.N1(minute.Average(s => s.SqliteConnections)), Format.N0(minute.Max(s => s.JobQueue)));
        }
        minutes.Print();

        var drifts = new Table("figure", "first minute", "last minute", "change", "noise", "slope per minute", "verdict");
        foreach (var d in Drifts(run.Samples))
        {
            drifts.Add(d.Name, Format.N1(d.First), Format.N1(d.Last),
                Signed(d.Change) + (d.First > 0 ? $" ({Signed(100 * d.Change / d.First)} %)" : ""), Format.N1(d.Noise), Signed(d.SlopePerMinute),
                d.WithinNoise ? "no growth beyond noise" : "GROWTH beyond noise");
        }

        drifts.Print();
        Console.WriteLine("first/last minute: the mean of the six samples of the measured run's first and last minute; noise: the larger of the two minutes' spreads");
        Console.WriteLine("(highest sample minus lowest); a figure grew beyond noise when its last minute exceeds its first by more than that; slope: least squares over every sample.");
    }

    private static string Signed(double value) => (value >= 0 ? "+" : "") + Format.N1(value);
}
