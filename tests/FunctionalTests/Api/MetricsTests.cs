using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>The Prometheus endpoint of the real host: admins only, and the study's own meters move with the work done.</summary>
public partial class MetricsTests
{
    [GeneratedRegex(@"^trial_assessments_written_total\{[^}]*instrument=""MADRS""[^}]*\} (?<value>[0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex MadrsWritten();

    [GeneratedRegex(@"^trial_safety_evaluations_total\{[^}]*scope=""after-write""[^}]*\} (?<value>[0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex EvaluationsAfterWrite();

    private static double ValueOf(Regex metric, string scrape) =>
        metric.Matches(scrape).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    private static async Task<string> ScrapeAsync(TrialHost host)
    {
        var response = await host.Admin.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text;
    }

    [Test]
    public async Task Metrics_AfterAnAssessment_ShowTheStudysMetersWithTheirValuesMoved()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.EnsureVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 10));
        var before = await ScrapeAsync(host);

        var body = new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = "2026-03-10T09:00:00Z", items = new[] { 3, 4, 2, 3, 1, 3, 2, 3, 4, 2 } };
        var created = await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/BL/assessments", body);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());

        // The exporter answers from a copy it keeps for a moment, and the evaluation runs as a job: wait for both to show.
        var after = "";
        await Eventually.HoldsAsync(async () =>
        {
            after = await ScrapeAsync(host);
            return ValueOf(MadrsWritten(), after) >= ValueOf(MadrsWritten(), before) + 1
                && ValueOf(EvaluationsAfterWrite(), after) > ValueOf(EvaluationsAfterWrite(), before);
        }, () => "Timed out waiting for the assessment and its evaluation in /metrics:\n" + after, Eventually.Bound);

        Assert.That(ValueOf(MadrsWritten(), after), Is.GreaterThanOrEqualTo(1));
        Assert.That(after, Does.Contain("trial_safety_evaluation_duration_seconds_bucket"));
        Assert.That(after, Does.Contain("trial_jobs_queue_length{").And.Contain("queue=\"critical\""));
        Assert.That(after, Does.Contain("trial_worker_sweep_backlog{"), "the start-up sweeps ran and reported what they found");
        Assert.That(after, Does.Contain("http_server_request_duration_seconds"), "ASP.NET Core's own meter");
    }

    [Test]
    public async Task Metrics_WithoutAnAdminsToken_AreRefused()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        Assert.That((await host.Client().GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await investigator.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
