using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Trial.Core.Access;
using Trial.Core.Protocol;

namespace Trial.Bench;

/// <summary>One firing assessment: when its 201 came, and when (if ever) a monitor saw its alert.</summary>
/// <param name="Rule">The rule its values fire.</param>
/// <param name="AtSeconds">When its 201 came, in seconds from the start of the measured phase.</param>
/// <param name="LatencyMs">From the 201 to the monitor's first response that listed the alert; null when none did within the bound.</param>
/// <param name="JobStartMs">From the 201 to the start of the evaluation that raised the alert (the alert's raisedUtc); null when not seen.</param>
/// <param name="Polls">GET requests the monitor made for it.</param>
public sealed record FiringOutcome(string Rule, double AtSeconds, double? LatencyMs, double? JobStartMs, int Polls);

/// <summary>The job queue of the API's in-process Hangfire server at one moment.</summary>
public sealed record QueueSample(double AtSeconds, long Enqueued, long Processing, long Succeeded);

public sealed record LatencyRun(
    int Written, TimeSpan Elapsed, double WriteP50Ms, double WriteP99Ms, double SendLagP99Ms, double SendLagMaxMs, int WriteErrors, string? FirstError,
    IReadOnlyList<FiringOutcome> Firing, int MissingAtEnd, int StrayAlerts, IReadOnlyList<QueueSample> Queue, double CoresBusy,
    double MonitorPollsPerSecond)
{
    public double PerSecond => Written / Elapsed.TotalSeconds;
    public IReadOnlyList<double> Latencies => Firing.Where(f => f.LatencyMs is not null).Select(f => f.LatencyMs!.Value).Order().ToList();
    public int Missing => Firing.Count(f => f.LatencyMs is null);
}

/// <summary>
/// How soon a monitor sees a safety alert while investigators enter assessments at a steady
/// rate. The real API (in-process Hangfire server, SQLite as shipped) receives a paced, open-loop
/// stream of assessments from several clients (<see cref="Workload"/>: one in ten carries values that fire a rule). For
/// each of those, a monitor polls the alert list from the moment of the 201 until the alert is
/// listed.
/// </summary>
public static class LatencyBenchmark
{
    /// <summary>Assessments per second in the stream (<c>--rate</c>).</summary>
    public static int Rate { get; set; } = 250;

    /// <summary>
    /// Each participant's assessments in the order administered (<c>--in-order</c>), as sites enter them, rather than
    /// shuffled, where most are late entries whose evaluation also evaluates again the later assessments compared with them.
    /// </summary>
    public static bool InAdministeredOrder { get; set; }
    public const int Clients = 10;
    public const int WarmUpSeconds = 10;
    public const int MeasuredSeconds = 60;
    public const int PollIntervalMs = 15;
    public const int PollBoundSeconds = 10;

    /// <summary>
    /// The most GET requests per second the monitor makes in all. While few alerts are awaited the
    /// monitor polls each every <see cref="PollIntervalMs"/>; when many are (alerts come late) their
    /// polls share this rate, so late alerts do not load the server with ever more requests.
    /// </summary>
    public const int MaxPollsPerSecond = 300;
    public const string SiteCode = "LAT";

    /// <summary>Enough participants for every assessment to be a different slot of the battery (49 each), and a few more.</summary>
    public static int Participants => (Rate * (WarmUpSeconds + MeasuredSeconds) + 48) / 49 + 10;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>One assessment to post at its time in the stream.</summary>
    private sealed record Planned(string Url, byte[] Body, string ParticipantCode, string? Rule);

    /// <summary>Runs the stream against a fresh host.</summary>
    /// <param name="arrange">Called once the host runs, before the stream; what it returns is called when the stream has ended. Null: the API as shipped.</param>
    public static async Task<LatencyRun> RunAsync(Func<ApiHost, Action>? arrange = null)
    {
        var protocol = ProtocolLoader.LoadDefault();
        var warmUp = Rate * WarmUpSeconds;
        var total = warmUp + Rate * MeasuredSeconds;
        await using var host = new ApiHost();
        var token = await host.CreateInvestigatorAsync(SiteCode);
        var monitorToken = await host.CreateUserAsync("Monitor Bench", Roles.Monitor, SiteCode);
        List<string> codes;
        using (var investigator = host.Client(token))
        {
            codes = await ApiHost.EnrolAsync(investigator, SiteCode, Participants);
            await ApiHost.RecordVisitsAsync(investigator, protocol, codes);
        }
        var plan = Plan(protocol, codes, total);
        var cleanUp = arrange?.Invoke(host);

        var clients = Enumerable.Range(0, Clients).Select(_ => host.Client(token)).ToList();
        using var monitor = host.Client(monitorToken);
        try
        {
            return await StreamAsync(host, plan, warmUp, clients, monitor);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
            cleanUp?.Invoke();
        }
    }

    private static List<AssessmentSlot> Ordered(List<AssessmentSlot> shuffled) => InAdministeredOrder ? Workload.InAdministeredOrder(shuffled) : shuffled;

    /// <summary>The workload's first <paramref name="count"/> assessments as requests (one in <see cref="Workload.FiringEvery"/> fires a rule).</summary>
    private static List<Planned> Plan(ProtocolDefinition protocol, IReadOnlyList<string> codes, int count) =>
        Ordered(Workload.Slots(protocol, codes.Count, DateTime.UtcNow, seed: 20260311)).Take(count).Select(slot => new Planned(
            $"/api/v1/participants/{codes[slot.Participant]}/visits/{slot.VisitCode}/assessments",
            JsonSerializer.SerializeToUtf8Bytes(new { instrument = slot.Instrument.Code, timepoint = slot.Timepoint, administeredUtc = slot.AdministeredUtc, items = slot.Items }, JsonSerializerOptions.Web),
            codes[slot.Participant], slot.Rule)).ToList();

    private static async Task<LatencyRun> StreamAsync(ApiHost host, List<Planned> plan, int warmUp, List<HttpClient> clients, HttpClient monitor)
    {
        var n = plan.Count;
        var sent = new long[n];
        var done = new long[n];
        var status = new HttpStatusCode[n];
        var outcomes = new FiringOutcome?[n];
        string? firstError = null;
        var firingIds = new string?[n];

        var ticksPerRequest = (double)Stopwatch.Frequency / Rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var measuredStart = start + (long)(warmUp * ticksPerRequest);
        var utcAtMeasuredStart = DateTime.UtcNow + Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measuredStart);
        long Due(int k) => start + (long)(k * ticksPerRequest);
        double Seconds(long timestamp) => (timestamp - measuredStart) / (double)Stopwatch.Frequency;

        // The Hangfire queue and the process's CPU, sampled while the stream runs.
        var storage = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var samples = new List<QueueSample>();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var statistics = storage.GetStatistics();
                samples.Add(new QueueSample(Seconds(Stopwatch.GetTimestamp()), statistics.Enqueued, statistics.Processing, statistics.Succeeded));
                try { await Task.Delay(250, stopSampling.Token); }
                catch (OperationCanceledException) { break; }
            }
        });

        var pacer = new PollPacer(MaxPollsPerSecond);
        async Task PostAsync(HttpClient client, int k)
        {
            var request = plan[k];
            sent[k] = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(request.Body);
            content.Headers.ContentType = Json;
            using var response = await client.PostAsync(request.Url, content);
            done[k] = Stopwatch.GetTimestamp();
            status[k] = response.StatusCode;
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Interlocked.CompareExchange(ref firstError, $"{request.Url} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null);
                return;
            }
            if (request.Rule is null) return;
            using var created = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            var id = created.RootElement.GetProperty("id").GetGuid().ToString("N");
            firingIds[k] = id;
            outcomes[k] = await WatchAsync(monitor, pacer, request, id, done[k], Seconds(done[k]), utcAtMeasuredStart.AddSeconds(Seconds(done[k])));
        }

        var cpuBefore = ProcessCpu();
        // Open loop: each client posts at fixed times whether or not its earlier requests have been answered.
        await Task.WhenAll(clients.Select(async (client, c) =>
        {
            var inFlight = new List<Task>();
            for (var k = c; k < n; k += clients.Count)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Due(k));
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                inFlight.Add(PostAsync(client, k));
            }
            await Task.WhenAll(inFlight);
        }));
        var cpu = ProcessCpu() - cpuBefore;
        var streamSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await stopSampling.CancelAsync();
        await sampler;

        var measured = Enumerable.Range(warmUp, n - warmUp).ToList();
        var written = measured.Count(k => status[k] == HttpStatusCode.Created);
        var elapsed = Stopwatch.GetElapsedTime(measuredStart, measured.Max(k => done[k]));
        var writeLatencies = measured.Select(k => (done[k] - sent[k]) * 1000.0 / Stopwatch.Frequency).Order().ToList();
        var lags = measured.Select(k => (sent[k] - Due(k)) * 1000.0 / Stopwatch.Frequency).Order().ToList();
        var errors = Enumerable.Range(0, n).Count(k => status[k] != HttpStatusCode.Created);
        var measuredFiring = measured.Where(k => outcomes[k] is not null).Select(k => outcomes[k]!).ToList();

        // Every firing assessment, warm-up included, must have its alert; any not seen in time is looked for once more now.
        var allFiring = Enumerable.Range(0, n).Where(k => plan[k].Rule is not null && status[k] == HttpStatusCode.Created).ToList();
        var missingAtEnd = 0;
        foreach (var k in allFiring.Where(k => outcomes[k]!.LatencyMs is null))
            if (!await ListedAsync(monitor, plan[k], firingIds[k]!)) missingAtEnd++;
        var stray = await StrayAlertsAsync(monitor, allFiring.Select(k => firingIds[k]!).ToHashSet());

        return new LatencyRun(written, elapsed, Stats.Percentile(writeLatencies, 50), Stats.Percentile(writeLatencies, 99),
            Stats.Percentile(lags, 99), lags[^1], errors, firstError, measuredFiring, missingAtEnd, stray, samples,
            cpu.TotalSeconds / streamSeconds, pacer.Count / streamSeconds);
    }

    /// <summary>Polls the alert list as a monitor would, from the 201 until the alert is listed or the bound has passed.</summary>
    private static async Task<FiringOutcome> WatchAsync(HttpClient monitor, PollPacer pacer, Planned request, string sourceId, long createdAt, double atSeconds, DateTime createdUtc)
    {
        var url = AlertsUrl(request);
        var polls = 0;
        while (true)
        {
            await pacer.WaitAsync();
            using var response = await monitor.GetAsync(url);
            var now = Stopwatch.GetTimestamp();
            polls++;
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {url} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            using var alerts = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            foreach (var alert in alerts.RootElement.EnumerateArray())
            {
                if (alert.GetProperty("sourceId").GetString() != sourceId) continue;
                var raised = alert.GetProperty("raisedUtc").GetDateTime();
                raised = raised.Kind == DateTimeKind.Local ? raised.ToUniversalTime() : DateTime.SpecifyKind(raised, DateTimeKind.Utc);
                return new FiringOutcome(request.Rule!, atSeconds, (now - createdAt) * 1000.0 / Stopwatch.Frequency, (raised - createdUtc).TotalMilliseconds, polls);
            }
            if (Stopwatch.GetElapsedTime(createdAt) > TimeSpan.FromSeconds(PollBoundSeconds))
                return new FiringOutcome(request.Rule!, atSeconds, null, null, polls);
            await Task.Delay(PollIntervalMs);
        }
    }

    private static string AlertsUrl(Planned request) => $"/api/v1/safety-alerts?participant={request.ParticipantCode}&rule={request.Rule}";

    private static async Task<bool> ListedAsync(HttpClient monitor, Planned request, string sourceId)
    {
        using var alerts = JsonDocument.Parse(await monitor.GetStringAsync(AlertsUrl(request)));
        return alerts.RootElement.EnumerateArray().Any(a => a.GetProperty("sourceId").GetString() == sourceId);
    }

    /// <summary>Alerts raised on an assessment that was meant to fire none: the steady values must stay below every threshold.</summary>
    private static async Task<int> StrayAlertsAsync(HttpClient monitor, HashSet<string> firing)
    {
        using var alerts = JsonDocument.Parse(await monitor.GetStringAsync("/api/v1/safety-alerts"));
        return alerts.RootElement.EnumerateArray().Count(a =>
            a.GetProperty("sourceType").GetString() == "assessment" && !firing.Contains(a.GetProperty("sourceId").GetString()!));
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <summary>Spaces requests at least 1 / rate apart, across all callers.</summary>
public sealed class PollPacer(int perSecond)
{
    private readonly long _spacing = Stopwatch.Frequency / perSecond;
    private long _next;

    /// <summary>Requests made through the pacer.</summary>
    public long Count => Interlocked.Read(ref _count);

    private long _count;

    public async Task WaitAsync()
    {
        Interlocked.Increment(ref _count);
        long slot;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var next = Interlocked.Read(ref _next);
            slot = Math.Max(now, next);
            if (Interlocked.CompareExchange(ref _next, slot + _spacing, next) == next) break;
        }
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }
}
