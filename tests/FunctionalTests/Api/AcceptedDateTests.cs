using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api;

/// <summary>
/// Every date the API takes is between 1900-01-01 and 2200-12-31: one outside is refused with a problem naming the field
/// and stores nothing, whether it comes in a body (a date or an instant) or in a query; the edges are accepted.
/// An enrolment on 0001-01-01 followed by INF1 on the same day used to end in a 500 (the schedule's arithmetic left the calendar).
/// </summary>
public class AcceptedDateTests
{
    private TrialHost _host = null!;
    private HttpClient _investigator = null!, _monitor = null!, _statistician = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
        _statistician = await _host.UserAsync("statistician", "WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static JsonObject Enrolment(string enrolledDate)
    {
        var body = JsonSerializer.SerializeToNode(TrialHost.EligibleParticipant("WAW"))!.AsObject();
        body["enrolledDate"] = enrolledDate;
        return body;
    }

    private async Task<int> ParticipantCountAsync() => (await (await _investigator.GetAsync("/api/v1/participants?site=WAW")).JsonArrayAsync()).Count;

    [TestCase("0001-01-01")]
    [TestCase("1899-12-31")]
    [TestCase("2201-01-01")]
    [TestCase("9999-12-31")]
    public async Task EnrolledDate_OutsideTheRange_Is400NamingIt_AndStoresNothing(string date)
    {
        var before = await ParticipantCountAsync();
        var problem = await (await _investigator.PostAsJsonAsync("/api/v1/participants", Enrolment(date))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("enrolledDate"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("between 1900-01-01 and 2200-12-31").And.Contain(date));
        Assert.That(await ParticipantCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task AnImpossibleDate_StillSaysWhatIsExpected()
    {
        var problem = await (await _investigator.PostAsJsonAsync("/api/v1/participants", Enrolment("2026-02-30"))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("enrolledDate"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("yyyy-MM-dd"));
    }

    [Test]
    public async Task VisitDateAndInstants_OutsideTheRange_Are400NamingTheField()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var visit = await (await _investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/BL", new { actualDate = "0001-01-01" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(visit["field"]!.GetValue<string>(), Is.EqualTo("actualDate"));
        var ae = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/adverse-events", AdverseEvent("Nausea") with { AwareUtc = new DateTime(1, 1, 2, 0, 0, 0, DateTimeKind.Utc) }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(ae["field"]!.GetValue<string>(), Is.EqualTo("awareUtc"));
        var events = await (await _investigator.GetAsync("/api/v1/adverse-events?site=WAW")).JsonArrayAsync();
        Assert.That(events.Where(e => e!["participantCode"]!.GetValue<string>() == code), Is.Empty);
        var current = await (await _investigator.GetAsync($"/api/v1/participants/{code}/visits/BL")).JsonAsync(HttpStatusCode.OK);
        Assert.That(current["status"]!.GetValue<string>(), Is.Not.EqualTo("done"));
    }

    [Test]
    public async Task TheEdges_AreAccepted()
    {
        var since = "1900-01-01T00:00:00Z";
        Assert.That((await _monitor.GetAsync($"/api/v1/safety-alerts?since={since}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.Admin.GetAsync($"/api/v1/audit?since={since}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _statistician.GetAsync($"/api/v1/exports/participants.csv?since={since}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/api/v1/safety-alerts?since=0001-01-01T00:00:00Z", "monitor")]
    [TestCase("/api/v1/audit?since=2201-01-01T00:00:00Z", "admin")]
    [TestCase("/api/v1/exports/participants.csv?since=0001-01-01T00:00:00Z", "statistician")]
    public async Task QueryInstants_OutsideTheRange_Are422NamingSince(string url, string reader)
    {
        var client = reader switch { "monitor" => _monitor, "admin" => _host.Admin, _ => _statistician };
        var problem = await (await client.GetAsync(url)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "since" }));
        Assert.That(problem["errors"]!["since"]![0]!.GetValue<string>(), Does.Contain("between 1900-01-01 and 2200-12-31"));
    }
}
