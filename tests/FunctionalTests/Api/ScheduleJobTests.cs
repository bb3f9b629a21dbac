using System.Net;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;
using Trial.Hosting.Schedules;
using Trial.Hosting.Sweeps;

namespace Trial.Tests.Api;

/// <summary>
/// The stored schedules kept by real Hangfire jobs, and what happens when a job is lost. Where a test's point is which job
/// did the work, no recurring job runs on its own (<see cref="JobRuns.NeverOnTheirOwn"/>) and the test waits for the
/// start-up sweeps before it writes, so the only runs are those the test makes.
/// </summary>
public class ScheduleJobTests
{
    /// <summary>A host whose recurring jobs run only when the test runs them, its start-up sweeps finished (they found nothing).</summary>
    private static async Task<TrialHost> StartAsync(Action<IServiceCollection>? services = null)
    {
        var host = TrialHost.Start(services, JobRuns.NeverOnTheirOwn());
        var startUp = await JobRuns.StartUpSweepsAsync(host);
        Assert.That(startUp.Schedules.Found, Is.Zero, "the start-up stale-schedule sweep ran on an empty study");
        return host;
    }

    private static async Task<Guid> ParticipantIdAsync(TrialHost host, string code) =>
        (await host.Services.GetRequiredService<Database>().ReadAsync(c => ParticipantQueries.FindByCodeAsync(c, code)))!.Id;

    private static Task<IReadOnlyList<ScheduledVisitRow>> StoredAsync(TrialHost host, Guid id) =>
        host.Services.GetRequiredService<Database>().ReadAsync(c => ScheduleQueries.ForParticipantAsync(c, id));

    private static Task<bool> IsStaleAsync(TrialHost host, Guid id) =>
        host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.ExecuteScalarAsync<bool>("SELECT ScheduleVersion <> DataVersion FROM Participant WHERE Id = @id", new { id }));

    [Test]
    public async Task RecordVisit_StoredScheduleFollowsThroughTheJob()
    {
        await using var host = await StartAsync();
        var startUpSweep = JobRuns.LastJobId(host, ScheduleJobs.SweepJobId);
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var id = await ParticipantIdAsync(host, code);
        await JobRuns.RebuildsSucceededAsync(host, id, 1);
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();

        await JobRuns.RebuildsSucceededAsync(host, id, 2);
        Assert.That(await IsStaleAsync(host, id), Is.False, "the rebuild job the visit enqueued brought the stored schedule up to date");
        Assert.That(JobRuns.LastJobId(host, ScheduleJobs.SweepJobId), Is.EqualTo(startUpSweep), "no sweep ran after the start-up one");
        var stored = (await StoredAsync(host, id)).ToDictionary(v => v.VisitCode);
        Assert.That(stored["INF1"].Status, Is.EqualTo("done"));
        Assert.That(stored["INF2"].TargetDate, Is.EqualTo(new DateOnly(2026, 3, 12)));
        Assert.That(stored["INF2"].ProtocolVersion, Is.EqualTo(host.Protocol.Version));
    }

    [Test]
    public async Task LostJob_IsRedoneByTheRecurringSweep()
    {
        // Job storage that accepts and forgets: the process died before any job ran.
        await using var host = await StartAsync(s =>
        {
            s.RemoveAll<IBackgroundJobClient>();
            s.AddSingleton<IBackgroundJobClient, ForgetfulJobClient>();
        });
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var id = await ParticipantIdAsync(host, code);
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();
        Assert.That(await IsStaleAsync(host, id), Is.True);
        Assert.That(await StoredAsync(host, id), Is.Empty);

        Assert.That(await JobRuns.RunAsync(host, ScheduleJobs.SweepJobId), Is.EqualTo(new SweepOutcome(Found: 1, Processed: 1, Failed: 0, Deferred: 0)),
            "the recurring sweep, run on Hangfire, found the schedule the lost job left stale and rebuilt it");

        Assert.That(await IsStaleAsync(host, id), Is.False, "rebuilt by that run");
        var stored = (await StoredAsync(host, id)).ToDictionary(v => v.VisitCode);
        Assert.That(stored["INF1"].Status, Is.EqualTo("done"));
        Assert.That(stored["INF2"].TargetDate, Is.EqualTo(new DateOnly(2026, 3, 12)));
    }

    [Test]
    public async Task RebuildSchedule_RunTwice_ChangesNothing()
    {
        await using var host = await StartAsync();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var id = await ParticipantIdAsync(host, code);
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => !await IsStaleAsync(host, id), "the schedule job to run");

        using var scope = host.Services.CreateScope();
        var jobs = scope.ServiceProvider.GetRequiredService<ScheduleJobs>();
        await jobs.RebuildScheduleAsync(id);
        var once = Describe(await StoredAsync(host, id));
        await jobs.RebuildScheduleAsync(id);
        var twice = Describe(await StoredAsync(host, id));
        Assert.That(once, Has.Count.EqualTo(12));
        Assert.That(twice, Is.EqualTo(once));
    }

    [Test]
    public async Task ClosedWindow_DetectionJobStoresMissed()
    {
        // The test runs the detection itself: no timed run, and no rebuild of its writes left to run after the clock moves,
        // can find the closed window first.
        await using var host = await StartAsync();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        var id = await ParticipantIdAsync(host, code);
        await JobRuns.RebuildsSucceededAsync(host, id, 1);
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();
        await JobRuns.RebuildsSucceededAsync(host, id, 2);
        Assert.That(await IsStaleAsync(host, id), Is.False, "the schedule jobs ran");
        Assert.That((await StoredAsync(host, id)).Single(v => v.VisitCode == "INF2").Status, Is.EqualTo("scheduled"));

        host.Clock.Advance(TimeSpan.FromDays(4)); // 03-14: INF2's window (03-11..03-13) has closed
        using var scope = host.Services.CreateScope();
        var found = await scope.ServiceProvider.GetRequiredService<ScheduleJobs>().DetectMissedVisitsAsync();
        Assert.That(found.Processed, Is.EqualTo(1));
        var stored = (await StoredAsync(host, id)).ToDictionary(v => v.VisitCode);
        Assert.That(stored["INF2"].Status, Is.EqualTo("missed"));
        Assert.That(stored["POST24"].Status, Is.EqualTo("missed"));
        Assert.That(stored["INF3"].Status, Is.EqualTo("scheduled"));
        Assert.That((await scope.ServiceProvider.GetRequiredService<ScheduleJobs>().DetectMissedVisitsAsync()).Found, Is.Zero, "nothing left to detect");
    }

    [Test]
    public async Task Worklist_ListsVisitsDueAtCallersSitesByUrgency()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        await host.CreateSiteAsync("KRK");
        var waw = await host.UserAsync("investigator", "WAW");
        var krk = await host.UserAsync("investigator", "KRK");
        var code = await TrialHost.EnrolAsync(waw, "WAW");
        var other = await TrialHost.EnrolAsync(krk, "KRK");
        var id = await ParticipantIdAsync(host, code);
        var otherId = await ParticipantIdAsync(host, other);
        (await waw.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();
        (await krk.PutJsonAsync($"/api/v1/participants/{other}/visits/INF1", new { actualDate = "2026-03-09" })).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => !await IsStaleAsync(host, id) && !await IsStaleAsync(host, otherId), "the schedule jobs to run");

        // Today 03-10. POST24 target 03-10 (window to 03-11); INF2 03-12 (03-11..03-13); INF3 03-16 (03-15..03-17); INF4 opens 03-18.
        var due = await (await waw.GetAsync("/api/v1/visits/due?days=7")).JsonArrayAsync();
        Assert.That(due.Select(d => $"{d!["participantCode"]} {d["visitCode"]} {d["urgency"]} {d["daysLeft"]}"),
            Is.EqualTo(new[] { $"{code} POST24 in-window 1", $"{code} INF2 upcoming 3", $"{code} INF3 upcoming 7" }));

        await (await waw.GetAsync("/api/v1/visits/due?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await waw.GetAsync("/api/v1/visits/due?days=-1")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await waw.GetAsync("/api/v1/visits/due?days=soon")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task HangfireDashboard_IsForAdminsOnly()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        Assert.That((await host.Admin.GetAsync("/hangfire")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await host.Client().GetAsync("/hangfire")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var monitor = await host.UserAsync("monitor", "WAW");
        Assert.That((await monitor.GetAsync("/hangfire")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task HangfireDashboard_IsReadOnly_EvenForAdmins()
    {
        await using var host = TrialHost.Start();
        var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", ScheduleJobs.SweepJobId)]);
        var removal = await host.Admin.PostAsync("/hangfire/recurring/remove", form);
        Assert.That((int)removal.StatusCode, Is.InRange(400, 499), "a change through the dashboard would have no audit row");
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        Assert.That(connection.GetRecurringJobs().Select(j => j.Id), Does.Contain(ScheduleJobs.SweepJobId));
        var page = await (await host.Admin.GetAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Not.Contain("js-jobs-list-command"), "no delete or trigger buttons are shown");
    }

    [Test]
    public async Task RecurringJobs_AreRegisteredUnderStableIds()
    {
        await using var host = TrialHost.Start();
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        var ids = connection.GetRecurringJobs().Select(j => j.Id);
        Assert.That(ids, Is.SupersetOf(new[] { ScheduleJobs.SweepJobId, ScheduleJobs.MissedJobId }));
    }

    private static List<string> Describe(IEnumerable<ScheduledVisitRow> rows) =>
        rows.OrderBy(r => r.VisitCode, StringComparer.Ordinal)
            .Select(r => $"{r.VisitCode}|{r.TargetDate}|{r.WindowStart}|{r.WindowEnd}|{r.Provisional}|{r.Status}|{r.ActualDate}|{r.InWindow}|{r.ProtocolVersion}|{r.ComputedUtc:O}")
            .ToList();

    /// <summary>Takes every job and runs none of them.</summary>
    private sealed class ForgetfulJobClient : IBackgroundJobClient
    {
        public string Create(Job job, IState state) => Guid.NewGuid().ToString();
        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }
}
