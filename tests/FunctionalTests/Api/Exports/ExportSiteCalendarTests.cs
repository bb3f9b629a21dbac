using System.Net.Http.Json;
using NUnit.Framework;
using Trial.Tests.Api.Safety;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Exports;

/// <summary>Extracts count days in the site's calendar, and a withdrawn participant's plan ends at the withdrawal.</summary>
public class ExportSiteCalendarTests
{
    [Test]
    public void LocalDateTime_CarriesTheOffsetInForceAtTheInstant()
    {
        var warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
        Assert.That(Trial.Extracts.ExtractText.LocalDateTime((DateTimeOffset?)Trial.Extracts.ExtractText.LocalDateTime(new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Utc), warsaw)), Is.EqualTo("2026-03-02T00:30:00+01:00"));
        Assert.That(Trial.Extracts.ExtractText.LocalDateTime((DateTimeOffset?)Trial.Extracts.ExtractText.LocalDateTime(new DateTime(2026, 7, 1, 22, 15, 5, DateTimeKind.Utc), warsaw)), Is.EqualTo("2026-07-02T00:15:05+02:00"), "summer time");
        Assert.That(Trial.Extracts.ExtractText.LocalDateTime((DateTimeOffset?)Trial.Extracts.ExtractText.LocalDateTime(new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Utc), TimeZoneInfo.Utc)), Is.EqualTo("2026-03-01T23:30:00+00:00"));
    }

    [Test]
    public async Task StudyDays_AreTheSitesDays_AndWithdrawalEndsThePlan()
    {
        await using var host = TrialHost.Start();
        (await host.Admin.PostAsJsonAsync("/api/v1/sites", new { code = "WAW", name = "Warsaw", timeZone = "Europe/Warsaw" })).EnsureSuccessStatusCode();
        var investigator = await host.UserAsync("investigator", "WAW");
        var statistician = await host.UserAsync("statistician", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.RecordVisitAsync(investigator, code, "BL", new DateOnly(2026, 3, 1));
        await TrialHost.RecordVisitAsync(investigator, code, "INF1", new DateOnly(2026, 3, 2));
        // 23:30 UTC on 1 March is 00:30 on 2 March in Warsaw: the day of INF1 there, day 1.
        await AssessAtAsync(investigator, code, "INF1", "pre", "MADRS", Madrs(20, item10: 1), new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Utc));
        // Reported at 23:15 UTC on 2 March: 00:15 on 3 March in Warsaw.
        await RecordAdverseEventAsync(investigator, code, new AdverseEventBody("Nausea", null, "2026-03-02", null, "moderate", true, ["hospitalisation"], "possible",
            false, "none", "recovering", "2026-03-02", new DateTime(2026, 3, 2, 23, 15, 0, DateTimeKind.Utc), null, null));
        (await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/withdrawal", new { date = "2026-03-03", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Consent withdrawn." })).EnsureSuccessStatusCode();

        var assessments = await CsvAsync(statistician, "assessments");
        Assert.That(assessments.Single(("participant_code", code))["study_day"], Is.EqualTo("1"));
        var items = await CsvAsync(statistician, "items");
        Assert.That(items.Rows.Select(r => r["QSDY"]).Distinct(), Is.EqualTo(new[] { "1" }));
        // QSDTC shows the same local date QSDY counts: 00:30 in Warsaw (UTC+1 in March), with its offset; assessments keep UTC.
        Assert.That(items.Rows.Select(r => r["QSDTC"]).Distinct(), Is.EqualTo(new[] { "2026-03-02T00:30:00+01:00" }));
        Assert.That(assessments.Single(("participant_code", code))["administered_utc"], Is.EqualTo("2026-03-01T23:30:00Z"));
        Assert.That(items.Rows.Select(r => r["EPOCH"]).Distinct(), Is.EqualTo(new[] { "SCREENING" }), "INF1 pre comes before the first dose");

        var adverseEvents = await CsvAsync(statistician, "adverse-events");
        Assert.That(adverseEvents.Single(("USUBJID", code))["AESPRDTC"], Is.EqualTo("2026-03-03T00:15:00+01:00"), "every SDTM --DTC of an instant is the site's");

        var visits = await CsvAsync(statistician, "visits");
        Assert.That(visits.Rows.Select(r => r["visit_code"]), Is.EqualTo(new[] { "SCR", "BL", "INF1" }), "no visit after the withdrawal is planned");
        Assert.That(visits.Rows.Select(r => r["status"]), Has.None.EqualTo("missed"));
        var participants = await CsvAsync(statistician, "participants");
        Assert.That(participants.Single(("participant_code", code))["withdrawn_date"], Is.EqualTo("2026-03-03"));
    }
}
