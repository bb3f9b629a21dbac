using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api;

public class OpenApiTests
{
    private static JsonObject _document = null!;

    [OneTimeSetUp]
    public static async Task LoadAsync()
    {
        await using var host = TrialHost.Start();
        var response = await host.Client().GetAsync("/swagger/v1/swagger.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        _document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    [Test]
    public void EveryOperation_HasASummaryAndDocumentedResponses()
    {
        var operations = Operations().ToList();
        Assert.That(operations, Has.Count.GreaterThan(15));
        Assert.That(operations.Where(o => string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>())).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
        Assert.That(operations.Where(o => o.Operation["responses"]!.AsObject().Count == 0).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
    }

    [Test]
    public void Document_DeclaresBearerSchemeForAuthorizeButton()
    {
        var scheme = _document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.That(scheme["type"]!.GetValue<string>(), Is.EqualTo("http"));
        Assert.That(scheme["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.That(_document["security"]!.AsArray(), Is.Not.Empty);
    }

    [Test]
    public void AnonymousOperations_RequireNoToken_OthersTheBearerToken()
    {
        var anonymous = Operations().Where(o => o.Operation["security"] is JsonArray { Count: 0 }).Select(o => $"{o.Method} {o.Path}").ToList();
        Assert.That(anonymous, Is.EquivalentTo(new[] { "post /api/v1/tokens", "get /health/live", "get /health/ready" }));
        Assert.That(_document["paths"]!["/api/v1/users"]!["post"]!["security"], Is.Null, "the document's bearer requirement applies");
    }

    [Test]
    public void ContractRoutes_ArePublished()
    {
        var paths = _document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/api/v1/sites", "/api/v1/users", "/api/v1/users/{id}/token", "/api/v1/users/{id}/activation", "/api/v1/tokens",
            "/api/v1/users/me/tokens", "/api/v1/users/me/tokens/{id}", "/api/v1/participants", "/api/v1/participants/{code}",
            "/api/v1/participants/{code}/visits", "/api/v1/participants/{code}/visits/{visitCode}",
            "/api/v1/participants/{code}/visits/{visitCode}/infusion", "/api/v1/participants/{code}/visits/{visitCode}/vitals",
            "/api/v1/participants/{code}/visits/{visitCode}/assessments", "/api/v1/participants/{code}/assessments",
            "/api/v1/visits/due", "/health/live", "/health/ready",
        }));
    }

    [Test]
    public void AssessmentRequest_HasAnExample()
    {
        var schema = _document["components"]!["schemas"]!["CreateAssessmentRequest"]!;
        Assert.That(schema["example"] ?? schema["examples"], Is.Not.Null);
    }

    private static JsonObject Schema(string name) => _document["components"]!["schemas"]![name]!.AsObject();

    private static IEnumerable<string> Strings(JsonNode? array) => array?.AsArray().Select(v => v?.GetValue<string>() ?? "null") ?? [];

    [TestCase("CreateAssessmentRequest")]
    [TestCase("CorrectAssessmentRequest")]
    [TestCase("ImportAssessmentLine")]
    public void AssessmentItems_AreAnArrayOfNullableNumbers(string schema)
    {
        var items = Schema(schema)["properties"]!["items"]!;
        Assert.That(items["type"]!.GetValue<string>(), Is.EqualTo("array"));
        Assert.That(items["items"]!["type"]!.GetValue<string>(), Is.EqualTo("number"));
        Assert.That(items["items"]!["nullable"]!.GetValue<bool>(), Is.True, "null stands for an item not answered");
    }

    [Test]
    public void Scores_HaveEveryScoreKeyOfTheCatalogueAsAnOptionalNumber()
    {
        var keys = Trial.Core.Instruments.InstrumentCatalog.All.SelectMany(i => i.Scores.Select(s => s.Key)).Distinct().ToList();
        var scores = Schema("AssessmentResponse")["properties"]!["scores"]!;

        Assert.That(scores["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(keys));
        Assert.That(keys, Does.Contain("total").And.Contain("mean"));
        Assert.That(scores["properties"]!.AsObject().Select(p => p.Value!["type"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "number" }));
        Assert.That(scores["required"], Is.Null, "each instrument reports only its own keys");
    }

    [Test]
    public void ValidationErrors_AreAMapOfStringArrays()
    {
        var errors = Schema("HttpValidationProblemDetails")["properties"]!["errors"]!;
        Assert.That(errors["additionalProperties"]!["type"]!.GetValue<string>(), Is.EqualTo("array"));
        Assert.That(errors["additionalProperties"]!["items"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
    }

    /// <summary>The values a property or parameter schema allows, through its reference to a shared value set; null left out.</summary>
    private static IEnumerable<string> EnumOf(JsonNode schema)
    {
        var target = schema["$ref"] is { } reference ? Schema(reference.GetValue<string>().Split('/')[^1]) : schema;
        return Strings(target["enum"] ?? throw new AssertionException($"no enum in {schema.ToJsonString()}")).Where(v => v != "null");
    }

    [Test]
    public async Task FixedValueSets_AreEnums_FromTheServedProtocolAndCatalogue()
    {
        await using var host = TrialHost.Start();
        var protocol = host.Protocol;
        var instruments = Trial.Core.Instruments.InstrumentCatalog.All.Select(i => i.Code).ToList();
        Assert.That(EnumOf(Schema("CreateAssessmentRequest")["properties"]!["instrument"]!), Is.EquivalentTo(instruments));
        Assert.That(EnumOf(Schema("AssessmentResponse")["properties"]!["instrument"]!), Is.EquivalentTo(instruments));
        Assert.That(EnumOf(Schema("CreateAssessmentRequest")["properties"]!["timepoint"]!), Is.EquivalentTo(protocol.Timepoints));
        Assert.That(Strings(Schema("CreateAssessmentRequest")["properties"]!["timepoint"]!["enum"]), Does.Contain("null"), "no timepoint outside infusion visits");
        Assert.That(EnumOf(Schema("RecordVitalsRequest")["properties"]!["timepoint"]!), Is.EquivalentTo(protocol.Timepoints));
        Assert.That(EnumOf(Schema("VisitResponse")["properties"]!["visitCode"]!), Is.EquivalentTo(protocol.Visits.Select(v => v.Code)));
        Assert.That(EnumOf(Schema("CreateUserRequest")["properties"]!["role"]!), Is.EquivalentTo(Trial.Core.Access.Roles.All));
        Assert.That(EnumOf(Schema("UserResponse")["properties"]!["role"]!), Is.EquivalentTo(Trial.Core.Access.Roles.All));
        Assert.That(EnumOf(Schema("EnrolParticipantRequest")["properties"]!["sex"]!), Is.EquivalentTo(new[] { "F", "M", "X" }));
        Assert.That(EnumOf(Schema("ParticipantResponse")["properties"]!["status"]!), Is.EquivalentTo(new[] { "enrolled", "withdrawn", "completed" }));
        Assert.That(EnumOf(Schema("SafetyAlertResponse")["properties"]!["status"]!), Is.EquivalentTo(new[] { "open", "acknowledged", "resolved" }));
        Assert.That(EnumOf(Schema("SafetyAlertResponse")["properties"]!["severity"]!), Is.EquivalentTo(new[] { "low", "medium", "high", "critical" }));
        Assert.That(EnumOf(Schema("SafetyAlertResponse")["properties"]!["rule"]!), Is.EquivalentTo(protocol.SafetyRules.Select(r => r.Code)));
        Assert.That(EnumOf(Schema("RecordPreparationRequest")["properties"]!["arm"]!), Is.EquivalentTo(protocol.Design.Arms.Select(a => a.Code)));
        var alertFilters = _document["paths"]!["/api/v1/safety-alerts"]!["get"]!["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
        Assert.That(EnumOf(alertFilters["severity"]["schema"]!), Is.EquivalentTo(new[] { "low", "medium", "high", "critical" }));
        Assert.That(EnumOf(alertFilters["rule"]["schema"]!), Is.EquivalentTo(protocol.SafetyRules.Select(r => r.Code)));
    }

    [Test]
    public void RequiredLists_NameTheFieldsRefusedWhenMissing_AndEveryResponseProperty()
    {
        var create = Schema("CreateAssessmentRequest");
        Assert.That(Strings(create["required"]), Is.EquivalentTo(new[] { "instrument", "administeredUtc", "items" }));
        Assert.That(create["properties"]!["items"]!["nullable"], Is.Null, "a required field sent as null is refused");
        Assert.That(create["properties"]!["reason"]!["nullable"]!.GetValue<bool>(), Is.True);
        Assert.That(Strings(Schema("EnrolParticipantRequest")["required"]), Is.EquivalentTo(new[] { "siteCode", "sex", "birthYear", "weightKg", "eligibility" }));
        var response = Schema("AssessmentResponse");
        Assert.That(Strings(response["required"]), Is.EquivalentTo(response["properties"]!.AsObject().Select(p => p.Key)), "the serializer writes every property, nulls too");
    }

    [Test]
    public void EveryAuthenticatedOperation_Declares401And429_AndEveryErrorIsProblemJson()
    {
        var operations = Operations().ToList();
        var authenticated = operations.Where(o => o.Operation["security"] is not JsonArray { Count: 0 }).ToList();
        Assert.That(authenticated, Has.Count.GreaterThan(50));
        Assert.That(authenticated.Where(o => o.Operation["responses"]!["401"] is null).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
        Assert.That(operations.Where(o => o.Operation["responses"]!["429"] is null).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
        var notProblems = operations.SelectMany(o => o.Operation["responses"]!.AsObject()
                .Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400 && r.Value!["content"]?["application/problem+json"] is null)
                .Select(r => $"{r.Key} of {o.Method} {o.Path}"));
        Assert.That(notProblems, Is.Empty);
    }

    [Test]
    public void RoleOperations_Declare403_RouteParameters404_Bodies400And415()
    {
        var create = _document["paths"]!["/api/v1/participants/{code}/visits/{visitCode}/assessments"]!["post"]!["responses"]!.AsObject().Select(r => r.Key);
        Assert.That(create, Is.SupersetOf(new[] { "400", "401", "403", "404", "413", "415", "422", "429" }));
        var users = _document["paths"]!["/api/v1/users"]!["get"]!["responses"]!.AsObject().Select(r => r.Key);
        Assert.That(users, Does.Contain("403"), "listing users is for admins");
        Assert.That(users, Does.Not.Contain("404").And.Not.Contain("415"));
    }

    [Test]
    public void Headers_AreDeclared()
    {
        var create = _document["paths"]!["/api/v1/participants/{code}/visits/{visitCode}/assessments"]!["post"]!;
        Assert.That(create["parameters"]!.AsArray().Where(p => p!["in"]!.GetValue<string>() == "header").Select(p => p!["name"]!.GetValue<string>()),
            Is.EqualTo(new[] { "Idempotency-Key" }));
        var created = create["responses"]!["201"]!["headers"]!.AsObject().Select(h => h.Key);
        Assert.That(created, Is.SupersetOf(new[] { "Location", "ETag", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset" }));
        Assert.That(create["responses"]!["429"]!["headers"]!["Retry-After"], Is.Not.Null);

        var correct = _document["paths"]!["/api/v1/assessments/{id}"]!["put"]!;
        Assert.That(correct["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()), Does.Contain("If-Match"));
        var bundle = _document["paths"]!["/api/v1/exports/bundle.zip"]!["get"]!["responses"]!["200"]!["headers"]!.AsObject().Select(h => h.Key);
        Assert.That(bundle, Does.Contain("Trial-Snapshot-Utc").And.Contain("Trial-Next-Since"));
        var health = _document["paths"]!["/health/live"]!["get"]!;
        Assert.That(health["responses"]!["200"]!["headers"]?["RateLimit-Limit"], Is.Null, "anonymous calls are not counted per token");
    }

    [Test]
    public void Document_HasARelativeServer_TagDescriptions_AndOperationDescriptions()
    {
        Assert.That(_document["servers"]!.AsArray().Select(s => s!["url"]!.GetValue<string>()), Is.EqualTo(new[] { "/" }));
        var tags = _document["tags"]!.AsArray();
        Assert.That(tags.Where(t => string.IsNullOrWhiteSpace(t!["description"]?.GetValue<string>())).Select(t => t!["name"]!.ToString()), Is.Empty);
        var used = Operations().SelectMany(o => Strings(o.Operation["tags"])).Distinct();
        Assert.That(tags.Select(t => t!["name"]!.GetValue<string>()), Is.SupersetOf(used));
        Assert.That(Operations().Where(o => string.IsNullOrWhiteSpace(o.Operation["description"]?.GetValue<string>())).Select(o => $"{o.Method} {o.Path}"), Is.Empty);
        Assert.That(_document["paths"]!["/api/v1/users"]!["post"]!["description"]!.GetValue<string>(), Does.Contain("admin"));
    }

    [Test]
    public void Identifiers_AreUuids()
    {
        var ids = _document["components"]!["schemas"]!.AsObject()
            .SelectMany(s => (s.Value!["properties"]?.AsObject() ?? []).Where(p => p.Key == "id" || p.Key.EndsWith("Id", StringComparison.Ordinal))
                .Select(p => (Name: $"{s.Key}.{p.Key}", Format: p.Value!["format"]?.GetValue<string>())));
        // Ids the application makes are GUIDs; the others name something else: an audit row's sequence number, the
        // request's trace id, the protocol's code, a preparation's label, the record an audit row or an alert is about.
        var exceptions = new[]
        {
            "AuditEventResponse.id", "AuditEventResponse.entityId", "AuditEventResponse.requestId", "AuditVerificationResponse.firstBrokenId",
            "AuditVerificationResponse.keyedFromId", "ConsortByArmResponse.protocolId", "DmcClosedReportResponse.protocolId", "SafetyAlertResponse.sourceId",
            "InfusionResponse.preparationId", "PreparationResponse.preparationId", "RecordInfusionRequest.preparationId", "RecordPreparationRequest.preparationId",
        };
        Assert.That(ids.Where(i => i.Format != "uuid" && !exceptions.Contains(i.Name)).Select(i => i.Name), Is.Empty);
    }
}
