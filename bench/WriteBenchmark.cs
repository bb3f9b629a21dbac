using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Access;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;

namespace Trial.Bench;

/// <summary>Throughput, latency and cost of one way of writing assessments.</summary>
/// <param name="Name">What wrote.</param>
/// <param name="Count">Writes measured.</param>
/// <param name="Elapsed">Time they took, summed over the rounds.</param>
/// <param name="Cpu">CPU time of the whole process (clients and server alike) while writing.</param>
/// <param name="CpuAfter">CPU time of work left behind that ran after the last write of a round (a logger draining its queue).</param>
/// <param name="AllocatedBytes">Bytes allocated by the whole process while writing.</param>
/// <param name="P50Ms">Median latency of one write.</param>
/// <param name="P99Ms">99th percentile latency of one write.</param>
/// <param name="RoundRates">Writes per second in each round.</param>
public sealed record WriteRun(
    string Name, int Count, TimeSpan Elapsed, TimeSpan Cpu, TimeSpan CpuAfter, long AllocatedBytes, double P50Ms, double P99Ms, double[] RoundRates)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;

    /// <summary>CPU time per write, including work left behind.</summary>
    public double CpuMsPerWrite => (Cpu + CpuAfter).TotalMilliseconds / Count;

    /// <summary>Average number of processors busy while writing.</summary>
    public double CoresBusy => Cpu / Elapsed;

    public double KbAllocatedPerWrite => AllocatedBytes / 1024.0 / Count;

    /// <summary>This run's throughput over <paramref name="baseline"/>'s, round by round (each pair measured seconds apart): median, lowest and highest.</summary>
    public (double Median, double Min, double Max) RatioTo(WriteRun baseline)
    {
        var ratios = RoundRates.Zip(baseline.RoundRates, (a, b) => a / b).Order().ToList();
        return (Stats.Median(ratios), ratios[0], ratios[^1]);
    }
}

/// <summary>One way of writing the workload's assessments, each to its own fresh database.</summary>
public interface IAssessmentWriter : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Writes slots [<paramref name="from"/>, <paramref name="to"/>); returns the time taken and each write's latency.</summary>
    Task<(TimeSpan Elapsed, double[] LatenciesMs)> WriteAsync(int from, int to);
}

/// <summary>
/// Runs every writer over the same assessments: a warm-up, then the measured assessments in
/// rounds; in each round every writer writes its next chunk, in an order that rotates from
/// round to round. On a shared machine whose speed drifts, every writer so sees the same
/// conditions, and ratios taken round by round hold.
/// </summary>
public static class WriteBenchmark
{
    public const int Participants = 200;
    public const int WarmUp = 1000;
    public const int Measured = 4000;
    public const int Rounds = 8;
    public const string SiteCode = "BEN";

    /// <summary>The bench site and its <see cref="Participants"/> participants, written straight to <paramref name="db"/>; returns their ids.</summary>
    public static async Task<Guid[]> LoadParticipantsAsync(Database db, ProtocolDefinition protocol, DateTime now)
    {
        var participants = Enumerable.Range(0, Participants).Select(_ => SequentialGuid.New(now)).ToArray();
        await SyntheticData.LoadAsync(db, async c =>
        {
            await AccessQueries.InsertSiteAsync(c, new SiteRow { Code = SiteCode, Name = "Bench site", CreatedUtc = now });
            for (var i = 0; i < participants.Length; i++)
                await ParticipantQueries.InsertAsync(c, SeedData.Participant(participants[i], SiteCode, i + 1, Workload.EnrolledDate(i, DateOnly.FromDateTime(now)), protocol.Version, now));
            return 0;
        });
        return participants;
    }

    public static async Task<List<WriteRun>> RunAsync(IReadOnlyList<IAssessmentWriter> writers)
    {
        // Long enough for the JIT to finish tiering up the API's hot paths.
        foreach (var writer in writers)
        {
            await writer.WriteAsync(0, WarmUp);
            await SettleAsync();
        }

        var n = writers.Count;
        var elapsed = new TimeSpan[n];
        var cpu = new TimeSpan[n];
        var cpuAfter = new TimeSpan[n];
        var allocated = new long[n];
        var rates = new double[n][];
        var latencies = new List<double>[n];
        for (var w = 0; w < n; w++) { rates[w] = new double[Rounds]; latencies[w] = []; }

        var chunk = Measured / Rounds;
        for (var round = 0; round < Rounds; round++)
        {
            var from = WarmUp + round * chunk;
            for (var k = 0; k < n; k++)
            {
                var w = (k + round) % n;
                var cpuBefore = ProcessCpu();
                var allocatedBefore = GC.GetTotalAllocatedBytes();
                var (time, each) = await writers[w].WriteAsync(from, from + chunk);
                var cpuWritten = ProcessCpu();
                allocated[w] += GC.GetTotalAllocatedBytes() - allocatedBefore;
                await SettleAsync();
                cpu[w] += cpuWritten - cpuBefore;
                cpuAfter[w] += ProcessCpu() - cpuWritten;
                elapsed[w] += time;
                rates[w][round] = chunk / time.TotalSeconds;
                latencies[w].AddRange(each);
            }
        }
        return Enumerable.Range(0, n).Select(w =>
        {
            var sorted = latencies[w].Order().ToList();
            return new WriteRun(writers[w].Name, sorted.Count, elapsed[w], cpu[w], cpuAfter[w], allocated[w], Stats.Percentile(sorted, 50), Stats.Percentile(sorted, 99), rates[w]);
        }).ToList();
    }

    /// <summary>
    /// Waits until the process is idle again: work a writer leaves behind (the console logger
    /// draining its queue, JIT tiering) must not run inside, and slow down, the next writer's
    /// chunk. The caller counts the CPU spent meanwhile as the writer's.
    /// </summary>
    private static async Task SettleAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            var before = ProcessCpu();
            await Task.Delay(100);
            if ((ProcessCpu() - before).TotalMilliseconds < 10) return; // under a tenth of one processor
        }
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <summary>The real API over HTTP: a fresh host, a site, an investigator and the participants created through the API, then concurrent clients posting assessments.</summary>
public sealed class ApiWriter : IAssessmentWriter
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly ApiHost _host;
    private readonly List<HttpClient> _clients;

    /// <summary>The API's writes so far and the transactions that held them (group commit), or null for the HTTP floor.</summary>
    public (long Batches, long Writes)? WriteStatistics =>
        _host.Services.GetRequiredService<Database>().WriteStatistics;
    private readonly List<PreparedRequest> _requests;

    private ApiWriter(string name, ApiHost host, List<HttpClient> clients, List<PreparedRequest> requests)
    {
        Name = name;
        _host = host;
        _clients = clients;
        _requests = requests;
    }

    public string Name { get; }

    /// <summary>
    /// A fresh host with <paramref name="clients"/> clients; <paramref name="settings"/> configure the host beyond the defaults
    /// (none: the API as shipped).
    /// </summary>
    public static async Task<ApiWriter> StartAsync(string name, IReadOnlyList<AssessmentSlot> slots, int clients, IDictionary<string, string?>? settings = null)
    {
        var host = new ApiHost(settings);
        var token = await host.CreateInvestigatorAsync(WriteBenchmark.SiteCode);
        List<string> codes;
        using (var investigator = host.Client(token))
        {
            codes = await ApiHost.EnrolAsync(investigator, WriteBenchmark.SiteCode, WriteBenchmark.Participants);
            await ApiHost.RecordVisitsAsync(investigator, Trial.Core.Protocol.ProtocolLoader.LoadDefault(), codes);
        }
        var requests = slots.Select(s => Request(s, codes[s.Participant])).ToList();
        return new ApiWriter(name, host, Enumerable.Range(0, clients).Select(_ => host.Client(token)).ToList(), requests);
    }

    /// <summary>
    /// Not a write: as many <c>GET /health/live</c> (no authentication, database or body) as
    /// assessments, to show what the HTTP round trip alone costs on this machine, clients included.
    /// </summary>
    public static ApiWriter HttpFloor(string name, int requests, int clients)
    {
        var host = new ApiHost();
        var probe = new PreparedRequest("/health/live", null);
        return new ApiWriter(name, host, Enumerable.Range(0, clients).Select(_ => host.Client(token: null)).ToList(), Enumerable.Repeat(probe, requests).ToList());
    }

    private sealed record PreparedRequest(string Url, byte[]? Body);

    /// <summary>Serialised ahead of time so the clients spend as little CPU as possible (they share the machine with the server).</summary>
    private static PreparedRequest Request(AssessmentSlot s, string participantCode) => new(
        $"/api/v1/participants/{participantCode}/visits/{s.VisitCode}/assessments",
        JsonSerializer.SerializeToUtf8Bytes(new { instrument = s.Instrument.Code, timepoint = s.Timepoint, administeredUtc = s.AdministeredUtc, items = s.Items }, JsonSerializerOptions.Web));

    /// <summary>Each client sends the next request not yet taken until none is left; every POST must answer 201 Created.</summary>
    public async Task<(TimeSpan Elapsed, double[] LatenciesMs)> WriteAsync(int from, int to)
    {
        var latencies = new double[to - from];
        var next = from - 1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(_clients.Select(async client =>
        {
            await Task.Yield();
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await SendAsync(client, _requests[i]);
                latencies[i - from] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (response.StatusCode != (_requests[i].Body is null ? HttpStatusCode.OK : HttpStatusCode.Created))
                    throw new InvalidOperationException($"{_requests[i].Url} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }));
        return (total.Elapsed, latencies);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, PreparedRequest request)
    {
        if (request.Body is null) return await client.GetAsync(request.Url);
        using var content = new ByteArrayContent(request.Body);
        content.Headers.ContentType = Json;
        return await client.PostAsync(request.Url, content);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await _host.DisposeAsync();
    }
}

/// <summary>
/// The rows the API writes for an assessment (assessment, items, scores: the SQL of
/// <see cref="AssessmentQueries.InsertAsync"/>, scores from <see cref="Scorer"/>), through Dapper
/// to a fresh SQLite file opened by <see cref="Database"/> (same pragmas): on one connection, one
/// transaction per assessment (the ceiling), or through the application's write path with the
/// audit row, or through the same path built in the bench without it.
/// </summary>
public sealed class DirectWriter : IAssessmentWriter
{
    private readonly TempFolder _folder;
    private readonly Database _db;
    private readonly DbConnection? _connection;
    private readonly UnauditedGroupCommit? _unaudited;
    private readonly int _writers;
    private readonly IReadOnlyList<AssessmentSlot> _slots;
    private readonly Guid[] _participants;
    private readonly string _protocolVersion;
    private readonly Guid _userId = Guid.NewGuid();

    private DirectWriter(string name, TempFolder folder, Database db, DbConnection? connection, UnauditedGroupCommit? unaudited, int writers,
        IReadOnlyList<AssessmentSlot> slots, Guid[] participants, string protocolVersion)
    {
        Name = name;
        _writers = writers;
        _folder = folder;
        _db = db;
        _connection = connection;
        _unaudited = unaudited;
        _slots = slots;
        _participants = participants;
        _protocolVersion = protocolVersion;
    }

    public string Name { get; }

    private enum Way
    {
        /// <summary>One connection kept open, one transaction per assessment.</summary>
        Ceiling,

        /// <summary>The application's write path, with the audit row.</summary>
        Audited,

        /// <summary>The same path built in the bench, without the trail (<see cref="UnauditedGroupCommit"/>).</summary>
        Unaudited,
    }

    /// <summary>The ceiling: one writer on one connection kept open, nothing but the transaction and its inserts per assessment.</summary>
    public static Task<DirectWriter> CeilingAsync(IReadOnlyList<AssessmentSlot> slots) => StartAsync("Ceiling: Dapper, one open connection", slots, Way.Ceiling, writers: 1);

    /// <summary>
    /// As the ceiling, but each write through <see cref="Database.WriteAsync(Actor, DateTime, Func{WriteScope, Task}, CancellationToken)"/>
    /// as the API's are (the single writer's batches, one savepoint per write, an audit row with its hash in the chain), by
    /// <paramref name="writers"/> concurrent writers.
    /// </summary>
    public static Task<DirectWriter> ThroughDatabaseWriteAsync(IReadOnlyList<AssessmentSlot> slots, int writers) =>
        StartAsync($"Dapper through Database.WriteAsync + audit row, {writers} writer{(writers == 1 ? "" : "s")}", slots, Way.Audited, writers);

    /// <summary>
    /// The same writes by as many writers through the same kind of write path (<see cref="UnauditedGroupCommit"/>: one
    /// writer, the same batches, savepoints and flushes), without the audit trail: what the application's writes would cost
    /// without it.
    /// </summary>
    public static Task<DirectWriter> WithoutAuditAsync(IReadOnlyList<AssessmentSlot> slots, int writers) =>
        StartAsync($"the same without the audit row, {writers} writer{(writers == 1 ? "" : "s")}", slots, Way.Unaudited, writers);

    private static async Task<DirectWriter> StartAsync(string name, IReadOnlyList<AssessmentSlot> slots, Way way, int writers)
    {
        var folder = new TempFolder();
        var db = Sqlite.Create(folder.File("direct.db"));
        var protocol = ProtocolLoader.LoadDefault();
        var now = DateTime.UtcNow;
        var participants = await WriteBenchmark.LoadParticipantsAsync(db, protocol, now);
        var connection = way == Way.Ceiling ? await DurableConnectionAsync(db) : null;
        var unaudited = way == Way.Unaudited ? new UnauditedGroupCommit(db) : null;
        return new DirectWriter(name, folder, db, connection, unaudited, writers, slots, participants, protocol.Version);
    }

    /// <summary>Writes so far and the transactions that held them, through either group commit; null for the ceiling.</summary>
    public (long Batches, long Writes)? WriteStatistics => _connection is not null ? null : _unaudited?.Statistics ?? _db.WriteStatistics;

    /// <summary>What this writer has stored so far: assessments, their item and score rows, and audit rows.</summary>
    public Task<(long Assessments, long Items, long Scores, long AuditRows)> RowCountsAsync() =>
        _db.ReadAsync(async c => (
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Assessment"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM AssessmentItem"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM AssessmentScore"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM AuditEvent")));

    public async Task<(TimeSpan Elapsed, double[] LatenciesMs)> WriteAsync(int from, int to)
    {
        var latencies = new double[to - from];
        var next = from - 1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _writers).Select(async _ =>
        {
            await Task.Yield();
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                var start = Stopwatch.GetTimestamp();
                var slot = _slots[i];
                if (_connection is not null)
                {
                    await using var transaction = await _connection.BeginTransactionAsync();
                    await InsertAsync(new DbSession(_connection, transaction, DatabaseProvider.Sqlite), slot);
                    await transaction.CommitAsync();
                }
                else if (_unaudited is not null)
                {
                    await _unaudited.WriteAsync(c => InsertAsync(c, slot));
                }
                else
                {
                    await _db.WriteAsync(BenchActor, DateTime.UtcNow, async w =>
                    {
                        var (row, scores) = await InsertAsync(w.Session, slot);
                        // As the API audits a new assessment: its whole content.
                        await w.AuditAsync(AuditEntry.Created(AuditEntities.Assessment, row.Id.ToString(),
                            new { row.Id, row.VisitCode, row.Instrument, row.Timepoint, row.AdministeredUtc, row.Complete, row.SeverityBand, items = slot.Items, scores },
                            WriteBenchmark.SiteCode, "WAW-0001"));
                    });
                }

                latencies[i - from] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }));
        return (total.Elapsed, latencies);
    }

    /// <summary>Scores the items and inserts the assessment with its items and scores.</summary>
    private async Task<(AssessmentRow Row, IReadOnlyDictionary<string, decimal> Scores)> InsertAsync(DbSession c, AssessmentSlot s)
    {
        var now = DateTime.UtcNow;
        var score = Scorer.Score(s.Instrument, s.Items);
        var row = new AssessmentRow
        {
            Id = SequentialGuid.New(now),
            ParticipantId = _participants[s.Participant],
            VisitCode = s.VisitCode,
            Instrument = s.Instrument.Code,
            Timepoint = s.Timepoint ?? "",
            AdministeredUtc = s.AdministeredUtc,
            ReceivedUtc = now,
            Complete = score.Complete,
            SeverityBand = score.SeverityBand,
            DefinitionVersion = s.Instrument.Version,
            ProtocolVersion = _protocolVersion,
            RowVersion = 1,
            CreatedBy = _userId,
        };
        await AssessmentQueries.InsertAsync(c, row, s.Items, score.Scores);
        return (row, score.Scores);
    }

    /// <summary>A connection whose commits are on disk before they return, as the application's writer's are.</summary>
    private static async Task<DbConnection> DurableConnectionAsync(Database db)
    {
        var connection = await db.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=FULL;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    private static readonly Actor BenchActor = new(Guid.NewGuid(), Guid.NewGuid(), "bench writer", Roles.Investigator, [WriteBenchmark.SiteCode]);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_unaudited is not null) await _unaudited.DisposeAsync();
        await _db.DisposeAsync();
        _folder.Dispose();
    }
}
