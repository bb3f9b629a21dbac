using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;

namespace Trial.Tests.Api;

/// <summary>Screenings over HTTP: recorded, read back by site, enrolled from, and written to screening.csv.</summary>
public class ScreeningTests
{
    private TrialHost _host = null!;
    private HttpClient _investigator = null!, _krakow = null!, _monitor = null!, _statistician = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _krakow = await _host.UserAsync("investigator", "KRK");
        _monitor = await _host.UserAsync("monitor", "WAW");
        _statistician = await _host.UserAsync("statistician", "WAW", "KRK");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static object Screening(string site, string date = "2026-03-02", int trials = 2, bool bpd = true, string? reason = null) => new
    {
        siteCode = site, date,
        eligibility = new { failedAntidepressantTrials = trials, psychotherapyWithoutResponse = true, bpdDiagnosis = bpd, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
        reason,
    };

    private static object FromScreening(string site, string screeningNumber) =>
        new { siteCode = site, sex = "M", birthYear = 1988, weightKg = 72.5m, enrolledDate = "2026-03-03", screeningNumber };

    private static async Task<JsonObject> ScreenAsync(HttpClient investigator, object body)
    {
        var response = await investigator.PostAsJsonAsync("/api/v1/screenings", body);
        Assert.That(response.Headers.Location?.ToString(), Does.StartWith("/api/v1/screenings/"));
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    [Test]
    public async Task Record_ScreenFailure_Is201WithTheOutcomeTheCriteriaAndNoCommentForTheInvestigator()
    {
        var created = await ScreenAsync(_krakow, Screening("KRK", trials: 1, bpd: false, reason: "Only one antidepressant trial."));

        Assert.That(created["screeningNumber"]!.GetValue<string>(), Does.Match(@"^KRK-S\d{4}$"));
        Assert.That((created["siteCode"]!.GetValue<string>(), created["date"]!.GetValue<string>(), created["outcome"]!.GetValue<string>()),
            Is.EqualTo(("KRK", "2026-03-02", "screen-failure")));
        Assert.That(created["failedCriteria"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "failedAntidepressantTrials", "bpdDiagnosis" }));
        Assert.That(created.ContainsKey("reason"), Is.False, "the comment is for admins only");

        var number = created["screeningNumber"]!.GetValue<string>();
        var asAdmin = await (await _host.Admin.GetAsync($"/api/v1/screenings/{number}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(asAdmin["reason"]!.GetValue<string>(), Is.EqualTo("Only one antidepressant trial."));
        var asInvestigator = await (await _krakow.GetAsync($"/api/v1/screenings/{number}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(asInvestigator.ContainsKey("reason"), Is.False);
        Assert.That(await (await _krakow.GetAsync("/api/v1/screenings")).Content.ReadAsStringAsync(), Does.Not.Contain("Only one antidepressant trial."));
    }

    [Test]
    public async Task Read_AnotherSitesScreening_Is403AndTheListHoldsOnlyTheReadersSites()
    {
        var krakow = (await ScreenAsync(_krakow, Screening("KRK")))["screeningNumber"]!.GetValue<string>();
        await ScreenAsync(_investigator, Screening("WAW"));

        await (await _monitor.GetAsync($"/api/v1/screenings/{krakow}")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _monitor.GetAsync("/api/v1/screenings/WAW-S9999")).ProblemAsync(HttpStatusCode.NotFound);
        await (await _monitor.GetAsync("/api/v1/screenings?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
        var listed = await (await _monitor.GetAsync("/api/v1/screenings")).JsonArrayAsync();
        Assert.That(listed.Select(s => s!["siteCode"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "WAW" }));
    }

    [TestCase("date", "2026-03-11")]
    [TestCase("date", "2024-01-01")]
    [TestCase("siteCode", null)]
    public async Task Record_BadField_Is422NamingItAndStoresNothing(string field, string? value)
    {
        var before = (await (await _host.Admin.GetAsync("/api/v1/screenings")).JsonArrayAsync()).Count;
        var body = field == "date" ? Screening("WAW", date: value!) : new { siteCode = value, date = "2026-03-02", eligibility = new { } };

        var problem = await (await _investigator.PostAsJsonAsync("/api/v1/screenings", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
        Assert.That((await (await _host.Admin.GetAsync("/api/v1/screenings")).JsonArrayAsync()).Count, Is.EqualTo(before));
    }

    [Test]
    public async Task Record_AtAnotherSite_Is403()
    {
        await (await _investigator.PostAsJsonAsync("/api/v1/screenings", Screening("KRK"))).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Enrol_FromAnEligibleScreening_LinksItOnceAndRefusesEveryOtherUse()
    {
        var eligible = (await ScreenAsync(_investigator, Screening("WAW")))["screeningNumber"]!.GetValue<string>();
        var failure = (await ScreenAsync(_investigator, Screening("WAW", bpd: false)))["screeningNumber"]!.GetValue<string>();
        var krakow = (await ScreenAsync(_krakow, Screening("KRK")))["screeningNumber"]!.GetValue<string>();

        var participant = await (await _investigator.PostAsJsonAsync("/api/v1/participants", FromScreening("WAW", eligible))).JsonAsync(HttpStatusCode.Created);
        Assert.That(participant["screeningNumber"]!.GetValue<string>(), Is.EqualTo(eligible));
        Assert.That(participant["eligibility"]!["failedAntidepressantTrials"]!.GetValue<int>(), Is.EqualTo(2));
        var code = participant["code"]!.GetValue<string>();
        var screening = await (await _investigator.GetAsync($"/api/v1/screenings/{eligible}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(screening["participantCode"]!.GetValue<string>(), Is.EqualTo(code));

        var used = await (await _investigator.PostAsJsonAsync("/api/v1/participants", FromScreening("WAW", eligible))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(used["field"]!.GetValue<string>(), Is.EqualTo("screeningNumber"));
        foreach (var number in new[] { failure, krakow, "WAW-S9999" })
        {
            var refused = await (await _investigator.PostAsJsonAsync("/api/v1/participants", FromScreening("WAW", number))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(refused["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "screeningNumber" }), number);
        }
        var participants = await (await _investigator.GetAsync("/api/v1/participants?site=WAW")).JsonArrayAsync();
        Assert.That(participants.Count(p => p!["screeningNumber"]?.GetValue<string>() == eligible), Is.EqualTo(1));
    }

    [Test]
    public async Task Enrol_WithoutScreeningNumber_RecordsItsEligibleScreening()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");

        var participant = await (await _investigator.GetAsync($"/api/v1/participants/{code}")).JsonAsync(HttpStatusCode.OK);
        var number = participant["screeningNumber"]!.GetValue<string>();
        var screening = await (await _investigator.GetAsync($"/api/v1/screenings/{number}")).JsonAsync(HttpStatusCode.OK);
        Assert.That((screening["outcome"]!.GetValue<string>(), screening["date"]!.GetValue<string>(), screening["participantCode"]!.GetValue<string>()),
            Is.EqualTo(("eligible", "2026-02-16", code)));
    }

    [Test]
    public async Task ScreeningCsv_ParsedBack_HoldsWhatWasEnteredAndTheCommentOnlyWithFreeText()
    {
        var failure = (await ScreenAsync(_krakow, Screening("KRK", date: "2026-03-04", trials: 0, reason: "=HYPERLINK(\"x\"), declined")))["screeningNumber"]!.GetValue<string>();
        var eligible = (await ScreenAsync(_investigator, Screening("WAW", date: "2026-03-03")))["screeningNumber"]!.GetValue<string>();
        var code = (await (await _investigator.PostAsJsonAsync("/api/v1/participants", FromScreening("WAW", eligible))).JsonAsync(HttpStatusCode.Created))["code"]!
            .GetValue<string>();

        var csv = await CsvAsync(_statistician, "screening");

        Assert.That(csv.Header, Is.EqualTo(new[]
        {
            "study_id", "site", "screening_number", "screening_date", "outcome", "fails_antidepressant_trials", "fails_psychotherapy_without_response",
            "fails_bpd_diagnosis", "fails_psychotic_personality_organisation", "participant_code", "protocol_version",
        }));
        Assert.That(csv.Text, Does.Not.Contain("HYPERLINK"));
        var failed = csv.Single(("screening_number", failure));
        Assert.That((failed["study_id"], failed["site"], failed["screening_date"], failed["outcome"], failed["participant_code"]),
            Is.EqualTo((_host.Protocol.ProtocolId, "KRK", "2026-03-04", "screen-failure", "")));
        Assert.That((failed["fails_antidepressant_trials"], failed["fails_psychotherapy_without_response"], failed["fails_bpd_diagnosis"],
            failed["fails_psychotic_personality_organisation"]), Is.EqualTo(("TRUE", "FALSE", "FALSE", "FALSE")));
        var enrolled = csv.Single(("screening_number", eligible));
        Assert.That((enrolled["outcome"], enrolled["participant_code"], enrolled["fails_antidepressant_trials"]), Is.EqualTo(("eligible", code, "FALSE")));

        var withText = await CsvAsync(_host.Admin, "screening", "?includeFreeText=true");
        Assert.That(withText.Single(("screening_number", failure))["comment"], Does.Contain("HYPERLINK"));
        var dictionary = await CsvAsync(_statistician, "dictionary");
        Assert.That(dictionary.Where("dataset", "screening").Select(r => r["name"]), Is.SupersetOf(csv.Header));
    }
}
