using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Hosting.Safety;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Safety;

/// <summary>
/// Corrections re-evaluate the rules: an alert whose condition no longer holds is superseded, never deleted, and the
/// correction needs the current ETag and a reason. Evaluating again changes nothing.
/// </summary>
public class SafetyCorrectionTests : WawSiteFixture
{
    /// <summary>
    /// Moves the clock one second on before a correction: an alert's history is ordered by time, and with a frozen clock
    /// its raising and its superseding would share one instant. Returns the new time.
    /// </summary>
    private DateTime Later()
    {
        _host.Clock.Advance(TimeSpan.FromSeconds(1));
        return _host.Clock.GetUtcNow().UtcDateTime;
    }

    private static object Correction(decimal?[] items, string? reason) =>
        new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items, reason };

    /// <summary>A participant whose BL MADRS has item 10 = 5; returns its code, the assessment id and the ETag of the POST.</summary>
    private async Task<(string Code, Guid Id, string ETag)> HighItem10AtBaselineAsync()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", DateOnly.FromDateTime(At("BL", null)));
        var response = await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "BL"),
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items = Madrs(30, item10: 5) });
        var created = await response.JsonAsync(HttpStatusCode.Created);
        return (code, Guid.Parse(created["id"]!.GetValue<string>()), response.Headers.ETag!.ToString());
    }

    [Test]
    public async Task Correct_Item10BelowThreshold_SupersedesTheAlertAndKeepsIt()
    {
        var (code, id, etag) = await HighItem10AtBaselineAsync();
        var raised = await SettledAlertsAsync(_host, _monitor, code);
        Assert.That(raised, Has.Count.EqualTo(1), raised.ToJsonString());
        AssertAlert(raised[0], "MADRS10_HIGH", "high", code, "BL", Source(id), "MADRS item 10", "= 5");
        var alertId = raised[0]!["id"]!.GetValue<string>();
        var read = await _investigator.GetAsync($"/api/v1/assessments/{id}");
        Assert.That(read.Headers.ETag!.ToString(), Is.EqualTo(etag));

        var correctedAt = Later();
        var corrected = await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(26, item10: 1), "Item 10 was transcribed from the wrong row."), etag));

        var body = await corrected.JsonAsync(HttpStatusCode.OK);
        Assert.That(body["items"]![9]!.GetValue<decimal>(), Is.EqualTo(1m));
        Assert.That(corrected.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        Assert.That(await SettledAlertsAsync(_host, _monitor, code), Is.Empty, "the default list leaves superseded alerts out");
        var all = await AlertsAsync(_monitor, code, includeSuperseded: true);
        Assert.That(all, Has.Count.EqualTo(1), all.ToJsonString());
        Assert.That(all[0]!["id"]!.GetValue<string>(), Is.EqualTo(alertId));
        Assert.That(all[0]!["superseded"]!.GetValue<bool>(), Is.True);
        Assert.That(all[0]!["supersededUtc"]!.GetValue<DateTime>(), Is.EqualTo(correctedAt));
        Assert.That(all[0]!["status"]!.GetValue<string>(), Is.EqualTo("open"), "superseding is not a review decision");

        var detail = await (await _monitor.GetAsync($"/api/v1/safety-alerts/{alertId}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(detail["alert"]!["superseded"]!.GetValue<bool>(), Is.True);
        var history = detail["history"]!.AsArray();
        Assert.That(history.Select(e => e!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "raised", "superseded" }));
        Assert.That(history[1]!["comment"]!.GetValue<string>(), Does.Contain("no longer holds"));

        var revisions = await (await _monitor.GetAsync($"/api/v1/assessments/{id}/revisions")).JsonArrayAsync();
        Assert.That(revisions, Has.Count.EqualTo(1));
        Assert.That(revisions[0]!["version"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(revisions[0]!["reason"]!.GetValue<string>(), Is.EqualTo("Item 10 was transcribed from the wrong row."));
        Assert.That(revisions[0]!["items"]![9]!.GetValue<decimal>(), Is.EqualTo(5m));
    }

    [Test]
    public async Task Correct_BackAboveThreshold_ReinstatesTheSameAlert()
    {
        var (code, id, etag) = await HighItem10AtBaselineAsync();
        var alertId = (await SettledAlertsAsync(_host, _monitor, code)).Single()!["id"]!.GetValue<string>();
        Later();
        var first = await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(26, item10: 1), "Wrong row."), etag));
        await first.JsonAsync(HttpStatusCode.OK);
        Assert.That(await SettledAlertsAsync(_host, _monitor, code), Is.Empty);

        Later();
        var second = await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(30, item10: 5), "The first reading was right after all."),
            first.Headers.ETag!.ToString()));
        await second.JsonAsync(HttpStatusCode.OK);

        var alerts = await SettledAlertsAsync(_host, _monitor, code, includeSuperseded: true);
        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        Assert.That(alerts[0]!["id"]!.GetValue<string>(), Is.EqualTo(alertId));
        Assert.That(alerts[0]!["superseded"]!.GetValue<bool>(), Is.False);
        var history = (await (await _monitor.GetAsync($"/api/v1/safety-alerts/{alertId}")).JsonAsync(HttpStatusCode.OK))["history"]!.AsArray();
        Assert.That(history.Select(e => e!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "raised", "superseded", "reinstated" }));
    }

    [Test]
    public async Task Correct_WithoutIfMatch_Is428AndChangesNothing()
    {
        var (code, id, _) = await HighItem10AtBaselineAsync();

        var problem = await (await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(26, item10: 1), "Wrong row."), ifMatch: null)))
            .ProblemAsync((HttpStatusCode)428);

        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("If-Match"));
        await AssertUnchangedAsync(code, id);
    }

    [Test]
    public async Task Correct_WithStaleETag_Is412AndChangesNothing()
    {
        var (code, id, _) = await HighItem10AtBaselineAsync();

        await (await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(26, item10: 1), "Wrong row."), "\"7\"")))
            .ProblemAsync(HttpStatusCode.PreconditionFailed);

        await AssertUnchangedAsync(code, id);
    }

    [Test]
    public async Task Correct_WithETagOfAReplacedVersion_Is412()
    {
        var (code, id, etag) = await HighItem10AtBaselineAsync();
        await (await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(26, item10: 1), "Wrong row."), etag))).JsonAsync(HttpStatusCode.OK);

        await (await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(20, item10: 0), "Another change."), etag)))
            .ProblemAsync(HttpStatusCode.PreconditionFailed);

        var stored = await (await _investigator.GetAsync($"/api/v1/assessments/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(stored["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(26m));
        Assert.That(await (await _monitor.GetAsync($"/api/v1/assessments/{id}/revisions")).JsonArrayAsync(), Has.Count.EqualTo(1));
        Assert.That(await SettledAlertsAsync(_host, _monitor, code), Is.Empty);
    }

    [Test]
    public async Task Correct_WithoutReason_Is422NamingReasonAndChangesNothing()
    {
        var (code, id, etag) = await HighItem10AtBaselineAsync();

        var problem = await (await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(26, item10: 1), reason: null), etag)))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "reason" }));
        await AssertUnchangedAsync(code, id);
    }

    private async Task AssertUnchangedAsync(string code, Guid id)
    {
        var stored = await _investigator.GetAsync($"/api/v1/assessments/{id}");
        Assert.That(stored.Headers.ETag!.ToString(), Is.EqualTo("\"1\""));
        Assert.That((await stored.JsonAsync(HttpStatusCode.OK))["items"]![9]!.GetValue<decimal>(), Is.EqualTo(5m));
        Assert.That(await (await _monitor.GetAsync($"/api/v1/assessments/{id}/revisions")).JsonArrayAsync(), Is.Empty);
        var alerts = await SettledAlertsAsync(_host, _monitor, code);
        Assert.That(alerts.Select(Rule), Is.EqualTo(new[] { "MADRS10_HIGH" }), "the alert still stands");
    }

    [Test]
    public async Task EvaluateParticipant_RunTwice_LeavesOneAlertPerRuleAndSource()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await AssessAsync(_investigator, code, "BL", null, "MADRS", Madrs(30, item10: 5));
        await AssessAsync(_investigator, code, "BL", null, "BSL23", Bsl(1, (5, 3)));
        await AssessAsync(_investigator, code, "INF1", "pre", "MADRS", Madrs(30, item10: 5));
        await VitalsAsync(_investigator, code, "INF1", "t40", 185, 100, 125, 90);
        var before = await SettledAlertsAsync(_host, _monitor, code, includeSuperseded: true, ignoreRules: MissedVisits);
        Assert.That(before.Select(Rule), Is.EquivalentTo(new[] { "MADRS10_HIGH", "MADRS10_HIGH", "BSL_SELFHARM", "VITALS_BP", "VITALS_HR", "VITALS_SPO2" }));

        var participantId = await ParticipantIdAsync(_host, code);
        using (var scope = _host.Services.CreateScope())
        {
            var jobs = scope.ServiceProvider.GetRequiredService<SafetyJobs>();
            await jobs.EvaluateParticipantAsync(participantId);
            await jobs.EvaluateParticipantAsync(participantId);
        }

        var after = await AlertsAsync(_monitor, code, includeSuperseded: true, ignoreRules: MissedVisits);
        Assert.That(after.ToJsonString(), Is.EqualTo(before.ToJsonString()));
        Assert.That(after.GroupBy(a => (Rule(a), a!["sourceId"]!.GetValue<string>())).Select(g => g.Count()), Is.All.EqualTo(1));
        foreach (var alert in after)
        {
            var history = (await (await _monitor.GetAsync($"/api/v1/safety-alerts/{alert!["id"]}")).JsonAsync(HttpStatusCode.OK))["history"]!.AsArray();
            Assert.That(history.Select(e => e!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "raised" }), alert.ToJsonString());
        }
    }

    [Test]
    public async Task Correct_IncompleteScaleCompleted_SupersedesItsIncompleteScaleAlert()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", DateOnly.FromDateTime(At("BL", null)));
        var items = Madrs(20, item10: 1);
        items[9] = null; // item 10 empty: the suicidal-thoughts rules cannot see it
        var response = await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "BL"),
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items });
        var id = Guid.Parse((await response.JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>());
        var raised = (await SettledAlertsAsync(_host, _monitor, code)).Single();
        AssertAlert(raised, "SAFETY_SCALE_INCOMPLETE", "low", code, "BL", Source(id), "MADRS at BL is incomplete (item 10 not answered)", "MADRS10_HIGH");

        Later();
        var completed = await _investigator.SendAsync(Put($"/api/v1/assessments/{id}", Correction(Madrs(20, item10: 1), "Item 10 was on the back of the form."),
            response.Headers.ETag!.ToString()));
        await completed.JsonAsync(HttpStatusCode.OK);

        Assert.That(await SettledAlertsAsync(_host, _monitor, code), Is.Empty, "completed: nothing left for the monitor to chase");
        var all = await AlertsAsync(_monitor, code, includeSuperseded: true);
        Assert.That(all.Select(a => (Rule(a), a!["superseded"]!.GetValue<bool>())), Is.EqualTo(new[] { ("SAFETY_SCALE_INCOMPLETE", true) }));
    }
}
