using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api;

/// <summary>
/// Data entered in a sensible order: a visit is recorded before its assessments, vital signs and infusion; an
/// infusion-day assessment is dated on the infusion's day; other assessments outside their window are kept and flagged;
/// outcomes that end an event need its end date; withdrawn participants' data needs a reason.
/// </summary>
public class DataEntryOrderTests : WawSiteFixture
{
    private static readonly DateTime Inf1Morning = new(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc);

    private async Task<string> WithInf1Async()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", new DateOnly(2026, 2, 27));
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", new DateOnly(2026, 3, 2));
        return code;
    }

    [Test]
    public async Task Assessment_AtAVisitNotRecorded_Is409NamingTheVisit_AndStoresNothing()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var problem = await (await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "BL"),
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = At("BL", null), items = Madrs(20, item10: 1) })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(problem["missingVisit"]!.GetValue<string>(), Is.EqualTo("BL"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("BL").And.Contain("record it"));
        Assert.That(await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Is.Empty);

        var vitals = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/vitals",
            new { timepoint = "pre", systolic = 120, diastolic = 80, heartRate = 70, spo2 = 98 })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(vitals["missingVisit"]!.GetValue<string>(), Is.EqualTo("INF1"));
    }

    [Test]
    public async Task InfusionTimepointAssessment_OnAnotherDayThanTheInfusion_Is422()
    {
        var code = await WithInf1Async();
        var problem = await (await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "INF1"),
            new { instrument = "CADSS", timepoint = "t40", administeredUtc = Inf1Morning.AddDays(1), items = Cadss(3) })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "administeredUtc" }));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("2026-03-03").And.Contain("2026-03-02"));

        var onTheDay = await (await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "INF1"),
            new { instrument = "CADSS", timepoint = "t40", administeredUtc = Inf1Morning.AddMinutes(50), items = Cadss(3) })).JsonAsync(HttpStatusCode.Created);
        Assert.That(onTheDay["outOfWindow"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task FollowUpAssessment_OutsideItsWindow_IsKeptAndFlagged()
    {
        var code = await WithInf1Async();
        // POST24's window is 3 to 4 March; the visit happened late, on 6 March, with its MADRS that day.
        await TrialHost.RecordVisitAsync(_investigator, code, "POST24", new DateOnly(2026, 3, 6));
        var created = await (await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "POST24"),
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = new DateTime(2026, 3, 6, 9, 0, 0, DateTimeKind.Utc), items = Madrs(20, item10: 1) }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.That(created["outOfWindow"]!.GetValue<bool>(), Is.True);
        var listed = await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync();
        Assert.That(listed.Single()!["outOfWindow"]!.GetValue<bool>(), Is.True);

        // A correction answers the same flag as the entry and the read (not null).
        var correction = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/assessments/{created["id"]}")
        {
            Content = JsonContent.Create(new
            {
                instrument = "MADRS", timepoint = (string?)null, administeredUtc = new DateTime(2026, 3, 6, 9, 0, 0, DateTimeKind.Utc),
                items = Madrs(21, item10: 1), reason = "Item 1 mistyped."
            }),
        };
        correction.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var corrected = await (await _investigator.SendAsync(correction)).JsonAsync(HttpStatusCode.OK);
        Assert.That(corrected["outOfWindow"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Infusion_DatedAfterALaterVisitAlreadyRecorded_IsRefused()
    {
        var code = await WithInf1Async();
        await TrialHost.RecordVisitAsync(_investigator, code, "POST24", new DateOnly(2026, 3, 3));
        // INF1 is moved to after POST24: refused, POST24 comes after it.
        var problem = await (await _investigator.SendAsync(Put($"/api/v1/participants/{code}/visits/INF1",
            new { actualDate = "2026-03-04", reason = "Date corrected." }, "\"1\""))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("POST24"));
    }

    [TestCase("fatal", new[] { "death" }, "endDate")]
    [TestCase("recovered", new string[0], "endDate")]
    [TestCase("recovered-with-sequelae", new string[0], "endDate")]
    public async Task AdverseEvent_OutcomeThatEndsTheEvent_WithoutEndDate_Is422(string outcome, string[] criteria, string field)
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var body = AdverseEvent("Overdose") with { Outcome = outcome, Serious = criteria.Length > 0, SeriousCriteria = criteria };
        var problem = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/adverse-events", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/adverse-events", body with { EndDate = "2026-03-10" })).JsonAsync(HttpStatusCode.Created);
    }

    [Test]
    public async Task SaeReport_SixteenHoursAfterTheSiteLearnedOfIt_IsOnTime()
    {
        // Learned of at 16:00 Warsaw time (15:00 UTC) on 9 March, reported at 08:00 UTC on 10 March: 17 hours, within 24.
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var serious = AdverseEvent("Suicide attempt") with
        {
            Serious = true,
            SeriousCriteria = ["hospitalisation"],
            AwareDate = "2026-03-09",
            OnsetDate = "2026-03-09",
            AwareUtc = new DateTime(2026, 3, 9, 15, 0, 0, DateTimeKind.Utc),
            SponsorReportedUtc = new DateTime(2026, 3, 10, 8, 0, 0, DateTimeKind.Utc),
        };
        var created = await RecordAdverseEventAsync(_investigator, code, serious);
        Assert.That(created["saeReportDueUtc"]!.GetValue<DateTime>(), Is.EqualTo(new DateTime(2026, 3, 10, 15, 0, 0, DateTimeKind.Utc)));
        var alerts = await SettledAlertsAsync(_host, _monitor, code);
        Assert.That(alerts.Select(Rule), Is.EqualTo(new[] { "SAE_REPORTED" }), "reported on time: no SAE_CLOCK alert");
    }

    [Test]
    public async Task SaeClock_WithOnlyTheAwareDate_CountsFromTheStartOfThatDayAtTheSite()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var serious = AdverseEvent("Suicide attempt") with { Serious = true, SeriousCriteria = ["hospitalisation"], AwareDate = "2026-03-09", OnsetDate = "2026-03-09" };
        var created = await RecordAdverseEventAsync(_investigator, code, serious);
        // The site has the configured default time zone (UTC) in this fixture: midnight UTC plus 24 hours.
        Assert.That(created["saeReportDueUtc"]!.GetValue<DateTime>(), Is.EqualTo(new DateTime(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc)));
        var clock = (await SettledAlertsAsync(_host, _monitor, code)).Single(a => Rule(a) == "SAE_CLOCK")!;
        Assert.That(clock["message"]!.GetValue<string>(), Does.Contain("not recorded"));
    }
}
