using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The data monitoring committee's closed-session (by arm) and open-session (pooled) reports, over HTTP, on a study whose arms
/// the test knows from the list it imports. In WAW: K1 (KET) had INF1 and INF2; K2 (KET) had INF1, then stopped infusions and
/// was unblinded in an emergency; M1 (MDZ) had INF1; M2 (MDZ) was randomised but never dosed. In KRK: R1 (MDZ) had INF1.
/// K1 had a headache the day before INF1 and a serious dissociation on the day of it; M2 a serious event without ever being
/// dosed. K1's blood pressure before INF1 and M1's CADSS before INF1 raise alerts on pre-dose data; K1's CADSS at t40 one on
/// treatment.
/// </summary>
public class DmcReportTests : ImportedListStudy
{
    private const string TypedTerm = "Dissociated <b>badly</b> after ketamine & cried";
    private const string TypedReason = "Asked to stop the ketamine infusions";
    private const string UnblindingReason = "Severe hypotension: the treatment depends on the drug.";

    private string _k1 = "", _k2 = "", _m1 = "", _m2 = "", _r1 = "";

    [OneTimeSetUp]
    public async Task BuildStudyAsync()
    {
        await ImportAsync("stratum,sequenceNumber,arm\nWAW/MADRS<35,1,KET\nWAW/MADRS<35,2,KET\nWAW/MADRS<35,3,MDZ\nWAW/MADRS<35,4,MDZ\nKRK/MADRS<35,1,MDZ\n");
        _k1 = await RandomisedAsync();
        _k2 = await RandomisedAsync();
        _m1 = await RandomisedAsync();
        _m2 = await RandomisedAsync();
        _r1 = await RandomisedAsync(investigator: _krkInvestigator, site: "KRK");
        Assert.That(new[] { _k1, _k2, _m1, _m2, _r1 }.Select(Arm), Is.EqualTo(new[] { "KET", "KET", "MDZ", "MDZ", "MDZ" }));

        foreach (var code in new[] { _k1, _k2, _m1 })
        {
            await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
            await _infusions.InfuseAsync(code, "INF1", Inf1Start);
        }
        await TrialHost.RecordVisitAsync(_krkInvestigator, _r1, "INF1", Inf1Day);
        await new InfusionKit(_host, _krkInvestigator, "KRK").InfuseAsync(_r1, "INF1", Inf1Start);
        await TrialHost.RecordVisitAsync(_investigator, _k1, "INF2", new DateOnly(2026, 3, 5));
        await _infusions.InfuseAsync(_k1, "INF2", new DateTime(2026, 3, 5, 8, 10, 0, DateTimeKind.Utc));

        // Before the first dose: K1's blood pressure (VITALS_BP) and M1's CADSS (CADSS_SEVERE). After it: K1's CADSS at t40.
        await VitalsAsync(_investigator, _k1, "INF1", "pre", 185, 95, 80, 98);
        await VitalsAsync(_investigator, _k1, "INF1", "t40", 150, 90, 100, 96);
        await AssessAtAsync(_investigator, _m1, "INF1", "pre", "CADSS", Cadss(30), Inf1Start.AddMinutes(-15));
        await AssessAtAsync(_investigator, _m1, "INF1", "t40", "CADSS", Cadss(12), Inf1Start.AddMinutes(45));
        await AssessAtAsync(_investigator, _k1, "INF1", "t40", "CADSS", Cadss(30), Inf1Start.AddMinutes(45));

        // MADRS: K1's INF1 pre is before any dose; POST24 follows it.
        await AssessAtAsync(_investigator, _k1, "INF1", "pre", "MADRS", Madrs(24, item10: 2), Inf1Start.AddMinutes(-10));
        await AssessAtAsync(_investigator, _k1, "POST24", null, "MADRS", Madrs(15, item10: 1), At("POST24", null));
        await AssessAtAsync(_investigator, _k2, "POST24", null, "MADRS", Madrs(27, item10: 2), At("POST24", null));
        await AssessAtAsync(_investigator, _m1, "POST24", null, "MADRS", Madrs(24, item10: 2), At("POST24", null));

        var reported = new DateTime(2026, 3, 10, 8, 0, 0, DateTimeKind.Utc);
        await RecordAdverseEventAsync(_investigator, _k1, AdverseEvent("Headache") with { OnsetDate = "2026-03-01", Severity = "mild" });
        await RecordAdverseEventAsync(_investigator, _k1, AdverseEvent(TypedTerm) with
        {
            OnsetDate = "2026-03-02",
            Severity = "severe",
            Serious = true,
            SeriousCriteria = ["hospitalisation"],
            SpecialInterest = "severe-dissociation",
            SponsorReportedUtc = reported,
        });
        await RecordAdverseEventAsync(_investigator, _m2, AdverseEvent("Fracture") with
        {
            Serious = true,
            SeriousCriteria = ["hospitalisation"],
            SponsorReportedUtc = reported,
        });

        await (await PostAsync(_investigator, $"/api/v1/participants/{_k2}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = TypedReason })).JsonAsync(HttpStatusCode.OK);
        await (await PostAsync(_investigator, $"/api/v1/participants/{_k2}/unblinding", new { reason = UnblindingReason })).JsonAsync(HttpStatusCode.Created);
        foreach (var code in new[] { _k1, _k2, _m1, _m2 }) await WaitEvaluatedAsync(_host, code);
        await WaitEvaluatedAsync(_host, _r1);
    }

    private string Arm(string code) => AllocationAsync(code).GetAwaiter().GetResult()["arm"]!.GetValue<string>();

    private async Task<JsonObject> ClosedAsync(string query = "") => await (await _unblinded.GetAsync($"/api/v1/reports/dmc{query}")).JsonAsync(HttpStatusCode.OK);

    private static async Task<JsonObject> OpenAsync(HttpClient client, string query = "") =>
        await (await client.GetAsync($"/api/v1/reports/dmc/open{query}")).JsonAsync(HttpStatusCode.OK);

    private static Task<HttpResponseMessage> HtmlAsync(HttpClient client, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return client.SendAsync(request);
    }

    private static IEnumerable<(string, int, int)> Rules(JsonNode? rows, string? arm = null) =>
        rows!.AsArray().Where(r => arm is null || r!["arm"]!.GetValue<string>() == arm)
            .Select(r => (r!["rule"]!.GetValue<string>(), r["alerts"]!.GetValue<int>(), r["participants"]!.GetValue<int>()));

    /// <summary>What in a body would tell an arm or repeat what a site typed.</summary>
    private IReadOnlyList<string> Leaks(string body)
    {
        var leaks = new List<string>();
        foreach (var arm in _host.Protocol.Design.Arms)
        {
            if (body.Contains(arm.Code, StringComparison.Ordinal)) leaks.Add($"arm code {arm.Code}");
            foreach (var word in new[] { arm.Name, arm.Drug })
                if (body.Contains(word, StringComparison.OrdinalIgnoreCase)) leaks.Add($"'{word}'");
        }
        foreach (var typed in new[] { "Dissociated", "Headache", "Fracture", "Asked to stop", "Severe hypotension" })
            if (body.Contains(typed, StringComparison.OrdinalIgnoreCase)) leaks.Add($"typed text '{typed}'");
        return leaks;
    }

    [Test]
    public async Task DmcReport_Participants_DosedAndInfusionsPerParticipantByArm()
    {
        var report = await ClosedAsync();

        Assert.That(report["participants"]!.AsArray().Select(p => (p!["arm"]!.GetValue<string>(), p["randomised"]!.GetValue<int>(), p["dosed"]!.GetValue<int>(),
                p["infusionsDiscontinued"]!.GetValue<int>(), p["emergencyUnblinded"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("KET", 2, 2, 1, 1), ("MDZ", 3, 2, 0, 0) }));
        var exposure = report["exposure"]!.AsArray();
        // KET: K1 two infusions, K2 one. MDZ: M1 and R1 one each, M2 none.
        Assert.That(exposure.Select(e => (e!["arm"]!.GetValue<string>(), e["infusions"]!.GetValue<int>(), e["meanPerRandomised"]!.GetValue<decimal>(),
                e["meanPerDosed"]!.GetValue<decimal>())),
            Is.EqualTo(new[] { ("KET", 3, 1.5m, 1.5m), ("MDZ", 2, 0.67m, 1m) }));
        Assert.That(exposure.Select(e => e!["distribution"]!.AsArray().Select(d => d!["participants"]!.GetValue<int>())),
            Is.EqualTo(new[] { new[] { 0, 1, 1, 0, 0 }, new[] { 1, 2, 0, 0, 0 } }));
        Assert.That(report["disposition"]!.AsArray().Select(d => (d!["participantCode"]!.GetValue<string>(), d["arm"]!.GetValue<string>(), d["event"]!.GetValue<string>(),
                d["reason"]!.GetValue<string>())),
            Is.EqualTo(new[] { (_k2, "KET", "infusions-discontinued", TypedReason) }));
    }

    [Test]
    public async Task DmcReport_AdverseEvents_OnlyTreatmentEmergentCreditedToAnArm()
    {
        var report = await ClosedAsync();

        // K1's headache the day before INF1 and M2's event (never dosed) are pre-treatment; K1's dissociation on the day of INF1 is not.
        Assert.That(report["adverseEvents"]!.AsArray().Select(e => (e!["arm"]!.GetValue<string>(), e["participantsDosed"]!.GetValue<int>(), e["events"]!.GetValue<int>(),
                e["seriousEvents"]!.GetValue<int>(), e["specialInterestEvents"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("KET", 2, 1, 1, 1), ("MDZ", 2, 0, 0, 0) }));
        Assert.That(report["preTreatmentAdverseEvents"]!.ToJsonString(), Is.EqualTo("""{"events":2,"participants":2,"seriousEvents":1,"deaths":0}"""));
        Assert.That(report["specialInterest"]!.AsArray().Select(s => (s!["category"]!.GetValue<string>(), s["arm"]!.GetValue<string>(), s["events"]!.GetValue<int>())),
            Is.EqualTo(new[]
            {
                ("suicidal-behaviour", "KET", 0), ("suicidal-behaviour", "MDZ", 0), ("self-injury", "KET", 0), ("self-injury", "MDZ", 0),
                ("severe-dissociation", "KET", 1), ("severe-dissociation", "MDZ", 0), ("psychotic-symptoms", "KET", 0), ("psychotic-symptoms", "MDZ", 0),
                ("misuse", "KET", 0), ("misuse", "MDZ", 0),
            }));
        var serious = report["seriousAdverseEvents"]!.AsArray().Single()!;
        Assert.That((serious["participantCode"]!.GetValue<string>(), serious["arm"]!.GetValue<string>(), serious["term"]!.GetValue<string>(),
                serious["onsetDate"]!.GetValue<string>(), serious["seriousCriteria"]![0]!.GetValue<string>(), serious["relatedness"]!.GetValue<string>()),
            Is.EqualTo((_k1, "KET", TypedTerm, "2026-03-02", "hospitalisation", "possible")));
        Assert.That(report["deaths"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task DmcReport_Alerts_OnPreDoseDataNotCreditedToAnArm()
    {
        var report = await ClosedAsync("?site=WAW");

        var credited = Rules(report["safetyAlerts"]).ToList();
        var before = Rules(report["preTreatmentAlerts"]).ToList();
        Assert.That(Rules(report["safetyAlerts"], "KET"), Is.SupersetOf(new[] { ("CADSS_SEVERE", 1, 1), ("SAE_REPORTED", 1, 1), ("AESI", 1, 1), ("UNBLINDED", 1, 1) }));
        Assert.That(credited.Select(a => a.Item1), Has.None.EqualTo("VITALS_BP"));
        Assert.That(Rules(report["safetyAlerts"], "MDZ").Select(a => a.Item1), Has.None.EqualTo("CADSS_SEVERE").And.None.EqualTo("SAE_REPORTED"));
        Assert.That(before, Is.SupersetOf(new[] { ("VITALS_BP", 1, 1), ("CADSS_SEVERE", 1, 1), ("SAE_REPORTED", 1, 1) }));

        // Every alert in force the monitors see is counted once: credited to an arm, or before the first dose.
        var seen = await (await _monitor.GetAsync("/api/v1/safety-alerts")).JsonArrayAsync();
        var counted = credited.Concat(before).GroupBy(a => a.Item1).Select(g => (g.Key, g.Sum(a => a.Item2))).Order();
        Assert.That(counted, Is.EqualTo(seen.GroupBy(Rule).Select(g => (g.Key, g.Count())).Order()));
    }

    [Test]
    public async Task DmcReport_Efficacy_FromTheFirstDoseOnWithoutInf1Pre()
    {
        var report = await ClosedAsync();

        // BL 30 for all; POST24: K1 15 (response), K2 27, M1 24. K1's INF1 pre (24) is before any dose: no row.
        Assert.That(report["efficacy"]!.AsArray().Select(e => (e!["visitCode"]!.GetValue<string>(), e["arm"]!.GetValue<string>(), e["participants"]!.GetValue<int>(),
                e["meanTotal"]!.GetValue<decimal>(), e["meanChange"]!.GetValue<decimal>(), e["responders"]!.GetValue<int>(), e["remitters"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("POST24", "KET", 2, 21m, -9m, 1, 0), ("POST24", "MDZ", 1, 24m, -6m, 0, 0) }));
    }

    [Test]
    public async Task DmcReport_PeaksAndVitalSigns_AfterDosingByInfusionAndArm()
    {
        var report = await ClosedAsync();

        static IEnumerable<(string, string, int, decimal?)> Peaks(JsonNode? rows) => rows!.AsArray().Where(p => p!["visitCode"]!.GetValue<string>() == "INF1")
            .Select(p => (p!["visitCode"]!.GetValue<string>(), p["arm"]!.GetValue<string>(), p["participants"]!.GetValue<int>(), p["max"]?.GetValue<decimal>()));
        // M1's CADSS of 30 before the infusion is no peak after it.
        Assert.That(Peaks(report["cadssTotalPeaks"]), Is.EqualTo(new[] { ("INF1", "KET", 1, (decimal?)30m), ("INF1", "MDZ", 1, 12m) }));
        Assert.That(Peaks(report["madrsItem10Peaks"]), Is.EqualTo(new[] { ("INF1", "KET", 2, (decimal?)2m), ("INF1", "MDZ", 1, 2m) }));
        var vitals = report["vitalSigns"]!.AsArray().First(v => v!["visitCode"]!.GetValue<string>() == "INF1" && v["arm"]!.GetValue<string>() == "KET")!;
        // K1's 185 before dosing is not an extreme after it.
        Assert.That((vitals["participants"]!.GetValue<int>(), vitals["highestSystolic"]!["extreme"]!.GetValue<int>(), vitals["lowestSpo2"]!["extreme"]!.GetValue<int>()),
            Is.EqualTo((1, 150, 96)));
    }

    [Test]
    public async Task DmcReport_CutOffIsTheSnapshotTime_AndThePullIsAuditedWithoutItsContents()
    {
        var report = await ClosedAsync();
        var open = await OpenAsync(_monitor);

        var now = _host.Clock.GetUtcNow().UtcDateTime;
        Assert.That(report["cutoffUtc"]!.GetValue<DateTime>(), Is.EqualTo(now));
        Assert.That(open["cutoffUtc"]!.GetValue<DateTime>(), Is.EqualTo(now));
        Assert.That((report["session"]!.GetValue<string>(), open["session"]!.GetValue<string>()), Is.EqualTo(("closed", "open")));

        var page = await (await _host.Admin.GetAsync("/api/v1/audit?entity=extract&id=reports/dmc-open")).JsonAsync(HttpStatusCode.OK);
        var pull = page["items"]!.AsArray().Last()!;
        Assert.That((pull["action"]!.GetValue<string>(), pull["role"]!.GetValue<string>()), Is.EqualTo(("export", "monitor")));
        Assert.That(pull["newValue"]!["cutoffUtc"]!.GetValue<DateTime>(), Is.EqualTo(now));
        Assert.That(pull["newValue"]!.AsObject().Select(p => p.Key).Order(), Is.EqualTo(new[] { "cutoffUtc", "format", "generatedUtc", "report", "sites" }));
    }

    [Test]
    public async Task DmcQueries_AWriteCommittedAfterTheCutOff_IsNotInTheData()
    {
        await _host.CreateSiteAsync("GDA");
        var gda = await _host.UserAsync("investigator", "GDA");
        var db = _host.Services.GetRequiredService<Database>();

        // The clock is read once the snapshot is fixed: an enrolment committed then is after the cut-off, so not in this read.
        var (_, data) = await db.ReadAsync(c => DmcQueries.ReadAsync(c, null, () =>
        {
            TrialHost.EnrolAsync(gda, "GDA").GetAwaiter().GetResult();
            return _host.Clock.GetUtcNow().UtcDateTime;
        }));
        var (_, after) = await db.ReadAsync(c => DmcQueries.ReadAsync(c, null, () => _host.Clock.GetUtcNow().UtcDateTime));

        Assert.That(data.Enrolments.Where(e => e.SiteCode == "GDA"), Is.Empty);
        Assert.That(after.Enrolments.Where(e => e.SiteCode == "GDA"), Has.Exactly(1).Items);
    }

    [Test]
    public async Task DmcOpenReport_ForUnblindedAdminAndMonitor_PooledWithNothingOfTheArmsOrTypedText()
    {
        var closed = await ClosedAsync();
        foreach (var (role, client) in new[] { ("unblinded-statistician", _unblinded), ("admin", _host.Admin) })
        {
            var response = await client.GetAsync("/api/v1/reports/dmc/open");
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(Leaks(body), Is.Empty, role);
            var open = JsonNode.Parse(body)!;
            var participants = open["participants"]!;
            Assert.That((participants["randomised"]!.GetValue<int>(), participants["dosed"]!.GetValue<int>(), participants["emergencyUnblinded"]!.GetValue<int>()),
                Is.EqualTo((5, 4, 1)), role);
            Assert.That(open["adverseEvents"]!["events"]!.GetValue<int>(), Is.EqualTo(closed["adverseEvents"]!.AsArray().Sum(e => e!["events"]!.GetValue<int>())));
            Assert.That(open["exposure"]!["infusions"]!.GetValue<int>(), Is.EqualTo(5));
            Assert.That(open["seriousAdverseEvents"]!.AsArray().Single()!["participantCode"]!.GetValue<string>(), Is.EqualTo(_k1));
            Assert.That(open["disposition"]!.AsArray().Single()!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "participantCode", "event", "date" }));
            Assert.That(open["emergencyUnblindings"]!.AsArray().Single()!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "participantCode", "unblindedUtc" }));
            Assert.That(open["efficacy"]!.AsArray().Select(e => (e!["visitCode"]!.GetValue<string>(), e["participants"]!.GetValue<int>(), e["responders"]!.GetValue<int>())),
                Is.EqualTo(new[] { ("POST24", 3, 1) }));
        }

        // A monitor of WAW: WAW's participants only, and not another site's report.
        var waw = await OpenAsync(_monitor);
        Assert.That(waw["participants"]!["randomised"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(Leaks(waw.ToJsonString()), Is.Empty);
        await (await _monitor.GetAsync("/api/v1/reports/dmc/open?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task DmcReports_ForRolesNotAllowed_Are403ProblemsEvenWhenHtmlIsAsked()
    {
        foreach (var client in new[] { _investigator, _statistician, _pharmacist })
        {
            await (await client.GetAsync("/api/v1/reports/dmc/open")).ProblemAsync(HttpStatusCode.Forbidden);
            await (await HtmlAsync(client, "/api/v1/reports/dmc/open")).ProblemAsync(HttpStatusCode.Forbidden);
        }
        foreach (var client in new[] { _investigator, _statistician, _pharmacist, _monitor, _host.Admin })
        {
            await (await client.GetAsync("/api/v1/reports/dmc")).ProblemAsync(HttpStatusCode.Forbidden);
            await (await HtmlAsync(client, "/api/v1/reports/dmc")).ProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [Test]
    public async Task DmcReports_AskedForHtml_AreOneSelfContainedPageWithEveryTextEncoded()
    {
        var closed = await HtmlAsync(_unblinded, "/api/v1/reports/dmc");
        var open = await HtmlAsync(_monitor, "/api/v1/reports/dmc/open");
        var cutoff = _host.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

        foreach (var (name, response) in new[] { ("closed", closed), ("open", open) })
        {
            var page = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), name);
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'none'"), name);
            Assert.That(page, Does.StartWith("<!DOCTYPE html>").And.Contain("<style>").And.Contain("@media print").And.Contain(cutoff), name);
            Assert.That(page, Does.Not.Contain("<script").IgnoreCase.And.Not.Contain("src=").IgnoreCase.And.Not.Contain("href=").IgnoreCase, name);
        }
        var closedPage = await closed.Content.ReadAsStringAsync();
        Assert.That(closedPage, Does.Contain("Dissociated &lt;b&gt;badly&lt;/b&gt; after ketamine &amp; cried").And.Not.Contain("<b>badly"));
        Assert.That(closedPage, Does.Contain("Ketamine").And.Contain("CLOSED SESSION"));
        var openPage = await open.Content.ReadAsStringAsync();
        Assert.That(Leaks(openPage), Is.Empty);
        Assert.That(openPage, Does.Contain("OPEN SESSION"));

        // Without Accept, or when JSON is preferred, JSON.
        var json = await _monitor.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/reports/dmc/open")
        {
            Headers = { Accept = { MediaTypeWithQualityHeaderValue.Parse("text/html;q=0.5"), MediaTypeWithQualityHeaderValue.Parse("application/json") } },
        });
        Assert.That(json.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }
}
