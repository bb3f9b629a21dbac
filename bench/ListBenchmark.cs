using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Trial.Application.Paging;

namespace Trial.Bench;

/// <summary>
/// One page of the safety-alert list (<c>GET /api/v1/safety-alerts</c>, 100 alerts) against the number of alerts in the
/// database: two APIs side by side, one over 10,000 alerts and one over 1,000,000 (or the sizes asked for), each alert written
/// straight into the SQLite file with one SQL statement (no person entered them, and the rules would need millions of writes
/// to raise as many). Half the alerts are at WAW and half at KRK, a third of each status. The requests alternate between
/// the two APIs, so both sizes see the same machine at the same moments; each figure is the median of many requests.
/// </summary>
public static class ListBenchmark
{
    public static readonly IReadOnlyList<int> DefaultSizes = [10_000, 1_000_000];
    public const int WarmUp = 100, Rounds = 20, PerRound = 25, ParticipantsPerSite = 20;

    /// <summary>What is asked: a name, and the request given the list's halfway cursor.</summary>
    private static readonly (string Name, bool AsMonitor, Func<string, string> Url)[] Requests =
    [
        ("first page, admin (every site)", false, _ => "/api/v1/safety-alerts"),
        ("first page, monitor of WAW, status=open", true, _ => "/api/v1/safety-alerts?status=open"),
        ("the page halfway down, admin", false, half => $"/api/v1/safety-alerts?cursor={half}"),
    ];

    public static async Task RunAsync(IReadOnlyList<int> sizes)
    {
        Console.WriteLine($"== lists: one page (100) of safety alerts at {string.Join(" and ", sizes.Select(s => Format.N0(s)))} alerts; " +
                          $"{Rounds} rounds of {PerRound} requests of each kind after {WarmUp} warm-up, the APIs alternating");
        var studies = new List<Study>();
        try
        {
            foreach (var size in sizes) studies.Add(await Study.StartAsync(size));
            var times = studies.Select(_ => Requests.Select(_ => new List<double>()).ToArray()).ToArray();
            for (var round = -1; round < Rounds; round++)
            {
                for (var n = 0; n < (round < 0 ? WarmUp : PerRound); n++)
                {
                    for (var r = 0; r < Requests.Length; r++)
                    {
                        for (var s = 0; s < studies.Count; s++)
                        {
                            var ms = await studies[s].TimeAsync(Requests[r].AsMonitor, Requests[r].Url(studies[s].HalfwayCursor));
                            if (round >= 0) times[s][r].Add(ms);
                        }
                    }
                }
            }

            var table = new Table(["request", .. sizes.SelectMany(s => new[] { $"{Format.N0(s)}: median ms", "p90 ms" }), $"ratio of medians {Format.N0(sizes[^1])} / {Format.N0(sizes[0])}"]);
            for (var r = 0; r < Requests.Length; r++)
            {
                var sorted = times.Select(t => t[r].Order().ToList()).ToList();
                table.Add([Requests[r].Name, .. sorted.SelectMany(t => new[] { Format.N2(Stats.Median(t)), Format.N2(Stats.Percentile(t, 90)) }),
                    Format.N2(Stats.Median(sorted[^1]) / Stats.Median(sorted[0]))]);
            }
            table.Print();
            Console.WriteLine($"Load average after: {Machine.LoadAverage()}");
            Console.WriteLine();
        }
        finally
        {
            foreach (var study in studies) await study.DisposeAsync();
        }
    }

    private sealed class Study : IAsyncDisposable
    {
        private ApiHost _host = null!;
        private HttpClient _admin = null!, _monitor = null!;

        public string HalfwayCursor { get; private set; } = "";

        public static async Task<Study> StartAsync(int alerts)
        {
            var study = new Study { _host = new ApiHost(new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" }) };
            var waw = study._host.Client(await study._host.CreateInvestigatorAsync("WAW"));
            var krk = study._host.Client(await study._host.CreateInvestigatorAsync("KRK"));
            await ApiHost.EnrolAsync(waw, "WAW", ParticipantsPerSite);
            await ApiHost.EnrolAsync(krk, "KRK", ParticipantsPerSite);
            study._monitor = study._host.Client(await study._host.CreateUserAsync("Monitor Bench", "monitor", "WAW"));
            study._admin = study._host.Client(await study._host.CreateUserAsync("Admin Bench", "admin", "WAW"));

            var seeding = Stopwatch.StartNew();
            await using var db = new SqliteConnection($"Data Source={study._host.DatabasePath}");
            await db.OpenAsync();
            await using (var seed = db.CreateCommand())
            {
                seed.CommandTimeout = 0;
                seed.CommandText = SeedSql;
                seed.Parameters.AddWithValue("@count", alerts);
                seed.Parameters.AddWithValue("@participants", 2 * ParticipantsPerSite);
                await seed.ExecuteNonQueryAsync();
            }
            await using (var half = db.CreateCommand())
            {
                half.CommandText = "SELECT RaisedUtc, Id FROM SafetyAlert ORDER BY RaisedUtc DESC, Id LIMIT 1 OFFSET @offset";
                half.Parameters.AddWithValue("@offset", alerts / 2);
                await using var reader = await half.ExecuteReaderAsync();
                await reader.ReadAsync();
                var raised = DateTime.Parse(reader.GetString(0), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                study.HalfwayCursor = Pages.Encode("safety-alerts", Pages.Key(raised), Pages.Key(Guid.Parse(reader.GetString(1))));
            }
            Console.WriteLine($"Seeded {Format.N0(alerts)} alerts in {seeding.Elapsed.TotalSeconds:N1} s.");
            return study;
        }

        // Every 30 seconds an alert, of the participants in turn (half at each site), ids as the application writes them.
        private const string SeedSql =
            """
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @count - 1),
            p AS (SELECT Id, ROW_NUMBER() OVER (ORDER BY Code) - 1 AS Number FROM Participant)
            INSERT INTO SafetyAlert (Id, ParticipantId, RuleCode, Severity, SourceType, SourceKey, VisitCode, Message, ValuesJson, Status, Escalated,
                                     RaisedUtc, SupersededUtc, ProtocolVersion)
            SELECT upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
                   p.Id, 'MADRS10_HIGH', 'high', 'Assessment', 'bench-' || n.i, 'INF1', 'MADRS item 10 (suicidal thoughts) of 4 or more.', '{"item10":"4"}',
                   CASE n.i % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'acknowledged' ELSE 'resolved' END, 0,
                   datetime('2025-01-01', '+' || (n.i * 30) || ' seconds'), NULL, '2.1.0'
            FROM n JOIN p ON p.Number = n.i % @participants
            """;

        public async Task<double> TimeAsync(bool asMonitor, string url)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await (asMonitor ? _monitor : _admin).GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode || body.Length < 1000)
                throw new InvalidOperationException($"GET {url} returned {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
            return ms;
        }

        public async ValueTask DisposeAsync()
        {
            _admin?.Dispose();
            _monitor?.Dispose();
            if (_host is not null) await _host.DisposeAsync();
        }
    }
}
