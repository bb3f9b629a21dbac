using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Trial.Core.Protocol;

namespace Trial.Bench;

/// <summary>
/// <c>-- import [--rows N]</c>: N MADRS assessments (100,000 unless told) sent as one application/x-ndjson body to
/// POST /api/v1/imports/assessments (per-row mode), then N more as one text/csv body in the layout of items.csv (ten rows an
/// assessment), beside the same kind of assessment sent one POST at a time (one client, then 8). The lines are made as they
/// are sent and the answer is read as it arrives, so the bench holds neither; the peak resident memory (VmHWM) is reset just
/// before each import and read after it. The API runs in this process (see
/// <see cref="ApiHost"/>), so that peak is the API's and the bench's together.
/// </summary>
public static partial class ImportBenchmark
{
    public const int SinglePostRows = 2_000;

    public static async Task RunAsync(int rows)
    {
        var protocol = ProtocolLoader.LoadDefault();
        // Every visit and timepoint of a participant is one MADRS slot (unscheduled where the protocol does not schedule one).
        var visits = protocol.Visits.Where(v => v.Kind != VisitKinds.Screening).ToList();
        var slotsEach = visits.Sum(v => v.Kind == VisitKinds.Infusion ? protocol.Timepoints.Count : 1);
        var importParticipants = (rows + slotsEach - 1) / slotsEach;
        var postParticipants = (2 * SinglePostRows + slotsEach - 1) / slotsEach;
        Console.WriteLine($"== import: {rows:N0} MADRS through POST /api/v1/imports/assessments (per-row) as JSON lines, then {rows:N0} as CSV, " +
                          $"{slotsEach} slots per participant, {importParticipants:N0} participants each; beside {SinglePostRows:N0} single POSTs with 1 client and with 8");

        await using var host = new ApiHost();
        var token = await host.CreateInvestigatorAsync("WAW");
        using var investigator = host.Client(token);
        investigator.Timeout = TimeSpan.FromHours(1);
        var setup = Stopwatch.StartNew();
        var codes = await ApiHost.EnrolAsync(investigator, "WAW", 2 * importParticipants + postParticipants);
        await ApiHost.RecordVisitsAsync(investigator, protocol, codes);
        Console.WriteLine($"set-up: {codes.Count:N0} participants enrolled and their visits recorded in {setup.Elapsed.TotalSeconds:N0} s");

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        IEnumerable<(string Code, string Visit, string? Timepoint, DateTime At)> Slots(int from, int count) =>
            Enumerable.Range(from, count).SelectMany(p =>
            {
                var dates = Workload.VisitDates(protocol, p, today);
                return visits.SelectMany(v => v.Kind == VisitKinds.Infusion
                    ? protocol.Timepoints.Select(t => (codes[p], v.Code, (string?)t, Workload.AdministeredUtc(dates[v.Code], t)))
                    : [(codes[p], v.Code, (string?)null, Workload.AdministeredUtc(dates[v.Code], null))]);
            });
        var items = new decimal?[] { 3, 4, 2, 3, 1, 3, 2, 3, 4, 1 };

        // Single POSTs: one client, then 8 clients, each on slots of their own.
        var single = Slots(2 * importParticipants, postParticipants).Take(2 * SinglePostRows).ToList();
        var oneClient = await PostAsync(host, token, single.Take(SinglePostRows).ToList(), items, clients: 1);
        var eightClients = await PostAsync(host, token, single.Skip(SinglePostRows).ToList(), items, clients: 8);

        // The imports: lines made while they are sent. JSON lines first, then the same kind of assessments, for participants of
        // their own, as CSV in the layout of items.csv (the columns the import reads, and rowKey and unscheduled on each row).
        var json = await ImportAsync(investigator, rows, "application/x-ndjson", Slots(0, importParticipants).Take(rows).Select(s => JsonSerializer.SerializeToUtf8Bytes(new
        {
            participantCode = s.Code, visitCode = s.Visit, rowKey = $"{s.Code}/{s.Visit}/{s.Timepoint}", instrument = "MADRS", timepoint = s.Timepoint,
            administeredUtc = s.At, items, unscheduled = true,
        })));
        var csvRows = Slots(importParticipants, importParticipants).Take(rows).SelectMany(s => items.Select((value, i) => Encoding.UTF8.GetBytes(
            $"{s.Code},{s.Visit},MADRS,{s.Timepoint},{s.At:yyyy-MM-dd'T'HH:mm:ss'Z'},MADRS{i + 1:00},{value},{s.Code}/{s.Visit}/{s.Timepoint},TRUE")));
        var csv = await ImportAsync(investigator, rows, "text/csv",
            csvRows.Prepend("USUBJID,VISIT,QSCAT,QSTPT,QSDTC,QSTESTCD,QSORRES,rowKey,unscheduled"u8.ToArray()));

        var table = new Table("path", "assessments", "seconds", "per second");
        table.Add("single POST, 1 client", Format.N0(SinglePostRows), Format.N2(oneClient.TotalSeconds), Format.N0(SinglePostRows / oneClient.TotalSeconds));
        table.Add("single POST, 8 clients", Format.N0(SinglePostRows), Format.N2(eightClients.TotalSeconds), Format.N0(SinglePostRows / eightClients.TotalSeconds));
        foreach (var (name, import) in new[] { ("JSON lines", json), ("CSV", csv) })
            table.Add($"import, 1 request (per-row), {name}", Format.N0(rows), Format.N2(import.Elapsed.TotalSeconds), Format.N0(rows / import.Elapsed.TotalSeconds));
        table.Print();
        foreach (var (name, import) in new[] { ("JSON lines", json), ("CSV", csv) })
        {
            Console.WriteLine($"import, {name}: {rows:N0} accepted; resident memory before {import.Before / 1024:N0} MB, " +
                              $"peak during the import (VmHWM) {import.Peak / 1024:N0} MB");
        }
        Console.WriteLine();
    }

    /// <summary>One import request of <paramref name="lines"/>, timed from the first byte sent to the last read, with the resident memory before it and its peak.</summary>
    private static async Task<(TimeSpan Elapsed, long Before, long Peak)> ImportAsync(HttpClient investigator, int rows, string mediaType, IEnumerable<byte[]> lines)
    {
        var before = Memory("VmRSS");
        ResetPeak();
        var clock = Stopwatch.StartNew();
        var response = await investigator.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/api/v1/imports/assessments") { Content = new LinesContent(lines, mediaType) },
            HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"import: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await using var answer = await response.Content.ReadAsStreamAsync();
        var head = new byte[64];
        var read = await answer.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false);
        await answer.CopyToAsync(Stream.Null);
        clock.Stop();
        var peak = Memory("VmHWM");
        var counts = Counts().Match(Encoding.UTF8.GetString(head, 0, read));
        var (accepted, refused) = (int.Parse(counts.Groups[1].Value), int.Parse(counts.Groups[2].Value));
        if (accepted != rows) throw new InvalidOperationException($"import ({mediaType}): {accepted} accepted, {refused} refused of {rows}");
        return (clock.Elapsed, before, peak);
    }

    private static async Task<TimeSpan> PostAsync(ApiHost host, string token, List<(string Code, string Visit, string? Timepoint, DateTime At)> slots, decimal?[] items,
        int clients)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            using var client = host.Client(token);
            int i;
            while ((i = Interlocked.Increment(ref next)) < slots.Count)
            {
                var s = slots[i];
                var response = await client.PostAsJsonAsync($"/api/v1/participants/{s.Code}/visits/{s.Visit}/assessments",
                    new { instrument = "MADRS", timepoint = s.Timepoint, administeredUtc = s.At, items, unscheduled = true });
                if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }));
        return clock.Elapsed;
    }

    /// <summary>A kilobyte figure of /proc/self/status (VmRSS, VmHWM); 0 where there is none.</summary>
    private static long Memory(string field)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>Resets VmHWM to the present resident size (Linux: 5 to clear_refs), so the peak read after is the import's.</summary>
    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [GeneratedRegex("\"accepted\":(\\d+),\"refused\":(\\d+)")]
    private static partial Regex Counts();

    /// <summary>The body: each line written as it is made, newline-terminated, with no length known beforehand (chunked).</summary>
    private sealed class LinesContent : HttpContent
    {
        private readonly IEnumerable<byte[]> _lines;

        public LinesContent(IEnumerable<byte[]> lines, string mediaType)
        {
            _lines = lines;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = new BufferedStream(stream, 64 * 1024);
            foreach (var line in _lines)
            {
                await buffer.WriteAsync(line);
                buffer.WriteByte((byte)'\n');
            }
            await buffer.FlushAsync();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
