using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// The <c>required</c> list the document gives a request body is what the API refuses: an empty body is answered with a
/// 422 that names every one of those fields.
/// </summary>
public class OpenApiRequiredFieldsTests : WawSiteFixture
{
    private JsonObject _schemas = null!;
    private string _participant = null!;

    [OneTimeSetUp]
    public async Task LoadAsync()
    {
        var document = JsonNode.Parse(await (await _host.Client().GetAsync(ServedOpenApi.DocumentPath)).Content.ReadAsStringAsync())!;
        _schemas = document["components"]!["schemas"]!.AsObject();
        _participant = await TrialHost.EnrolAsync(_investigator, "WAW");
    }

    public static IEnumerable<TestCaseData> Bodies()
    {
        yield return new TestCaseData("admin", "POST", "/api/v1/sites", "CreateSiteRequest");
        yield return new TestCaseData("admin", "POST", "/api/v1/users", "CreateUserRequest");
        yield return new TestCaseData("anonymous", "POST", "/api/v1/tokens", "ActivateRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants", "EnrolParticipantRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/screenings", "RecordScreeningRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants/{code}/adverse-events", "AdverseEventRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants/{code}/concomitant-medications", "ConcomitantMedicationRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants/{code}/withdrawal", "WithdrawParticipantRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants/{code}/discontinuation", "DiscontinueInfusionsRequest");
        yield return new TestCaseData("investigator", "PUT", "/api/v1/participants/{code}/visits/BL", "RecordVisitRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants/{code}/visits/BL/assessments", "CreateAssessmentRequest");
        yield return new TestCaseData("investigator", "POST", "/api/v1/participants/{code}/visits/{infusion}/vitals", "RecordVitalsRequest");
    }

    [TestCaseSource(nameof(Bodies))]
    public async Task EmptyBody_Is422_NamingEveryRequiredField(string caller, string method, string path, string schema)
    {
        var required = _schemas[schema]!["required"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.That(required, Is.Not.Empty);
        var client = caller switch { "admin" => _host.Admin, "anonymous" => _host.Client(), _ => _investigator };
        var url = path.Replace("{code}", _participant, StringComparison.Ordinal)
            .Replace("{infusion}", _host.Protocol.InfusionVisits.First().Code, StringComparison.Ordinal);

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        });

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.SupersetOf(required), problem.ToJsonString());
    }

    /// <summary>
    /// A response's required properties are in every body the API writes, whoever reads it: a key left out for some readers
    /// (the screening comment for all but admins, the arms of the CONSORT report for all but the unblinded) is optional.
    /// </summary>
    [Test]
    public async Task ResponseRequiredFields_ArePresentForAReaderWhoseBodyLeavesKeysOut()
    {
        var today = _host.Clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var screened = await _investigator.PostAsJsonAsync("/api/v1/screenings", new
        {
            siteCode = "WAW", date = today, reason = "Referred by the outpatient clinic.",
            eligibility = new { failedAntidepressantTrials = 2, psychotherapyWithoutResponse = true, bpdDiagnosis = true, psychoticPersonalityOrganisation = false, highSuicideRisk = false },
        });
        await screened.JsonAsync(HttpStatusCode.Created);
        var screenings = await (await _investigator.GetAsync("/api/v1/screenings")).JsonArrayAsync();
        Assert.That(screenings, Is.Not.Empty);
        foreach (var screening in screenings) AssertCarriesRequired("ScreeningResponse", screening!.AsObject());

        // CONSORT follows allocations: a protocol that does not randomise has none (409), so nothing to read there.
        if (_host.Protocol.Design.Randomisation is null) return;
        var statistician = await _host.UserAsync("statistician", "WAW");
        var consort = await (await statistician.GetAsync("/api/v1/reports/consort")).JsonAsync(HttpStatusCode.OK);
        AssertCarriesRequired("ConsortByArmResponse", consort);
    }

    private void AssertCarriesRequired(string schema, JsonObject body)
    {
        var required = _schemas[schema]!["required"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.That(required, Is.Not.Empty);
        Assert.That(body.Select(p => p.Key), Is.SupersetOf(required), $"{schema}: {body.ToJsonString()}");
    }
}
