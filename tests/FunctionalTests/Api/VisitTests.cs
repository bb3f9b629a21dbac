using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// Recording visits, infusions and vital signs, and the schedule the API returns, against both designs: an open-label
/// infusion carries its dose, a blinded one the pharmacy's preparation.
/// </summary>
[TestFixture(TestProtocols.Blinded)]
[TestFixture(TestProtocols.OpenLabel)]
public class VisitTests(string protocol) : WawSiteFixture(protocol)
{
    private Task<string> NewParticipantAsync() => TrialHost.EnrolAsync(_investigator, "WAW");

    private Task<HttpResponseMessage> RecordAsync(string code, string visit, string date) =>
        _investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/{visit}", new { actualDate = date });

    private async Task<Dictionary<string, JsonNode>> ScheduleAsync(string code) =>
        (await (await _investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync())
        .ToDictionary(v => v!["visitCode"]!.GetValue<string>(), v => v!);

    [Test]
    public async Task RecordInf1_GivesInf2ToInf4AndPost24TargetsFromItsDate()
    {
        var code = await NewParticipantAsync();
        var before = await ScheduleAsync(code);
        Assert.That(before["INF2"]["provisional"]!.GetValue<bool>(), Is.True);

        (await RecordAsync(code, "INF1", "2026-03-02")).EnsureSuccessStatusCode();
        var s = await ScheduleAsync(code);
        Assert.That(s["INF1"]["status"]!.GetValue<string>(), Is.EqualTo("done"));
        Assert.That(s["INF1"]["inWindow"]!.GetValue<bool>(), Is.True);
        Assert.That(s["POST24"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-03"));
        Assert.That(s["INF2"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-05"));
        Assert.That(s["INF2"]["windowStart"]!.GetValue<string>(), Is.EqualTo("2026-03-04"));
        Assert.That(s["INF2"]["windowEnd"]!.GetValue<string>(), Is.EqualTo("2026-03-06"));
        Assert.That(s["INF3"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-09"));
        Assert.That(s["INF4"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-12"));
        Assert.That(s["INF2"]["provisional"]!.GetValue<bool>(), Is.False);
        Assert.That(s["FU-D7"]["provisional"]!.GetValue<bool>(), Is.True, "follow-ups wait for the last infusion");
        Assert.That(s["FU-D7"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-19"));
    }

    [Test]
    public async Task LateLastInfusion_MovesEveryFollowUp()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        async Task<Dictionary<string, JsonNode>> ScheduleNowAsync() =>
            (await (await investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync())
            .ToDictionary(v => v!["visitCode"]!.GetValue<string>(), v => v!);
        foreach (var (visit, date) in new[] { ("INF1", "2026-03-01"), ("INF2", "2026-03-04"), ("INF3", "2026-03-08") })
            (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/{visit}", new { actualDate = date })).EnsureSuccessStatusCode();
        var planned = await ScheduleNowAsync();
        Assert.That(planned["FU-D7"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-18")); // INF4 target 03-11 + 7
        Assert.That(planned["FU-D7"]["provisional"]!.GetValue<bool>(), Is.True);

        host.Clock.Advance(TimeSpan.FromDays(2)); // 03-12: INF4 one day late, still in its ±1 window
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF4", new { actualDate = "2026-03-12" })).EnsureSuccessStatusCode();
        var s = await ScheduleNowAsync();
        Assert.That(s["INF4"]["inWindow"]!.GetValue<bool>(), Is.True);
        Assert.That(s["FU-D7"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-19"));
        Assert.That(s["FU-D14"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-26"));
        Assert.That(s["FU-D28"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-04-09"));
        Assert.That(s["FU-M3"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-06-11"));
        Assert.That(s["FU-M6"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-09-10"));
        Assert.That(s["FU-D7"]["provisional"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task VisitOutsideWindow_IsKeptAndFlagged()
    {
        var code = await NewParticipantAsync();
        (await RecordAsync(code, "INF1", "2026-03-01")).EnsureSuccessStatusCode();
        var recorded = await (await RecordAsync(code, "INF2", "2026-03-07")).JsonAsync(HttpStatusCode.OK); // target 03-04, window 03-03..03-05
        Assert.That(recorded["status"]!.GetValue<string>(), Is.EqualTo("done"));
        Assert.That(recorded["inWindow"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task ClosedWindow_BecomesMissed()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-10" })).EnsureSuccessStatusCode();
        host.Clock.Advance(TimeSpan.FromDays(4)); // 03-14: INF2 window 03-12..03-14 still open
        var open = (await (await investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync()).Single(v => v!["visitCode"]!.GetValue<string>() == "INF2")!;
        Assert.That(open["status"]!.GetValue<string>(), Is.EqualTo("scheduled"));
        host.Clock.Advance(TimeSpan.FromDays(1)); // 03-15: closed
        var missed = (await (await investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync()).Single(v => v!["visitCode"]!.GetValue<string>() == "INF2")!;
        Assert.That(missed["status"]!.GetValue<string>(), Is.EqualTo("missed"));
    }

    [TestCase("INF2", "2026-03-05", "INF1")]
    [TestCase("POST24", "2026-03-05", "INF1")]
    [TestCase("FU-D7", "2026-03-05", "infusion")]
    [TestCase("INF1", "2026-03-11", "future")]
    [TestCase("INF1", "2026-02-01", "enrolled")]
    public async Task Record_OutOfSequence_Is422NamingTheProblem(string visit, string date, string expected)
    {
        var code = await NewParticipantAsync();
        var problem = await (await RecordAsync(code, visit, date)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(expected));
        var s = await ScheduleAsync(code);
        Assert.That(s[visit]["status"]!.GetValue<string>(), Is.EqualTo("scheduled"));
    }

    [Test]
    public async Task Record_BadBodyOrCodes_Is4xxProblem()
    {
        var code = await NewParticipantAsync();
        await (await RecordAsync(code, "INF9", "2026-03-01")).ProblemAsync(HttpStatusCode.NotFound);
        await (await RecordAsync("WAW-9999", "INF1", "2026-03-01")).ProblemAsync(HttpStatusCode.NotFound);
        await (await RecordAsync(code, "INF1", "2026-02-30")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await RecordAsync(code, "INF1", "yesterday")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await _investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Test]
    public async Task Discontinuation_AfterInf2_DropsLaterInfusionsAndAnchorsFollowUpOnInf2()
    {
        var code = await NewParticipantAsync();
        (await RecordAsync(code, "INF1", "2026-02-20")).EnsureSuccessStatusCode();
        (await RecordAsync(code, "INF2", "2026-02-23")).EnsureSuccessStatusCode();
        var missingReason = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation", new { date = "2026-02-25", reasonCode = "ADVERSE EVENT" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(missingReason["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "reason" }));
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation", new { date = "2026-02-22", reasonCode = "ADVERSE EVENT", reason = "x" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity); // INF2 was given after that date

        var participant = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation",
            new { date = "2026-02-25", reasonCode = "ADVERSE EVENT", reason = "severe dissociation after INF2" })).JsonAsync(HttpStatusCode.OK);
        Assert.That(participant["infusionsDiscontinuedDate"]!.GetValue<string>(), Is.EqualTo("2026-02-25"));
        var s = await ScheduleAsync(code);
        Assert.That(s.Keys, Does.Not.Contain("INF3").And.Not.Contain("INF4"));
        Assert.That(s["FU-D7"]["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-02"));
        Assert.That(s["FU-D7"]["provisional"]!.GetValue<bool>(), Is.False);

        await (await RecordAsync(code, "INF3", "2026-02-27")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        // A second discontinuation corrects the first, so it must name the version it corrects.
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation", new { date = "2026-02-26", reasonCode = "ADVERSE EVENT", reason = "again" }))
            .ProblemAsync(HttpStatusCode.PreconditionRequired);
    }

    [Test]
    public async Task Infusion_OnItsRecordedVisit_IsStoredOnceWithTheDesignsDoseFields()
    {
        var code = await NewParticipantAsync();
        await _infusions.RandomiseAsync(code, new DateOnly(2026, 3, 8));
        (await RecordAsync(code, "INF1", "2026-03-09")).EnsureSuccessStatusCode();
        var body = await _infusions.PreparedBodyAsync(code, "INF1", new DateTime(2026, 3, 9, 9, 0, 0, DateTimeKind.Utc));
        var created = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/infusion", body)).JsonAsync(HttpStatusCode.Created);
        if (_infusions.Blinded)
        {
            // The blinded investigator sees the syringe they gave, never what was in it.
            Assert.That(created["doseMgPerKg"], Is.Null, created.ToJsonString());
            Assert.That(created["totalDoseMg"], Is.Null, created.ToJsonString());
            Assert.That(created["preparationId"]!.GetValue<string>(), Is.EqualTo(body.PreparationId));
            Assert.That(created["volumeMl"]!.GetValue<decimal>(), Is.EqualTo(body.VolumeMl));
        }
        else
        {
            Assert.That(created["totalDoseMg"]!.GetValue<decimal>(), Is.EqualTo(30.75m));
            Assert.That(created["preparationId"], Is.Null, created.ToJsonString());
        }
        var s = await ScheduleAsync(code);
        Assert.That(s["INF1"]["actualDate"]!.GetValue<string>(), Is.EqualTo("2026-03-09"));

        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/infusion", body)).ProblemAsync(HttpStatusCode.Conflict);
    }

    [TestCase("oral", "2026-03-09T09:00:00Z", "2026-03-09T09:40:00Z", "route")]
    [TestCase("IV", "2026-03-09T09:40:00Z", "2026-03-09T09:00:00Z", "endUtc")]
    [TestCase("IV", "2026-03-10T13:00:00Z", "2026-03-10T13:40:00Z", "startUtc")]
    [TestCase("IV", "2026-03-09T09:00:00", "2026-03-09T09:40:00Z", "startUtc")]
    public async Task Infusion_Implausible_Is422AndStoresNothing(string route, string start, string end, string field)
    {
        var code = await NewParticipantAsync();
        var body = _infusions.Body(code, "INF1", Instant(start), Instant(end), route: route);
        var problem = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/infusion", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
        Assert.That((await ScheduleAsync(code))["INF1"]["status"]!.GetValue<string>(), Is.EqualTo("scheduled"));
    }

    /// <summary>An instant as written, keeping a missing zone missing (so the API can refuse it).</summary>
    private static DateTime Instant(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    [Test]
    public async Task Infusion_WithADoseTheDesignDoesNotTake_Is422NamingDoseMgPerKg()
    {
        var code = await NewParticipantAsync();
        var start = new DateTime(2026, 3, 9, 9, 0, 0, DateTimeKind.Utc);
        // Open-label: 1.2 mg/kg is outside the protocol's limits. Blinded: no dose is taken at all, whatever its value.
        var body = _infusions.Body(code, "INF1", start) with { DoseMgPerKg = _infusions.Blinded ? 0.5m : 1.2m };
        var problem = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/infusion", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain("doseMgPerKg"));
        Assert.That((await ScheduleAsync(code))["INF1"]["status"]!.GetValue<string>(), Is.EqualTo("scheduled"));
    }

    [Test]
    public async Task Infusion_AtNonInfusionVisitOrUnrecordedVisit_IsRefused()
    {
        var code = await NewParticipantAsync();
        var body = _infusions.Body(code, "INF1", new DateTime(2026, 3, 9, 9, 0, 0, DateTimeKind.Utc));
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/FU-D7/infusion", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var missing = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF2/infusion", body)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(missing["missingVisit"]!.GetValue<string>(), Is.EqualTo("INF2"));
        var beforeInf1 = await (await RecordAsync(code, "INF2", "2026-03-09")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(beforeInf1["detail"]!.GetValue<string>(), Does.Contain("INF1"));
    }

    [Test]
    public async Task Infusion_OnAnotherDayThanItsVisit_Is422()
    {
        var code = await NewParticipantAsync();
        (await RecordAsync(code, "INF1", "2026-03-08")).EnsureSuccessStatusCode();
        var problem = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/infusion",
            _infusions.Body(code, "INF1", new DateTime(2026, 3, 9, 9, 0, 0, DateTimeKind.Utc)))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("2026-03-08").And.Contain("2026-03-09"));
    }

    [Test]
    public async Task Vitals_RecordedOncePerTimepoint()
    {
        var code = await NewParticipantAsync();
        (await RecordAsync(code, "INF1", "2026-03-09")).EnsureSuccessStatusCode();
        var url = $"/api/v1/participants/{code}/visits/INF1/vitals";
        var created = await (await _investigator.PostAsJsonAsync(url, new { timepoint = "t40", systolic = 150, diastolic = 95, heartRate = 88, spo2 = 97 }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.That(created["systolic"]!.GetValue<int>(), Is.EqualTo(150));
        await (await _investigator.PostAsJsonAsync(url, new { timepoint = "t40", systolic = 140, diastolic = 90, heartRate = 80, spo2 = 97 })).ProblemAsync(HttpStatusCode.Conflict);
    }

    [TestCase("t30", 120, 80, 70, 97, "timepoint")]
    [TestCase("pre", 400, 80, 70, 97, "systolic")]
    [TestCase("pre", 120, 130, 70, 97, "diastolic")]
    [TestCase("pre", 120, 80, 0, 97, "heartRate")]
    [TestCase("pre", 120, 80, 70, 101, "spo2")]
    public async Task Vitals_Implausible_Is422NamingTheField(string timepoint, int systolic, int diastolic, int heartRate, int spo2, string field)
    {
        var code = await NewParticipantAsync();
        var problem = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/vitals",
            new { timepoint, systolic, diastolic, heartRate, spo2 })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
    }
}
