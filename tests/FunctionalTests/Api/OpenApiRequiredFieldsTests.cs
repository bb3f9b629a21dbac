using System.Net;
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
}
