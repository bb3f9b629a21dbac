using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Safety;

/// <summary>Adverse events through HTTP: ICH E2A consistency, SUSAR classification, and the SAE_REPORTED and AESI alerts.</summary>
public class AdverseEventTests : WawSiteFixture
{
    private static string Url(string code) => $"/api/v1/participants/{code}/adverse-events";

    private static AdverseEventBody Invalid(string problem)
    {
        var ae = AdverseEvent("Agitation");
        return problem switch
        {
            "criteria-not-serious" => ae with { SeriousCriteria = ["hospitalisation"] },
            "fatal-without-death" => ae with { Serious = true, SeriousCriteria = ["hospitalisation"], Outcome = "fatal", EndDate = "2026-03-09" },
            "end-before-onset" => ae with { OnsetDate = "2026-03-08", EndDate = "2026-03-07" },
            "unknown-severity" => ae with { Severity = "extreme" },
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, "No such case."),
        };
    }

    [TestCase("criteria-not-serious", "serious", "must be marked serious")]
    [TestCase("fatal-without-death", "seriousCriteria", "'death'")]
    [TestCase("end-before-onset", "endDate", "before the onset date")]
    [TestCase("unknown-severity", "severity", "'extreme'")]
    public async Task Record_Inconsistent_Is422NamingTheFieldAndStoresNothing(string problem, string field, string named)
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");

        var body = await (await _investigator.PostAsJsonAsync(Url(code), Invalid(problem))).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        var errors = body["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { field }), body.ToJsonString());
        Assert.That(errors[field]![0]!.GetValue<string>(), Does.Contain(named));
        Assert.That(await (await _monitor.GetAsync($"/api/v1/adverse-events?participant={code}")).JsonArrayAsync(), Is.Empty);
        var atSite = await (await _investigator.GetAsync("/api/v1/adverse-events?site=WAW")).JsonArrayAsync();
        Assert.That(atSite.Select(a => a!["participantCode"]!.GetValue<string>()), Does.Not.Contain(code));
    }

    [TestCase(new[] { "life-threatening" }, "probable", false, true, 7, "2026-03-15")]
    [TestCase(new[] { "hospitalisation" }, "probable", false, true, 15, "2026-03-23")]
    [TestCase(new[] { "death" }, "definite", false, true, 7, "2026-03-15")]
    [TestCase(new[] { "hospitalisation" }, "probable", true, false, null, null)]
    [TestCase(new[] { "hospitalisation" }, "unlikely", false, false, null, null)]
    public async Task Record_Serious_ClassifiesSusarWithItsReportingClock(
        string[] criteria, string relatedness, bool expected, bool isSusar, int? days, string? dueDate)
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var outcome = criteria.Contains("death") ? "fatal" : "recovering";
        var endDate = outcome == "fatal" ? "2026-03-08" : null; // a fatal outcome needs the date of death

        var created = await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Acute hypertensive crisis") with
        {
            Serious = true,
            SeriousCriteria = criteria,
            Relatedness = relatedness,
            Expected = expected,
            Outcome = outcome,
            EndDate = endDate,
            OnsetDate = "2026-03-07",
            AwareDate = "2026-03-08",
            SponsorReportedUtc = new DateTime(2026, 3, 8, 15, 0, 0, DateTimeKind.Utc),
        });

        var susar = created["susar"]!;
        Assert.That(susar["isSusar"]!.GetValue<bool>(), Is.EqualTo(isSusar), created.ToJsonString());
        Assert.That(susar["reportingClockDays"]?.GetValue<int>(), Is.EqualTo(days));
        Assert.That(susar["dueDate"]?.GetValue<string>(), Is.EqualTo(dueDate));
        var read = await (await _monitor.GetAsync($"/api/v1/adverse-events/{created["id"]}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(read["susar"]!.ToJsonString(), Is.EqualTo(susar.ToJsonString()));
    }

    [Test]
    public async Task Record_SeriousAndSpecialInterestEvents_RaiseSaeReportedAndAesiOnly()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var pneumonia = await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Pneumonia") with
        {
            Serious = true,
            SeriousCriteria = ["hospitalisation"],
            Severity = "severe",
            Relatedness = "not-related",
            Expected = false,
        });
        var cutting = await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Superficial cuts to forearm") with
        {
            SpecialInterest = "self-injury",
            Severity = "mild",
            Relatedness = "unlikely",
            AwareDate = "2026-03-09",
        });
        var attempt = await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Suicide attempt by overdose") with
        {
            Serious = true,
            SeriousCriteria = ["life-threatening", "hospitalisation"],
            Severity = "severe",
            Relatedness = "possible",
            Expected = false,
            ActionTaken = "interrupted",
            SpecialInterest = "suicidal-behaviour",
        });
        await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Nausea") with { Severity = "mild", Expected = true });

        var alerts = await SettledAlertsAsync(_host, _monitor, code);

        Assert.That(alerts.Select(a => $"{Rule(a)} {a!["sourceId"]}"), Is.EquivalentTo(new[]
        {
            $"SAE_REPORTED {SourceOf(pneumonia)}", $"SAE_REPORTED {SourceOf(attempt)}", $"AESI {SourceOf(cutting)}", $"AESI {SourceOf(attempt)}",
        }), alerts.ToJsonString());
        AssertAlert(alerts.Single(a => Rule(a) == "SAE_REPORTED" && a!["sourceId"]!.GetValue<string>() == SourceOf(pneumonia)),
            "SAE_REPORTED", "critical", code, null, SourceOf(pneumonia), "Serious adverse event 'Pneumonia'", "onset 2026-03-09", "hospitalisation");
        AssertAlert(alerts.Single(a => Rule(a) == "SAE_REPORTED" && a!["sourceId"]!.GetValue<string>() == SourceOf(attempt)),
            "SAE_REPORTED", "critical", code, null, SourceOf(attempt), "'Suicide attempt by overdose'", "life-threatening, hospitalisation");
        AssertAlert(alerts.Single(a => Rule(a) == "AESI" && a!["sourceId"]!.GetValue<string>() == SourceOf(cutting)),
            "AESI", "high", code, null, SourceOf(cutting), "special interest (self injury)", "'Superficial cuts to forearm'", "not serious");
        AssertAlert(alerts.Single(a => Rule(a) == "AESI" && a!["sourceId"]!.GetValue<string>() == SourceOf(attempt)),
            "AESI", "high", code, null, SourceOf(attempt), "special interest (suicidal behaviour)", "serious");
        Assert.That(pneumonia["saeReportDueUtc"]!.GetValue<DateTime>(), Is.EqualTo(new DateTime(2026, 3, 11, 0, 0, 0, DateTimeKind.Utc)));
        Assert.That(cutting["saeReportDueUtc"], Is.Null);
    }

    private static string SourceOf(System.Text.Json.Nodes.JsonObject ae) => Source(Guid.Parse(ae["id"]!.GetValue<string>()));
}
