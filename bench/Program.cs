using System.Diagnostics;
using Trial.Core.Protocol;

namespace Trial.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench [-- write | audit | schedules | latency [--rate N] [--in-order] | evaluation | export | lists | all]</c>:
/// prints the machine, then one table per scenario. Every ratio compares figures measured in the same run.
/// <c>-- seed ...</c> builds a synthetic study instead (see <see cref="SeedCommand"/>).
/// <c>-- soak [--minutes N]</c> runs the long mixed load on its own (10 minutes unless told), never as part of <c>all</c>.
/// </summary>
public static class BenchProgram
{
    public const double WriteRatioTarget = 0.50;
    public const double P99TargetMs = 25;
    public const double AlertP95TargetMs = 1000;
    public const double AlertMaxTargetMs = 2000;
    public const double MinWriteRate = 200;
    public const double EvaluationGrowthTarget = 1.5;

    public static async Task<int> Main(string[] args)
    {
        var scenario = args.FirstOrDefault() ?? "all";
        if (scenario == "seed") return await SeedCommand.RunAsync(args[1..]);
        var rowsAt = Array.IndexOf(args, "--rows");
        var importRows = rowsAt >= 0 && rowsAt + 1 < args.Length && int.TryParse(args[rowsAt + 1], out var n) && n > 0 ? n : 100_000;
        if (Array.IndexOf(args, "--rate") is var r and >= 0 && r + 1 < args.Length && int.TryParse(args[r + 1], out var rate) && rate > 0)
            LatencyBenchmark.Rate = rate;
        LatencyBenchmark.InAdministeredOrder = args.Contains("--in-order");
        var exportOptions = scenario == "export" ? Options.Parse(args[1..]) : null;
        var minutes = 10.0;
        var minutesAt = Array.IndexOf(args, "--minutes");
        if (scenario is not ("write" or "audit" or "schedules" or "latency" or "evaluation" or "export" or "all" or "soak" or "import" or "lists")
            || (scenario == "export" && exportOptions is null)
            || minutesAt >= 0 && (scenario != "soak" || minutesAt + 1 >= args.Length
                                  || !double.TryParse(args[minutesAt + 1], System.Globalization.CultureInfo.InvariantCulture, out minutes) || minutes < 1))
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project bench [-- write | audit | schedules | latency [--rate N] [--in-order] | evaluation | all |");
            Console.Error.WriteLine("                                               export [--participants 2000] [--seed 42] [--db path] [--rounds 3] |");
            Console.Error.WriteLine("                                               lists [--alerts 10000,1000000] |");
            Console.Error.WriteLine("                                               soak [--minutes N (at least 1)] | import [--rows 100000]]");
            Console.Error.WriteLine("       dotnet run -c Release --project bench -- seed --participants N [--seed 42] [--out path]");
            return 2;
        }

        Console.WriteLine("Trial benchmark");
        Console.WriteLine(Machine.Describe());
        Console.WriteLine();
        var total = Stopwatch.StartNew();
        if (scenario is "write" or "all") await WriteAsync();
        if (scenario is "audit") await AuditAsync();
        if (scenario is "schedules" or "all") await SchedulesAsync();
        if (scenario is "latency" or "all") await LatencyAsync();
        if (scenario is "evaluation" or "all") await EvaluationAsync();
        if (scenario is "export")
        {
            await ExportBenchmark.RunAsync(int.Parse(exportOptions!.Value("participants", "2000"), System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(exportOptions.Value("seed", "42"), System.Globalization.CultureInfo.InvariantCulture), exportOptions.TryGet("db", out var db) ? db : null,
                int.Parse(exportOptions.Value("rounds", "3"), System.Globalization.CultureInfo.InvariantCulture));
        }
        if (scenario is "lists")
        {
            var at = Array.IndexOf(args, "--alerts");
            await ListBenchmark.RunAsync(at >= 0 && at + 1 < args.Length
                ? args[at + 1].Split(',').Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToList()
                : ListBenchmark.DefaultSizes);
        }
        if (scenario is "soak") await SoakAsync(TimeSpan.FromMinutes(minutes));
        if (scenario is "import") await ImportBenchmark.RunAsync(importRows);
        Console.WriteLine($"Total time {total.Elapsed.TotalSeconds:N0} s.");
        return 0;
    }

    private const string InOrderRow = "API, 8 clients (as shipped), entered in administered order";

    private static async Task WriteAsync()
    {
        Console.WriteLine($"== write: {WriteBenchmark.Measured:N0} assessments after {WriteBenchmark.WarmUp:N0} warm-up, {WriteBenchmark.Participants} participants, " +
                          $"SQLite WAL + synchronous=FULL; {WriteBenchmark.Rounds} rounds, writers interleaved");
        var slots = Workload.Slots(ProtocolLoader.LoadDefault(), WriteBenchmark.Participants, DateTime.UtcNow);
        var inOrder = Workload.InAdministeredOrder(slots);
        const int measuredTo = WriteBenchmark.WarmUp + WriteBenchmark.Measured;

        var noJobs = new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" };
        var writers = new List<IAssessmentWriter>();
        List<WriteRun> runs;
        try
        {
            writers.Add(await ApiWriter.StartAsync("API over HTTP, 8 clients (as shipped)", slots, clients: 8));
            writers.Add(await RawWriter.StartAsync(slots, writers: 1));
            writers.Add(await RawWriter.StartAsync(slots, writers: 8));
            // The ceiling the earlier figures used, reported beside the tight one.
            writers.Add(await DirectWriter.CeilingAsync(slots));
            writers.Add(await ApiWriter.StartAsync("API over HTTP, 1 client (as shipped)", slots, clients: 1));
            // The same assessments, each participant's entered in the order administered, as sites enter them.
            writers.Add(await ApiWriter.StartAsync(InOrderRow, inOrder, clients: 8));
            // Production shape: the API only enqueues the safety evaluation; workers elsewhere run it.
            writers.Add(await ApiWriter.StartAsync("API, 8 clients, jobs run elsewhere", slots, clients: 8, noJobs));
            writers.Add(await ApiWriter.StartAsync("API, 1 client, jobs run elsewhere", slots, clients: 1, noJobs));
            // What the audit trail costs: the application's write path with its audit row, and the same path without the
            // trail, built in the bench (the application has no way to write without it).
            writers.Add(await DirectWriter.ThroughDatabaseWriteAsync(slots, writers: 8));
            writers.Add(await DirectWriter.WithoutAuditAsync(slots, writers: 8));
            writers.Add(ApiWriter.HttpFloor("HTTP only: GET /health/live, 8 clients", slots.Count, clients: 8));
            runs = await WriteBenchmark.RunAsync(writers);
            PrintGroupCommit(writers);
        }
        finally
        {
            foreach (var writer in writers) await writer.DisposeAsync();
        }
        var api = runs[0];
        // The tight ceiling is the faster of the raw writers: with one writer per connection, more writers only contend for SQLite's one write lock.
        var ceiling = runs[1].PerSecond >= runs[2].PerSecond ? runs[1] : runs[2];
        var oldCeiling = runs[3];

        var table = new Table("run", "per second", "of ceiling (range)", "p50 ms", "p99 ms", "CPU ms each", "cores busy", "KB alloc each");
        foreach (var run in runs)
        {
            var (median, min, max) = run.RatioTo(ceiling);
            table.Add(run.Name, Format.N0(run.PerSecond), $"{Format.Percent(median)} ({Format.Percent(min)[..^2]}-{Format.Percent(max)})",
                Format.N2(run.P50Ms), Format.N2(run.P99Ms), Format.N2(run.CpuMsPerWrite), Format.N2(run.CoresBusy), Format.N0(run.KbAllocatedPerWrite));
        }
        table.Print();
        Console.WriteLine("of ceiling: the median over the rounds of (this run's rate / the ceiling's rate in the same round), lowest-highest in brackets.");
        Console.WriteLine("CPU ms each, cores busy, KB alloc each: the whole process (HTTP clients included) while that run wrote.");
        Console.WriteLine();

        Console.WriteLine($"Late entries among the {WriteBenchmark.Measured:N0} measured (a same-instrument assessment administered at the same time or later entered before; " +
                          $"the evaluation after one also evaluates again the later ones compared with it): shuffled {Workload.LateEntries(slots, WriteBenchmark.WarmUp, measuredTo):N0}, " +
                          $"in administered order {Workload.LateEntries(inOrder, WriteBenchmark.WarmUp, measuredTo):N0} (before concurrent clients reorder neighbours).");
        var inOrderRatio = runs.Single(r => r.Name == InOrderRow).RatioTo(ceiling).Median;
        Console.WriteLine($"API in administered order / ceiling: {Format.Percent(inOrderRatio)}, p99 {Format.N1(runs.Single(r => r.Name == InOrderRow).P99Ms)} ms");
        Console.WriteLine();

        PrintAuditCost(runs.Single(r => r.Name.StartsWith("Dapper through Database.WriteAsync + audit row", StringComparison.Ordinal)),
            runs.Single(r => r.Name.StartsWith("the same without the audit row", StringComparison.Ordinal)));

        Console.WriteLine($"The earlier ceiling (Dapper, one connection, one writer) is {Format.Percent(oldCeiling.RatioTo(ceiling).Median)} of the tight one.");
        var ratio = api.RatioTo(ceiling).Median;
        Console.WriteLine($"API / ceiling: {Format.Percent(ratio)} (target >= {Format.Percent(WriteRatioTarget)}): {(ratio >= WriteRatioTarget ? "met" : "NOT met")}");
        Console.WriteLine($"API p99: {Format.N1(api.P99Ms)} ms (target <= {P99TargetMs} ms): {(api.P99Ms <= P99TargetMs ? "met" : "NOT met")}");
        Console.WriteLine();
    }

    /// <summary>Only the audit trail's cost: the same writes through the application's write path with their audit row, and through the bench's copy of that path without it.</summary>
    private static async Task AuditAsync()
    {
        Console.WriteLine($"== audit: {WriteBenchmark.Measured:N0} assessments after {WriteBenchmark.WarmUp:N0} warm-up, 8 writers, through Database.WriteAsync with the audit row " +
                          "and through the same group commit without the trail (built in the bench)");
        var slots = Workload.Slots(ProtocolLoader.LoadDefault(), WriteBenchmark.Participants, DateTime.UtcNow);
        var writers = new List<IAssessmentWriter>();
        List<WriteRun> runs;
        try
        {
            writers.Add(await DirectWriter.ThroughDatabaseWriteAsync(slots, writers: 8));
            writers.Add(await DirectWriter.WithoutAuditAsync(slots, writers: 8));
            runs = await WriteBenchmark.RunAsync(writers);
            PrintGroupCommit(writers);
        }
        finally
        {
            foreach (var writer in writers) await writer.DisposeAsync();
        }
        PrintAuditCost(runs[0], runs[1]);
        Console.WriteLine();
    }

    /// <summary>How many writes each group commit gathered into one transaction (warm-up included).</summary>
    private static void PrintGroupCommit(IEnumerable<IAssessmentWriter> writers)
    {
        foreach (var writer in writers)
        {
            var statistics = writer switch { ApiWriter api => api.WriteStatistics, DirectWriter direct => direct.WriteStatistics, _ => null };
            if (statistics is { Writes: > 100 } stats)
                Console.WriteLine($"{writer.Name}: {stats.Writes:N0} writes in {stats.Batches:N0} transactions, {(double)stats.Writes / stats.Batches:N1} a transaction (group commit)");
        }
    }

    private static void PrintAuditCost(WriteRun audited, WriteRun unaudited)
    {
        var (ratio, min, max) = audited.RatioTo(unaudited);
        Console.WriteLine($"with the audit row:    {Format.N0(audited.PerSecond)}/s, {Format.N2(audited.CpuMsPerWrite)} CPU ms and {Format.N0(audited.KbAllocatedPerWrite)} KB each, p99 {Format.N1(audited.P99Ms)} ms");
        Console.WriteLine($"without the audit row: {Format.N0(unaudited.PerSecond)}/s, {Format.N2(unaudited.CpuMsPerWrite)} CPU ms and {Format.N0(unaudited.KbAllocatedPerWrite)} KB each, p99 {Format.N1(unaudited.P99Ms)} ms");
        // The bare write path, where the trail weighs most: the API spends more per assessment around the same write.
        Console.WriteLine($"Audit trail on the bare write path (no HTTP, scoring or jobs): writes with their audit row at {Format.Percent(ratio)} " +
                          $"({Format.Percent(min)[..^2]}-{Format.Percent(max)}) of the same writes without it, a cost of {Format.Percent(1 - ratio)}");
    }

    private static async Task SchedulesAsync()
    {
        Console.WriteLine("== schedules: rebuild every participant's schedule from scratch (stale-schedule sweep, one transaction each)");
        await ScheduleBenchmark.RunAsync(2_000); // warm-up: JIT tiering and the first files, so the first 1,000 run is not charged for them
        // The small size runs before and after the large one, so a drift of the machine's speed shows up in both.
        var before = await ScheduleBenchmark.RunAsync(1_000);
        var large = await ScheduleBenchmark.RunAsync(10_000);
        var after = await ScheduleBenchmark.RunAsync(1_000);

        var table = new Table("participants", "visit records", "seconds", "participants/s", "ms/participant", "median ms");
        foreach (var (label, run) in new[] { ("1,000 (before)", before), ("10,000", large), ("1,000 (after)", after) })
            table.Add(label, Format.N0(run.VisitRecords), Format.N2(run.Elapsed.TotalSeconds), Format.N0(run.PerSecond), Format.N2(run.MsPerParticipant), Format.N2(run.MedianMs));
        table.Print();
        Console.WriteLine("ms/participant: total time / participants; median ms: the median rebuild, which noise from other processes moves least.");

        var meanRatio = large.MsPerParticipant / ((before.MsPerParticipant + after.MsPerParticipant) / 2);
        var medianRatio = large.MedianMs / ((before.MedianMs + after.MedianMs) / 2);
        Console.WriteLine($"Cost per participant, 10,000 / 1,000 (1,000 = mean of before and after; 1.0 = linear): {Format.N2(meanRatio)} by total time, {Format.N2(medianRatio)} by median rebuild");
        Console.WriteLine();
    }

    private static async Task LatencyAsync()
    {
        Console.WriteLine($"== latency: {LatencyBenchmark.Rate} assessments/s{(LatencyBenchmark.InAdministeredOrder ? ", each participant's in the order administered," : "")} from {LatencyBenchmark.Clients} clients, paced (open loop), {LatencyBenchmark.MeasuredSeconds} s after {LatencyBenchmark.WarmUpSeconds} s warm-up, " +
                          $"{LatencyBenchmark.Participants} participants; 1 in {Workload.FiringEvery} fires a rule; a monitor polls for each alert every {LatencyBenchmark.PollIntervalMs} ms " +
                          $"(at most {LatencyBenchmark.MaxPollsPerSecond} GET/s in all) from the 201 on, for up to {LatencyBenchmark.PollBoundSeconds} s");
        var run = await LatencyBenchmark.RunAsync(null);
        PrintLatency(run);
        Console.WriteLine();
    }

    private static async Task EvaluationAsync()
    {
        var measured = EvaluationBenchmark.Rounds * EvaluationBenchmark.PerRound;
        Console.WriteLine($"== evaluation: the safety evaluation job (SafetyJobs, SQLite WAL) for one newly added self-reported BSL-23, participants with " +
                          $"{string.Join(" and ", EvaluationBenchmark.Sizes.Select(s => Format.N0(s)))} assessments; {measured} evaluations each after " +
                          $"{EvaluationBenchmark.WarmUp} warm-up, in {EvaluationBenchmark.Rounds} interleaved rounds");
        var runs = await EvaluationBenchmark.RunAsync();

        var table = new Table("assessments", "evaluated", "median ms", "p90 ms", "KB alloc (median)");
        foreach (var run in runs)
            table.Add(Format.N0(run.Assessments), run.Name, Format.N2(run.MedianMs), Format.N2(run.P90Ms), Format.N0(run.KbAllocated));
        table.Print();
        Console.WriteLine("whole participant: the write said it changed data (a correction), so the job read and evaluated the participant's whole history,");
        Console.WriteLine("as it did after every write before; new record alone: the write said it added a record, so the job read only what the rules compare it with.");
        Console.WriteLine();

        double Growth(bool whole) =>
            runs.Single(r => r.Whole == whole && r.Assessments == EvaluationBenchmark.Sizes[^1]).MedianMs
            / runs.Single(r => r.Whole == whole && r.Assessments == EvaluationBenchmark.Sizes[0]).MedianMs;
        var (small, large) = (Format.N0(EvaluationBenchmark.Sizes[0]), Format.N0(EvaluationBenchmark.Sizes[^1]));
        Console.WriteLine($"Cost {large} / {small} assessments, whole participant: {Format.N2(Growth(true))}");
        Console.WriteLine($"Cost {large} / {small} assessments, new record alone: {Format.N2(Growth(false))} (target <= {Format.N2(EvaluationGrowthTarget)}): " +
                          $"{(Growth(false) <= EvaluationGrowthTarget ? "met" : "NOT met")}");
        var atLarge = runs.Where(r => r.Assessments == EvaluationBenchmark.Sizes[^1]).ToList();
        var (alone, whole) = (atLarge.Single(r => !r.Whole).MedianMs, atLarge.Single(r => r.Whole).MedianMs);
        Console.WriteLine($"At {large} assessments (medians): new record alone {Format.N2(alone)} ms, whole participant {Format.N2(whole)} ms, {Format.N0(whole / alone)} times as long.");
        Console.WriteLine();
    }

    private static async Task SoakAsync(TimeSpan measured)
    {
        Console.WriteLine($"== soak: {Format.N0(measured.TotalMinutes)} minutes after {SoakBenchmark.WarmUp.TotalSeconds:N0} s warm-up; {SoakBenchmark.WriteRate} writes/s paced from " +
                          $"{SoakBenchmark.Investigators} investigators entering whole participants (enrolment, visits, the battery with 1 in {SoakBenchmark.FiringEvery} firing, " +
                          $"an adverse event, a correction) and a monitor acknowledging and resolving open alerts; reads paced at {SoakBenchmark.AlertReadRate}/s participant alerts, " +
                          $"{SoakBenchmark.ScheduleReadRate}/s visit plans, {SoakBenchmark.WorklistReadRate}/s worklist, plus the monitor's open-alert list each second; " +
                          $"the API as shipped (in-process jobs, SQLite); sampled every {SoakBenchmark.SampleEvery.TotalSeconds:N0} s");
        Console.WriteLine(SoakBenchmark.SampleHeader);
        var run = await SoakBenchmark.RunAsync(measured, sample => Console.WriteLine(SoakBenchmark.SampleLine(sample)));
        Console.WriteLine();
        Console.WriteLine($"{Format.N0(run.Participants)} participants entered, {Format.N0(run.AlertsRaised)} alerts raised, database {Format.N0(run.DatabaseMb)} MB at the end; " +
                          $"{Format.N0(run.Errors)} requests failed{(run.FirstError is null ? "" : " (first: " + run.FirstError + ")")}");
        Console.WriteLine();
        SoakBenchmark.PrintReport(run);
        var grown = SoakBenchmark.Drifts(run.Samples).Where(d => !d.WithinNoise).Select(d => d.Name).ToList();
        Console.WriteLine($"No growth beyond noise, first minute to last (target): {(grown.Count == 0 && run.Errors == 0 ? "met" : "NOT met" + (grown.Count > 0 ? ": " + string.Join(", ", grown) : "") + (run.Errors > 0 ? $"; {run.Errors} errors" : ""))}");
        Console.WriteLine($"Load at the end: {Machine.LoadAverage()} (1, 5, 15 min)");
        Console.WriteLine();
    }

    private static void PrintLatency(LatencyRun run)
    {
        var latencies = run.Latencies;
        double P(IReadOnlyList<double> sorted, double percent) => sorted.Count == 0 ? double.NaN : Stats.Percentile(sorted, percent);

        Console.WriteLine($"Writes:   {Format.N0(run.Written)} assessments in {Format.N1(run.Elapsed.TotalSeconds)} s = {Format.N0(run.PerSecond)}/s (201 Created), " +
                          $"p50 {Format.N1(run.WriteP50Ms)} ms, p99 {Format.N1(run.WriteP99Ms)} ms; sent late by p99 {Format.N1(run.SendLagP99Ms)} ms, at most {Format.N1(run.SendLagMaxMs)} ms; " +
                          $"{run.WriteErrors} not 201{(run.FirstError is null ? "" : " (first: " + run.FirstError + ")")}");
        Console.WriteLine($"Process:  {Format.N2(run.CoresBusy)} processors busy on average (server, clients and monitor); the monitor made {Format.N0(run.MonitorPollsPerSecond)} GET/s");
        Console.WriteLine();

        var table = new Table("rule", "firing", "seen", "p50 ms", "p95 ms", "max ms", "job start p50 ms", "job start p95 ms", "polls each");
        foreach (var group in run.Firing.GroupBy(f => f.Rule).OrderBy(g => g.Key, StringComparer.Ordinal).Prepend(null))
        {
            var firing = group?.ToList() ?? run.Firing.ToList();
            var seen = firing.Where(f => f.LatencyMs is not null).ToList();
            var ms = seen.Select(f => f.LatencyMs!.Value).Order().ToList();
            var job = seen.Select(f => f.JobStartMs!.Value).Order().ToList();
            table.Add(group?.Key ?? "all", Format.N0(firing.Count), Format.N0(seen.Count), Format.N1(P(ms, 50)), Format.N1(P(ms, 95)), Format.N1(P(ms, 100)),
                Format.N1(P(job, 50)), Format.N1(P(job, 95)), firing.Count == 0 ? "-" : Format.N1(firing.Average(f => f.Polls)));
        }
        table.Print();

        var windows = new Table("seconds", "firing", "p50 ms", "p95 ms", "max ms", "jobs queued (max)", "jobs running (max)", "jobs done/s");
        const int width = 10;
        for (var from = 0; from < LatencyBenchmark.MeasuredSeconds; from += width)
        {
            var inWindow = run.Firing.Where(f => f.AtSeconds >= from && f.AtSeconds < from + width).ToList();
            var ms = inWindow.Where(f => f.LatencyMs is not null).Select(f => f.LatencyMs!.Value).Order().ToList();
            var queue = run.Queue.Where(q => q.AtSeconds >= from && q.AtSeconds < from + width).ToList();
            windows.Add($"{from}-{from + width}", Format.N0(inWindow.Count), Format.N1(P(ms, 50)), Format.N1(P(ms, 95)), Format.N1(P(ms, 100)),
                queue.Count == 0 ? "-" : Format.N0(queue.Max(q => q.Enqueued)), queue.Count == 0 ? "-" : Format.N0(queue.Max(q => q.Processing)),
                queue.Count < 2 || run.Queue[^1].Succeeded == 0 ? "-" : Format.N0((queue[^1].Succeeded - queue[0].Succeeded) / (queue[^1].AtSeconds - queue[0].AtSeconds)));
        }
        windows.Print();
        Console.WriteLine("latency: from the POST's 201 to the monitor's first GET /api/v1/safety-alerts?participant=..&rule=.. response that lists the alert.");
        Console.WriteLine("job start: from the 201 to the start of the evaluation that raised the alert (its raisedUtc).");
        Console.WriteLine();

        var p95 = P(latencies, 95);
        var max = P(latencies, 100);
        Console.WriteLine($"Write rate: {Format.N0(run.PerSecond)}/s (target >= {Format.N0(MinWriteRate)}/s): {(run.PerSecond >= MinWriteRate && run.WriteErrors == 0 ? "met" : "NOT met")}");
        Console.WriteLine($"Alerts: {run.Firing.Count - run.Missing} of {run.Firing.Count} seen within {LatencyBenchmark.PollBoundSeconds} s; {run.MissingAtEnd} missing at the end (warm-up included); " +
                          $"{run.StrayAlerts} raised on assessments meant to fire none: {(run.Missing == 0 && run.MissingAtEnd == 0 && run.StrayAlerts == 0 ? "met" : "NOT met")}");
        Console.WriteLine($"Alert latency p95: {Format.N0(p95)} ms (target <= {Format.N0(AlertP95TargetMs)} ms): {(p95 <= AlertP95TargetMs && run.Missing == 0 ? "met" : "NOT met")}");
        Console.WriteLine($"Alert latency max: {Format.N0(max)} ms (target <= {Format.N0(AlertMaxTargetMs)} ms): {(max <= AlertMaxTargetMs && run.Missing == 0 ? "met" : "NOT met")}");
    }
}
