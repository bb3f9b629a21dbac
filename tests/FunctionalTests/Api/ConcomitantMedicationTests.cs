using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api;

/// <summary>Concomitant medications through HTTP: the routes, CONMED_PROHIBITED after a benzodiazepine, and the CM-shaped extract.</summary>
public class ConcomitantMedicationTests : WawSiteFixture
{
    private static string Url(string code) => $"/api/v1/participants/{code}/concomitant-medications";

    private static readonly object Lorazepam = new
    {
        name = "Lorazepam", atcCode = "n05ba06", dose = "1 mg at night", route = "oral", startDate = "2026-03-01", endDate = "2026-03-01", ongoing = false,
        indication = "insomnia",
    };

    [Test]
    public async Task Record_ListAndCorrect_WithETagIfMatchAndReason()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");

        var response = await _investigator.PostAsJsonAsync(Url(code), Lorazepam);
        var created = await response.JsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        Assert.That(response.Headers.ETag?.ToString(), Is.EqualTo("\"1\""));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"{Url(code)}/{id}"));
        Assert.That(created["atcCode"]!.GetValue<string>(), Is.EqualTo("N05BA06"));

        var listed = await (await _monitor.GetAsync(Url(code))).JsonArrayAsync();
        Assert.That(listed.Select(m => m!["id"]!.GetValue<string>()), Is.EqualTo(new[] { id }));

        var correction = new
        {
            name = "Lorazepam", atcCode = "N05BA06", dose = "2 mg at night", route = "oral", startDate = "2026-03-01", endDate = "2026-03-01", ongoing = false,
            indication = "insomnia", reason = "Dose misread.",
        };
        Assert.That((await _investigator.PutAsJsonAsync($"{Url(code)}/{id}", correction)).StatusCode, Is.EqualTo(HttpStatusCode.PreconditionRequired));
        Assert.That((await PutAsync($"{Url(code)}/{id}", correction, "\"7\"")).StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        var noReason = await (await PutAsync($"{Url(code)}/{id}", correction with { reason = "" }, "\"1\"")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(noReason["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "reason" }));

        var corrected = await PutAsync($"{Url(code)}/{id}", correction, "\"1\"");
        var body = await corrected.JsonAsync(HttpStatusCode.OK);
        Assert.That((body["dose"]!.GetValue<string>(), body["version"]!.GetValue<int>(), corrected.Headers.ETag?.ToString()), Is.EqualTo(("2 mg at night", 2, "\"2\"")));
        var read = await _investigator.GetAsync($"{Url(code)}/{id}");
        Assert.That(read.Headers.ETag?.ToString(), Is.EqualTo("\"2\""));
    }

    [TestCase("name", """{ "name": " ", "startDate": "2026-03-01", "ongoing": true }""")]
    [TestCase("atcCode", """{ "name": "Lorazepam", "atcCode": "N5BA06", "startDate": "2026-03-01", "ongoing": true }""")]
    [TestCase("startDate", """{ "name": "Lorazepam", "startDate": "2026-03-11", "ongoing": true }""")]
    [TestCase("endDate", """{ "name": "Lorazepam", "startDate": "2026-03-05", "endDate": "2026-03-04", "ongoing": false }""")]
    [TestCase("endDate", """{ "name": "Lorazepam", "startDate": "2026-03-05", "endDate": "2026-03-06", "ongoing": true }""")]
    [TestCase("endDate", """{ "name": "Lorazepam", "startDate": "2026-03-05" }""")]
    [TestCase("name", """{ "name": "=HYPERLINK(\"x\")", "startDate": "2026-03-05", "ongoing": true }""")]
    public async Task Record_Invalid_Is422NamingTheFieldAndStoresNothing(string field, string json)
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");

        var problem = await (await _investigator.PostJsonAsync(Url(code), json)).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());
        Assert.That(await (await _investigator.GetAsync(Url(code))).JsonArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task BenzodiazepineTheDayBeforeAnInfusion_RaisesConmedProhibited_AndTheExtractReadsBackWhatWasEntered()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await _infusions.RandomiseAsync(code, new DateOnly(2026, 3, 1));
        await TrialHost.EnsureVisitAsync(_investigator, code, "INF1", new DateOnly(2026, 3, 2));
        await _infusions.InfuseAsync(code, "INF1", new DateTime(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc));
        var id = (await (await _investigator.PostAsJsonAsync(Url(code), Lorazepam)).JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();

        var alerts = await SettledAlertsAsync(_host, _monitor, code, ignoreRules: MissedVisits);

        var alert = alerts.Single(a => Rule(a) == "CONMED_PROHIBITED")!;
        Assert.That(alert["severity"]!.GetValue<string>(), Is.EqualTo("low"));
        Assert.That(alert["visitCode"]!.GetValue<string>(), Is.EqualTo("INF1"));
        Assert.That(alert["message"]!.GetValue<string>(), Is.EqualTo(
            "Lorazepam (N05BA06), 2026-03-01 to 2026-03-01: benzodiazepine within 24 h before INF1 (started 2026-03-02 08:10 UTC)"));

        var statistician = await _host.UserAsync("statistician", "WAW");
        var row = (await CsvAsync(_host.Admin, "concomitant-medications", "?includeFreeText=true")).Rows.Single(r => r["CMSPID"] == id);
        Assert.That(row["USUBJID"], Is.EqualTo(code));
        Assert.That(row["DOMAIN"], Is.EqualTo("CM"));
        Assert.That(row["CMSEQ"], Is.EqualTo("1"));
        Assert.That((row["CMTRT"], row["CMDECOD"], row["CMCLASCD"], row["CMCLAS"]), Is.EqualTo(("Lorazepam", "", "N05BA06", "benzodiazepine")));
        Assert.That((row["CMDOSTXT"], row["CMROUTE"], row["CMINDC"]), Is.EqualTo(("1 mg at night", "oral", "insomnia")));
        Assert.That((row["CMSTDTC"], row["CMENDTC"], row["CMENRTPT"]), Is.EqualTo(("2026-03-01", "2026-03-01", "")));
        Assert.That((row["CMSTDY"], row["CMENDY"], row["CMREVNUM"]), Is.EqualTo(("-1", "-1", "1")));
        var blinded = await CsvAsync(statistician, "concomitant-medications");
        Assert.That(blinded.Header, Does.Not.Contain("CMINDC"), "the indication is free text");
        Assert.That(blinded.Rows.Single(r => r["CMSPID"] == id)["CMTRT"], Is.EqualTo("Lorazepam"));
    }

    private Task<HttpResponseMessage> PutAsync(string url, object body, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return _investigator.SendAsync(request);
    }
}
