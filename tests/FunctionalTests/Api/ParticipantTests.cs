using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

public class ParticipantTests
{
    private TrialHost _host = null!;
    private HttpClient _investigator = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _investigator = await _host.UserAsync("investigator", "WAW", "KRK");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Enrol_Eligible_AssignsCodesPerSiteInOrder()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        await host.CreateSiteAsync("KRK");
        var investigator = await host.UserAsync("investigator", "WAW", "KRK");
        var codes = new List<string>();
        foreach (var site in new[] { "WAW", "WAW", "KRK", "WAW" })
            codes.Add(await TrialHost.EnrolAsync(investigator, site));
        Assert.That(codes, Is.EqualTo(new[] { "WAW-0001", "WAW-0002", "KRK-0001", "WAW-0003" }));

        var created = await (await investigator.GetAsync("/api/v1/participants/WAW-0002")).JsonAsync(HttpStatusCode.OK);
        Assert.That(created["status"]!.GetValue<string>(), Is.EqualTo("enrolled"));
        Assert.That(created["protocolVersion"]!.GetValue<string>(), Is.EqualTo(host.Protocol.Version));
        Assert.That(created["enrolledDate"]!.GetValue<string>(), Is.EqualTo("2026-02-16"));
        Assert.That(created["eligibility"]!["failedAntidepressantTrials"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Enrol_Concurrently_GivesDistinctGapFreeCodes()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("GDA");
        var investigator = await host.UserAsync("investigator", "GDA");
        var codes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => TrialHost.EnrolAsync(investigator, "GDA")));
        Assert.That(codes.Order(), Is.EqualTo(Enumerable.Range(1, 12).Select(i => $"GDA-{i:0000}")));
    }

    [TestCase("failedAntidepressantTrials", 1, "failedAntidepressantTrials")]
    [TestCase("psychotherapyWithoutResponse", false, "psychotherapyWithoutResponse")]
    [TestCase("bpdDiagnosis", false, "bpdDiagnosis")]
    [TestCase("psychoticPersonalityOrganisation", true, "psychoticPersonalityOrganisation")]
    public async Task Enrol_Ineligible_Is422NamingTheCriterionAndStoresNothing(string field, object value, string criterion)
    {
        var before = (await (await _investigator.GetAsync("/api/v1/participants?site=KRK")).JsonArrayAsync()).Count;
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(TrialHost.EligibleParticipant("KRK"), System.Text.Json.JsonSerializerOptions.Web))!;
        body["eligibility"]![field] = JsonValue.Create(value);
        var problem = await (await _investigator.PostAsJsonAsync("/api/v1/participants", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "eligibility." + criterion }));
        Assert.That((await (await _investigator.GetAsync("/api/v1/participants?site=KRK")).JsonArrayAsync()).Count, Is.EqualTo(before));
    }

    [Test]
    public async Task Enrol_HighSuicideRisk_IsEligibleAndRecorded()
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(TrialHost.EligibleParticipant("WAW"), System.Text.Json.JsonSerializerOptions.Web))!;
        body["eligibility"]!["highSuicideRisk"] = true;
        var created = await (await _investigator.PostAsJsonAsync("/api/v1/participants", body)).JsonAsync(HttpStatusCode.Created);
        Assert.That(created["eligibility"]!["highSuicideRisk"]!.GetValue<bool>(), Is.True);
    }

    [TestCase("""{ "siteCode": "WAW" }""", "sex")]
    [TestCase("""{ "siteCode": "WAW", "sex": "Q", "birthYear": 1990, "weightKg": 60, "eligibility": { "failedAntidepressantTrials": 2, "psychotherapyWithoutResponse": true, "bpdDiagnosis": true, "psychoticPersonalityOrganisation": false, "highSuicideRisk": false } }""", "sex")]
    [TestCase("""{ "siteCode": "WAW", "sex": "F", "birthYear": 2999, "weightKg": 60, "eligibility": { "failedAntidepressantTrials": 2, "psychotherapyWithoutResponse": true, "bpdDiagnosis": true, "psychoticPersonalityOrganisation": false, "highSuicideRisk": false } }""", "birthYear")]
    [TestCase("""{ "siteCode": "WAW", "sex": "F", "birthYear": 1990, "weightKg": 600, "eligibility": { "failedAntidepressantTrials": 2, "psychotherapyWithoutResponse": true, "bpdDiagnosis": true, "psychoticPersonalityOrganisation": false, "highSuicideRisk": false } }""", "weightKg")]
    [TestCase("""{ "siteCode": "WAW", "sex": "F", "birthYear": 1990, "weightKg": 60 }""", "eligibility")]
    [TestCase("""{ "siteCode": "WAW", "sex": "F", "birthYear": 1990, "weightKg": 60, "eligibility": { "failedAntidepressantTrials": 2 } }""", "eligibility.bpdDiagnosis")]
    public async Task Enrol_WithInvalidField_Is422NamingIt(string json, string field)
    {
        var problem = await (await _investigator.PostJsonAsync("/api/v1/participants", json)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
    }

    [TestCase("{ not json", null)]
    [TestCase("""{ "siteCode": "WAW", "birthYear": "nineteen ninety" }""", "birthYear")]
    [TestCase("""{ "siteCode": "WAW", "enrolledDate": "2026-02-30" }""", "enrolledDate")]
    [TestCase("""{ "siteCode": "WAW", "scores": 3 }""", null)]
    [TestCase("", null)]
    public async Task Enrol_WithUnreadableBody_Is400Problem(string json, string? field)
    {
        var problem = await (await _investigator.PostJsonAsync("/api/v1/participants", json)).ProblemAsync(HttpStatusCode.BadRequest);
        if (field is not null) Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo(field));
        Assert.That(problem["detail"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task Enrol_AtUnknownSite_Is403ForInvestigator()
    {
        await (await _investigator.PostAsJsonAsync("/api/v1/participants", TrialHost.EligibleParticipant("ZZZ"))).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Get_UnknownParticipant_Is404Problem()
    {
        var problem = await (await _investigator.GetAsync("/api/v1/participants/WAW-9999")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("WAW-9999"));
    }
}

public class ParticipantListTests
{
    [Test]
    public async Task List_WithWholeAndFractionalWeights_ReadsEveryRow()
    {
        // SQLite stores 70 as an integer and 61.5 as a real in the same DECIMAL column.
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(TrialHost.EligibleParticipant("WAW"), System.Text.Json.JsonSerializerOptions.Web))!;
        await TrialHost.EnrolAsync(investigator, "WAW");
        body["weightKg"] = 70;
        (await investigator.PostAsJsonAsync("/api/v1/participants", body)).EnsureSuccessStatusCode();
        var list = await (await investigator.GetAsync("/api/v1/participants")).JsonArrayAsync();
        Assert.That(list.Select(p => p!["weightKg"]!.GetValue<decimal>()), Is.EqualTo(new[] { 61.5m, 70m }));
    }

    [Test]
    public async Task Enrol_WithWrongType_SaysWhatIsExpectedWithoutInternals()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var problem = await (await investigator.PostJsonAsync("/api/v1/participants", """{ "siteCode": "WAW", "enrolledDate": "2026-02-30" }"""))
            .ProblemAsync(System.Net.HttpStatusCode.BadRequest);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("yyyy-MM-dd").And.Not.Contain("System.").And.Not.Contain("Trial."));
        var whole = await (await investigator.PostJsonAsync("/api/v1/participants", "[1]")).ProblemAsync(System.Net.HttpStatusCode.BadRequest);
        Assert.That(whole["detail"]!.GetValue<string>(), Does.Not.Contain("Trial."));
    }
}
