using System.Diagnostics;
using Trial.Core.Protocol;

namespace Trial.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench [-- write | schedules | all]</c>: prints the machine,
/// then one table per scenario. Every ratio compares figures measured in the same run.
/// </summary>
public static class BenchProgram
{
    public const double WriteRatioTarget = 0.50;
    public const double P99TargetMs = 25;

    public static async Task<int> Main(string[] args)
    {
        var scenario = args.FirstOrDefault() ?? "all";
        if (scenario is not ("write" or "schedules" or "all"))
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project bench [-- write | schedules | all]");
            return 2;
        }

        Console.WriteLine("Trial benchmark");
        Console.WriteLine(Machine.Describe());
        Console.WriteLine();
        var total = Stopwatch.StartNew();
        if (scenario is "write" or "all") await WriteAsync();
        if (scenario is "schedules" or "all") await SchedulesAsync();
        Console.WriteLine($"Total time {total.Elapsed.TotalSeconds:N0} s.");
        return 0;
    }

    private static async Task WriteAsync()
    {
        Console.WriteLine($"== write: {WriteBenchmark.Measured:N0} assessments after {WriteBenchmark.WarmUp:N0} warm-up, {WriteBenchmark.Participants} participants, " +
                          $"SQLite WAL + synchronous=FULL; {WriteBenchmark.Rounds} rounds, writers interleaved");
        var slots = Workload.Slots(ProtocolLoader.LoadDefault(), WriteBenchmark.Participants, DateTime.UtcNow);
        // What the ASP.NET Core template's appsettings.json sets; the API ships without one, so it logs every request at Information.
        var requestLoggingOff = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" };

        var writers = new List<IAssessmentWriter>();
        List<WriteRun> runs;
        try
        {
            writers.Add(await ApiWriter.StartAsync("API over HTTP, 8 clients (as shipped)", slots, clients: 8));
            writers.Add(await DirectWriter.CeilingAsync(slots));
            // Where the difference goes:
            writers.Add(await ApiWriter.StartAsync("API, 8 clients, request logging off", slots, clients: 8, requestLoggingOff));
            writers.Add(await ApiWriter.StartAsync("API, 1 client", slots, clients: 1));
            writers.Add(await DirectWriter.ThroughDatabaseWriteAsync(slots, writers: 8));
            writers.Add(ApiWriter.HttpFloor("HTTP only: GET /health/live, 8 clients", slots.Count, clients: 8));
            runs = await WriteBenchmark.RunAsync(writers);
        }
        finally
        {
            foreach (var writer in writers) await writer.DisposeAsync();
        }
        var api = runs[0];
        var ceiling = runs[1];

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

        var ratio = api.RatioTo(ceiling).Median;
        Console.WriteLine($"API / ceiling: {Format.Percent(ratio)} (target >= {Format.Percent(WriteRatioTarget)}): {(ratio >= WriteRatioTarget ? "met" : "NOT met")}");
        Console.WriteLine($"API p99: {Format.N1(api.P99Ms)} ms (target <= {P99TargetMs} ms): {(api.P99Ms <= P99TargetMs ? "met" : "NOT met")}");
        Console.WriteLine();
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
}
