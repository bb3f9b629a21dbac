using System.Net;
using NUnit.Framework;
using Trial.Application.Participants;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// Emergency unblinding: the arm goes to the investigator who asked, with a reason, and to nobody else; the monitors
/// are alerted without it; the participant is flagged unblinded.
/// </summary>
public class UnblindingTests : BlindedStudyFixture
{
    private static string Url(string code) => $"/api/v1/participants/{code}/unblinding";

    [Test]
    public async Task Unblind_ReturnsTheArmToTheRequesterAloneAndAlertsTheMonitorsWithoutIt()
    {
        var code = await RandomisedAsync();
        var allocation = await AllocationAsync(code);
        var arm = allocation["arm"]!.GetValue<string>();
        Assert.That(allocation["unblindedUtc"], Is.Null);

        var response = await (await PostAsync(_investigator, Url(code), new { reason = "Severe hypotension in the emergency department: treatment depends on the drug." }))
            .JsonAsync(HttpStatusCode.Created);

        Assert.That(response["arm"]!.GetValue<string>(), Is.EqualTo(arm));
        Assert.That(response["drug"]!.GetValue<string>(), Is.EqualTo(arm == "KET" ? "ketamine" : "midazolam"));

        // The monitors: a high UNBLINDED alert, open, naming who and why, never the arm.
        var alert = (await AlertsAsync(_monitor, code)).Single(a => Rule(a) == "UNBLINDED")!;
        Assert.That(alert["severity"]!.GetValue<string>(), Is.EqualTo("high"));
        Assert.That(alert["status"]!.GetValue<string>(), Is.EqualTo("open"));
        Assert.That(alert["sourceType"]!.GetValue<string>(), Is.EqualTo("unblinding"));
        Assert.That(alert["message"]!.GetValue<string>(), Does.Contain("investigator of WAW").And.Contain("Severe hypotension"));
        var filtered = await (await _monitor.GetAsync($"/api/v1/safety-alerts?rule=UNBLINDED&participant={code}")).JsonArrayAsync();
        Assert.That(filtered, Has.Count.EqualTo(1));

        // The record: who, when, why; the flag the extracts read. Nothing of the arm in what the blinded read.
        var row = (await HistoryAsync(code)).Single(r => r!["entityType"]!.GetValue<string>() == "unblinding")!;
        Assert.That(row["role"]!.GetValue<string>(), Is.EqualTo("investigator"));
        Assert.That(row["reason"]!.GetValue<string>(), Does.Contain("Severe hypotension"));
        Assert.That((await AllocationAsync(code))["unblindedUtc"], Is.Not.Null);
        foreach (var (role, client) in Blinded())
        {
            foreach (var url in new[] { $"/api/v1/participants/{code}/history", $"/api/v1/safety-alerts?participant={code}", $"/api/v1/participants/{code}",
                         $"/api/v1/participants/{code}/randomisation" })
            {
                var text = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
                Assert.That(text, Does.Not.Contain("KET").And.Not.Contain("MDZ").And.Not.Contain("ketamine").And.Not.Contain("midazolam"), $"{role} {url}");
            }
        }
    }

    [Test]
    public async Task UnblindedAlert_IsNotSupersededWhenTheSafetyRulesAreEvaluatedAgain()
    {
        var code = await RandomisedAsync();
        await (await PostAsync(_investigator, Url(code), new { reason = "Treating physician must know." })).JsonAsync(HttpStatusCode.Created);

        // New data makes the engine evaluate the participant; UNBLINDED is not one of its rules and must survive it.
        await AssessAtAsync(_investigator, code, "BL", null, "BSL23", Bsl(1), BaselineDay.ToDateTime(new TimeOnly(9, 30), DateTimeKind.Utc));
        var alerts = await SettledAlertsAsync(_host, _monitor, code, includeSuperseded: true);

        var unblinded = alerts.Single(a => Rule(a) == "UNBLINDED")!;
        Assert.That(unblinded["superseded"]!.GetValue<bool>(), Is.False, alerts.ToJsonString());
    }

    [Test]
    public async Task Unblind_RefusedWithoutReasonBeforeRandomisationOrForOthers()
    {
        var code = await RandomisedAsync();
        (await (await PostAsync(_investigator, Url(code), new { reason = " " })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).AssertField("reason");
        await (await PostAsync(_krkInvestigator, Url(code), new { reason = "Not my participant." })).ProblemAsync(HttpStatusCode.Forbidden);
        foreach (var client in new[] { _monitor, _statistician, _pharmacist, _unblinded, _host.Admin })
            await (await PostAsync(client, Url(code), new { reason = "Curious." })).ProblemAsync(HttpStatusCode.Forbidden);

        var notRandomised = await EnrolAsync();
        await (await PostAsync(_investigator, Url(notRandomised), new { reason = "Emergency." })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That((await AlertsAsync(_monitor, code)).Where(a => Rule(a) == "UNBLINDED"), Is.Empty, "nothing was unblinded");
    }

    [Test]
    public async Task Unblind_TheLongestReasonAccepted_GivesTheArmAndTheMonitorsTheWholeReason()
    {
        // SQL Server once refused the alert this writes when the reason was longer than about 890 characters.
        var code = await RandomisedAsync();
        var arm = (await AllocationAsync(code))["arm"]!.GetValue<string>();
        var words = string.Concat(Enumerable.Repeat("Anafilaksja po wlewie; leczenie zależy od podanego leku. ", 40));
        var reason = words[..(DataEntry.MaxReasonLength - 1)].TrimEnd().PadRight(DataEntry.MaxReasonLength, '.');

        (await (await PostAsync(_investigator, Url(code), new { reason = reason + "." })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).AssertField("reason");
        var response = await (await PostAsync(_investigator, Url(code), new { reason })).JsonAsync(HttpStatusCode.Created);

        Assert.That(response["arm"]!.GetValue<string>(), Is.EqualTo(arm));
        var alert = (await AlertsAsync(_monitor, code)).Single(a => Rule(a) == "UNBLINDED")!;
        Assert.That(alert["message"]!.GetValue<string>(), Does.EndWith("Reason given: " + reason));
    }

    [Test]
    public async Task Unblind_OpenLabelProtocol_Is409()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.OpenLabel));
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");

        await (await PostAsync(investigator, Url(code), new { reason = "Emergency." })).ProblemAsync(HttpStatusCode.Conflict);
    }
}
