using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api;

/// <summary>Withdrawal from the study: recorded with its date and reason; later data entry needs a reason and is flagged; no missed visits after it.</summary>
public class WithdrawalTests : WawSiteFixture
{
    private async Task<string> WithdrawnAfterInf1Async()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", new DateOnly(2026, 2, 27));
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", new DateOnly(2026, 3, 2));
        await TrialHost.RecordVisitAsync(_investigator, code, "POST24", new DateOnly(2026, 3, 3));
        var withdrawn = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/withdrawal", new { date = "2026-03-04", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Consent withdrawn." }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.That(withdrawn["status"]!.GetValue<string>(), Is.EqualTo("withdrawn"));
        Assert.That(withdrawn["withdrawnDate"]!.GetValue<string>(), Is.EqualTo("2026-03-04"));
        return code;
    }

    [Test]
    public async Task Withdrawn_LaterVisitsLeaveThePlanAndRaiseNoMissedVisit()
    {
        var code = await WithdrawnAfterInf1Async();
        var plan = await (await _investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync();
        Assert.That(plan.Select(v => v!["visitCode"]!.GetValue<string>()), Is.EqualTo(new[] { "SCR", "BL", "INF1", "POST24" }));
        // INF2's window (4 to 6 March) has closed by the clock (10 March), but the participant had left.
        Assert.That((await SettledAlertsAsync(_host, _monitor, code)).Select(Rule), Does.Not.Contain("VISIT_MISSED"));
    }

    [Test]
    public async Task DataAfterWithdrawal_WithoutReason_Is409_WithReason_IsStoredAndFlagged()
    {
        var code = await WithdrawnAfterInf1Async();
        var body = new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = new DateTime(2026, 3, 3, 9, 0, 0, DateTimeKind.Utc), items = Madrs(20, item10: 1), reason = (string?)null };
        var refused = await (await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "POST24"), body)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("withdrawn").And.Contain("reason"));

        await (await _investigator.PostAsJsonAsync(AssessmentsUrl(code, "POST24"), body with { reason = "Rated on the day, entered late." })).JsonAsync(HttpStatusCode.Created);
        var ae = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/adverse-events", AdverseEvent("Insomnia")))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(ae["field"]!.GetValue<string>(), Is.EqualTo("reason"));
        await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Insomnia") with { Reason = "Safety follow-up after withdrawal." });

        var flagged = (await (await _monitor.GetAsync($"/api/v1/participants/{code}/history")).JsonArrayAsync())
            .Where(r => r!["flag"]?.GetValue<string>() == "after-withdrawal").Select(r => (r!["entityType"]!.GetValue<string>(), r["reason"]!.GetValue<string>())).ToList();
        Assert.That(flagged, Is.EqualTo(new[] { ("assessment", "Rated on the day, entered late."), ("adverse-event", "Safety follow-up after withdrawal.") }));
    }

    [Test]
    public async Task Withdrawal_Twice_Is409_AndBadDatesAre422()
    {
        var code = await WithdrawnAfterInf1Async();
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/withdrawal", new { date = "2026-03-05", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Again." })).ProblemAsync(HttpStatusCode.Conflict);
        var other = await TrialHost.EnrolAsync(_investigator, "WAW");
        foreach (var (date, reason, field) in new[] { ("2026-03-11", "x", "date"), ("2026-02-01", "x", "date"), ("2026-03-05", "", "reason") })
        {
            var problem = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{other}/withdrawal", new { date, reasonCode = "WITHDRAWAL BY SUBJECT", reason })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), date);
        }
        await (await _monitor.PostAsJsonAsync($"/api/v1/participants/{other}/withdrawal", new { date = "2026-03-05", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "x" })).ProblemAsync(HttpStatusCode.Forbidden);
    }
}
