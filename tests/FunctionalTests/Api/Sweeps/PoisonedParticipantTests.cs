using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Safety;
using Trial.Db.Schedules;
using Trial.Hosting.Safety;
using Trial.Hosting.Schedules;
using Trial.Hosting.Sweeps;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Sweeps;

/// <summary>
/// Sweeps that survive a bad record. One participant's stored data is damaged behind the application's back, the way a
/// manual fix in the database or a faulty import would (a date that is not a date, a site time zone this machine does not
/// know), so that reading or evaluating it throws; a hundred other participants are healthy. Every recurring sweep must
/// still do its work for all hundred, log the damaged one by id without quoting its data, count the failure in the
/// worker's metric, and retry it later, less and less often, until it succeeds.
/// <para>
/// The host runs no job server (the API only enqueues, as when workers run elsewhere), so nothing but the test runs the
/// sweeps and every participant is left with the work they are meant to find.
/// </para>
/// </summary>
public class PoisonedParticipantTests
{
    private const int Healthy = 100;
    private static readonly DateTime RealAdministeredUtc = At("BL", null);

    /// <summary>A host with no job server, the log it writes and its worker metrics.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private Harness(TrialHost host, LogCapture logs)
        {
            Host = host;
            Logs = logs;
            Metrics = new SweepMetricsProbe(host.Services.GetRequiredService<IMeterFactory>());
        }

        public TrialHost Host { get; }
        public LogCapture Logs { get; }
        public SweepMetricsProbe Metrics { get; }
        public HttpClient Investigator { get; private set; } = null!;

        public static async Task<Harness> StartAsync()
        {
            var logs = new LogCapture();
            var host = TrialHost.Start(s => s.AddSingleton<ILoggerProvider>(logs), new Dictionary<string, string?> { ["Jobs:RunServer"] = "false", ["RateLimit:PermitsPerWindow"] = "0" });
            var harness = new Harness(host, logs);
            await host.CreateSiteAsync("WAW");
            harness.Investigator = await host.UserAsync("investigator", "WAW");
            return harness;
        }

        public T Jobs<T>() where T : notnull => Host.Services.GetRequiredService<T>();

        public Task<IReadOnlyList<Guid>> ReadAsync(Func<DbSession, Task<IReadOnlyList<Guid>>> query) =>
            Host.Services.GetRequiredService<Database>().ReadAsync(query);

        /// <summary>Enrols <paramref name="count"/> participants, each given its data by <paramref name="data"/>, four at a time.</summary>
        public async Task<List<string>> EnrolAsync(int count, Func<HttpClient, string, Task> data)
        {
            var codes = new List<string>();
            foreach (var chunk in Enumerable.Range(0, count).Chunk(4))
            {
                codes.AddRange(await Task.WhenAll(chunk.Select(async _ =>
                {
                    var code = await TrialHost.EnrolAsync(Investigator, "WAW");
                    await data(Investigator, code);
                    return code;
                })));
            }

            return codes;
        }

        /// <summary>Changes the database behind the application's back, as a manual fix or a faulty import would.</summary>
        public void Damage(string sql, object parameters)
        {
            using var c = new SqliteConnection($"Data Source={Host.DatabasePath}");
            Assert.That(c.Execute(sql, parameters), Is.EqualTo(1), sql);
        }

        public int Count(string sql, object? parameters = null)
        {
            using var c = new SqliteConnection($"Data Source={Host.DatabasePath};Mode=ReadOnly");
            return c.ExecuteScalar<int>(sql, parameters);
        }

        /// <summary>What the sweeps logged about their failures.</summary>
        public List<string> SweepWarnings() =>
            Logs.Entries.Where(e => e.Category == typeof(ParticipantSweeps).FullName && e.Level == LogLevel.Warning).Select(e => e.Message).ToList();

        public async ValueTask DisposeAsync()
        {
            Metrics.Dispose();
            await Host.DisposeAsync();
        }
    }

    private static void AssertFailureReported(Harness harness, string job, Guid poisoned, string damagedValue)
    {
        Assert.That(harness.Metrics.Failures(job), Is.EqualTo(1), "one failure counted for the job");
        var warnings = harness.SweepWarnings();
        Assert.That(warnings, Has.Count.EqualTo(1), string.Join("\n", warnings));
        Assert.That(warnings[0], Does.Contain(poisoned.ToString()).And.Contain(job), "the log names the participant and the sweep");
        Assert.That(warnings[0], Does.Not.Contain(damagedValue), "the log does not quote the participant's data");
    }

    [Test]
    public async Task SweepUnevaluated_OneParticipantsAssessmentUnreadable_EveryOtherParticipantEvaluated()
    {
        await using var harness = await Harness.StartAsync();
        await harness.EnrolAsync(Healthy + 1, (investigator, code) => AssessAsync(investigator, code, "BL", null, "MADRS", Madrs(30, item10: 5)));
        var order = await harness.ReadAsync(SafetyQueries.UnevaluatedParticipantsAsync);
        Assert.That(order, Has.Count.EqualTo(Healthy + 1), "every participant waits for the sweep");
        var poisoned = order[0]; // the first the sweep reaches: without a guard, nobody after it would be evaluated
        harness.Damage("UPDATE Assessment SET AdministeredUtc = 'yesterday morning' WHERE ParticipantId = @poisoned", new { poisoned });

        var outcome = await harness.Jobs<SafetyJobs>().SweepUnevaluatedAsync();

        Assert.That(outcome, Is.EqualTo(new SweepOutcome(Healthy + 1, Healthy, 1, 0)));
        Assert.That(harness.Count("SELECT COUNT(*) FROM Participant WHERE SafetyEvaluatedVersion = SafetyVersion"), Is.EqualTo(Healthy));
        Assert.That(harness.Count("SELECT COUNT(DISTINCT ParticipantId) FROM SafetyAlert WHERE RuleCode = 'MADRS10_HIGH'"), Is.EqualTo(Healthy),
            "every healthy participant's item 10 of 5 raised its alert");
        Assert.That(await harness.ReadAsync(SafetyQueries.UnevaluatedParticipantsAsync), Is.EqualTo(new[] { poisoned }), "the damaged one still waits");
        AssertFailureReported(harness, SafetyJobs.SweepJobId, poisoned, "yesterday morning");
    }

    [Test]
    public async Task CheckSaeClocks_OneParticipantsAdverseEventUnreadable_EveryOtherOverdueSaeRaisesItsClockAlert()
    {
        await using var harness = await Harness.StartAsync();
        var serious = AdverseEvent("Pneumonia") with { Serious = true, SeriousCriteria = ["hospitalisation"], Severity = "severe", Relatedness = "not-related", Expected = false };
        await harness.EnrolAsync(Healthy + 1, (investigator, code) => RecordAdverseEventAsync(investigator, code, serious));
        await harness.Jobs<SafetyJobs>().SweepUnevaluatedAsync(); // SAE_REPORTED for everyone, before the damage
        var order = await harness.ReadAsync(SafetyQueries.ParticipantsWithUnreportedSaesAsync);
        var poisoned = order[0];
        harness.Damage("UPDATE AdverseEvent SET OnsetDate = '2026-02-30' WHERE ParticipantId = @poisoned", new { poisoned });

        harness.Host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 11, 0, 1, 0, TimeSpan.Zero)); // past every 24-hour deadline
        var outcome = await harness.Jobs<SafetyJobs>().CheckSaeClocksAsync();

        Assert.That(outcome, Is.EqualTo(new SweepOutcome(Healthy + 1, Healthy, 1, 0)));
        Assert.That(harness.Count("SELECT COUNT(DISTINCT ParticipantId) FROM SafetyAlert WHERE RuleCode = 'SAE_CLOCK'"), Is.EqualTo(Healthy));
        Assert.That(harness.Count("SELECT COUNT(*) FROM SafetyAlert WHERE RuleCode = 'SAE_CLOCK' AND ParticipantId = @poisoned", new { poisoned }), Is.Zero);
        AssertFailureReported(harness, SafetyJobs.SaeClockJobId, poisoned, "2026-02-30");
    }

    [Test]
    public async Task SweepStaleSchedules_OneParticipantsVisitDateUnreadable_EveryOtherScheduleRebuilt()
    {
        await using var harness = await Harness.StartAsync();
        await harness.EnrolAsync(Healthy + 1, (investigator, code) => TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 1)));
        var order = await harness.ReadAsync(ScheduleQueries.StaleParticipantsAsync);
        Assert.That(order, Has.Count.EqualTo(Healthy + 1), "every participant's stored plan is stale");
        var poisoned = order[0];
        harness.Damage("UPDATE VisitRecord SET ActualDate = '2026-02-30' WHERE ParticipantId = @poisoned", new { poisoned });

        var outcome = await harness.Jobs<ScheduleJobs>().SweepStaleSchedulesAsync();

        Assert.That(outcome, Is.EqualTo(new SweepOutcome(Healthy + 1, Healthy, 1, 0)));
        Assert.That(harness.Count("SELECT COUNT(*) FROM Participant WHERE ScheduleVersion = DataVersion"), Is.EqualTo(Healthy));
        Assert.That(harness.Count("SELECT COUNT(*) FROM ScheduledVisit WHERE VisitCode = 'BL' AND Status = 'done'"), Is.EqualTo(Healthy));
        AssertFailureReported(harness, ScheduleJobs.SweepJobId, poisoned, "2026-02-30");
    }

    [Test]
    public async Task DetectMissedVisits_OneParticipantsVisitDateUnreadable_EveryOtherParticipantsMissedVisitsStored()
    {
        await using var harness = await Harness.StartAsync();
        await harness.EnrolAsync(Healthy + 1, async (investigator, code) =>
        {
            await TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 5));
            await TrialHost.RecordVisitAsync(investigator, code, "INF1", new DateOnly(2026, 3, 9));
        });
        await harness.Jobs<ScheduleJobs>().SweepStaleSchedulesAsync();
        harness.Host.Clock.Advance(TimeSpan.FromDays(4)); // 03-14: POST24 (to 03-11) and INF2 (to 03-13) have closed
        var order = await harness.ReadAsync(c => ScheduleQueries.ParticipantsWithClosedWindowsAsync(c, harness.Host.Clock.GetUtcNow().UtcDateTime));
        Assert.That(order, Has.Count.EqualTo(Healthy + 1));
        var poisoned = order[0];
        harness.Damage("UPDATE VisitRecord SET ActualDate = '2026-03-32' WHERE ParticipantId = @poisoned AND VisitCode = 'INF1'", new { poisoned });

        var outcome = await harness.Jobs<ScheduleJobs>().DetectMissedVisitsAsync();

        Assert.That(outcome, Is.EqualTo(new SweepOutcome(Healthy + 1, Healthy, 1, 0)));
        Assert.That(harness.Count("SELECT COUNT(*) FROM ScheduledVisit WHERE VisitCode IN ('POST24', 'INF2') AND Status = 'missed'"), Is.EqualTo(2 * Healthy));
        AssertFailureReported(harness, ScheduleJobs.MissedJobId, poisoned, "2026-03-32");
    }

    [Test]
    public async Task DetectMissedVisits_OneSitesTimeZoneUnknown_OtherSitesParticipantsProcessedAndTheOthersLogged()
    {
        await using var harness = await Harness.StartAsync();
        await harness.Host.CreateSiteAsync("KRK");
        var krakow = await harness.Host.UserAsync("investigator", "KRK");
        var healthy = await harness.EnrolAsync(3, async (investigator, code) =>
        {
            await TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 5));
            await TrialHost.RecordVisitAsync(investigator, code, "INF1", new DateOnly(2026, 3, 9));
        });
        var code = await TrialHost.EnrolAsync(krakow, "KRK");
        await TrialHost.RecordVisitAsync(krakow, code, "BL", new DateOnly(2026, 3, 5));
        await TrialHost.RecordVisitAsync(krakow, code, "INF1", new DateOnly(2026, 3, 9));
        await harness.Jobs<ScheduleJobs>().SweepStaleSchedulesAsync();
        // A zone this machine's time-zone database does not hold (a Windows id copied to Linux, a zone since renamed).
        harness.Damage("UPDATE Site SET TimeZone = 'Central European Standard Time (Krakow)' WHERE Code = 'KRK'", new { });
        harness.Host.Clock.Advance(TimeSpan.FromDays(4));

        var outcome = await harness.Jobs<ScheduleJobs>().DetectMissedVisitsAsync();

        Assert.That(outcome, Is.EqualTo(new SweepOutcome(healthy.Count + 1, healthy.Count, 1, 0)), "the site's participant is a candidate whose rebuild fails alone");
        Assert.That(harness.Count("SELECT COUNT(*) FROM ScheduledVisit WHERE VisitCode = 'INF2' AND Status = 'missed'"), Is.EqualTo(healthy.Count));
        Assert.That(harness.Metrics.Failures(ScheduleJobs.MissedJobId), Is.EqualTo(1));
    }

    [Test]
    public async Task DetectMissedVisits_StoredPlanDateUnreadable_PlanRebuiltFromTheVisits()
    {
        await using var harness = await Harness.StartAsync();
        var codes = await harness.EnrolAsync(2, async (investigator, code) =>
        {
            await TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 5));
            await TrialHost.RecordVisitAsync(investigator, code, "INF1", new DateOnly(2026, 3, 9));
        });
        await harness.Jobs<ScheduleJobs>().SweepStaleSchedulesAsync();
        var damaged = await ParticipantIdAsync(harness.Host, codes[0]);
        // The stored plan is derived data: damage to it is repaired by rebuilding it from the visits, not reported as a failure.
        harness.Damage("UPDATE ScheduledVisit SET WindowEnd = '2026-02-30' WHERE ParticipantId = @damaged AND VisitCode = 'INF3'", new { damaged });
        harness.Host.Clock.Advance(TimeSpan.FromDays(4));

        var outcome = await harness.Jobs<ScheduleJobs>().DetectMissedVisitsAsync();

        Assert.That(outcome, Is.EqualTo(new SweepOutcome(2, 2, 0, 0)));
        Assert.That(harness.Count("SELECT COUNT(*) FROM ScheduledVisit WHERE WindowEnd = '2026-02-30'"), Is.Zero);
        Assert.That(harness.Count("SELECT COUNT(*) FROM ScheduledVisit WHERE VisitCode = 'INF2' AND Status = 'missed'"), Is.EqualTo(2));
        Assert.That(harness.Metrics.Failures(ScheduleJobs.MissedJobId), Is.Zero);
    }

    [Test]
    public async Task SweepUnevaluated_ParticipantKeepsFailing_RetriedAfterDoublingDelaysNotOnEverySweepThenEvaluatedOnceRepaired()
    {
        await using var harness = await Harness.StartAsync();
        var codes = await harness.EnrolAsync(2, (investigator, code) => AssessAsync(investigator, code, "BL", null, "MADRS", Madrs(30, item10: 5)));
        var poisoned = await ParticipantIdAsync(harness.Host, codes[0]);
        harness.Damage("UPDATE Assessment SET AdministeredUtc = 'yesterday morning' WHERE ParticipantId = @poisoned", new { poisoned });
        var job = SafetyJobs.SweepJobId;
        var sweeps = harness.Host.Services.GetRequiredService<ParticipantSweeps>();
        Assert.That((sweeps.DelayAfter(1), sweeps.DelayAfter(2), sweeps.DelayAfter(3), sweeps.DelayAfter(20)),
            Is.EqualTo((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(60))), "the default delays");

        async Task<SweepOutcome> SweepAfterAsync(int minutes)
        {
            harness.Host.Clock.Advance(TimeSpan.FromMinutes(minutes));
            return await harness.Jobs<SafetyJobs>().SweepUnevaluatedAsync();
        }

        Assert.That(await SweepAfterAsync(0), Is.EqualTo(new SweepOutcome(2, 1, 1, 0)), "first failure; the other participant evaluated");
        Assert.That(harness.Metrics.Failing(job), Is.EqualTo(1), "the gauge shows one participant waiting");
        Assert.That(await SweepAfterAsync(1), Is.EqualTo(new SweepOutcome(1, 0, 0, 1)), "1 min later: not yet (2 min after the first failure)");
        Assert.That(await SweepAfterAsync(1), Is.EqualTo(new SweepOutcome(1, 0, 1, 0)), "2 min: retried, fails a second time");
        Assert.That(await SweepAfterAsync(2), Is.EqualTo(new SweepOutcome(1, 0, 0, 1)), "2 min later: not yet (4 min after the second failure)");
        Assert.That(await SweepAfterAsync(1), Is.EqualTo(new SweepOutcome(1, 0, 0, 1)), "3 min later: not yet");
        Assert.That(await SweepAfterAsync(1), Is.EqualTo(new SweepOutcome(1, 0, 1, 0)), "4 min: retried, fails a third time");
        Assert.That(harness.Metrics.Failures(job), Is.EqualTo(3), "three attempts in seven sweeps, each failure counted");
        Assert.That(harness.SweepWarnings(), Has.Count.EqualTo(3));

        harness.Damage("UPDATE Assessment SET AdministeredUtc = @RealAdministeredUtc WHERE ParticipantId = @poisoned", new { RealAdministeredUtc, poisoned });
        Assert.That(await SweepAfterAsync(7), Is.EqualTo(new SweepOutcome(1, 0, 0, 1)), "repaired, but its next attempt is 8 min after the third failure");
        Assert.That(await SweepAfterAsync(1), Is.EqualTo(new SweepOutcome(1, 1, 0, 0)), "8 min: evaluated");
        Assert.That(await IsEvaluatedAsync(harness.Host, codes[0]), Is.True);
        Assert.That(harness.Count("SELECT COUNT(*) FROM SafetyAlert WHERE RuleCode = 'MADRS10_HIGH' AND ParticipantId = @poisoned", new { poisoned }), Is.EqualTo(1));
        Assert.That(harness.Metrics.Failing(job), Is.Zero, "nobody waits any more");
        Assert.That(await SweepAfterAsync(1), Is.EqualTo(new SweepOutcome(0, 0, 0, 0)));
    }
}
