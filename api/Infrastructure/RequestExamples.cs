using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Trial.Api.Access;
using Trial.Api.Assessments;
using Trial.Api.Participants;
using Trial.Api.Visits;

namespace Trial.Api.Infrastructure;

/// <summary>Example request bodies shown in Swagger UI, so a first request can be sent as is.</summary>
public sealed class RequestExamples : ISchemaFilter
{
    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(CreateSiteRequest)] = """{ "code": "WAW", "name": "Warsaw" }""",
        [typeof(CreateUserRequest)] = """{ "name": "Dr A. Nowak", "role": "investigator", "sites": ["WAW"] }""",
        [typeof(EnrolParticipantRequest)] = """
            { "siteCode": "WAW", "sex": "F", "birthYear": 1999, "weightKg": 61.5,
              "eligibility": { "failedAntidepressantTrials": 2, "psychotherapyWithoutResponse": true, "bpdDiagnosis": true,
                               "psychoticPersonalityOrganisation": false, "highSuicideRisk": false } }
            """,
        [typeof(RecordVisitRequest)] = """{ "actualDate": "2026-03-02" }""",
        [typeof(RecordInfusionRequest)] = """{ "weightKg": 61.5, "doseMgPerKg": 0.5, "route": "IV", "startUtc": "2026-03-02T09:00:00Z", "endUtc": "2026-03-02T09:40:00Z" }""",
        [typeof(RecordVitalsRequest)] = """{ "timepoint": "t40", "systolic": 132, "diastolic": 84, "heartRate": 88, "spo2": 97 }""",
        [typeof(CreateAssessmentRequest)] = """{ "instrument": "MADRS", "timepoint": "pre", "administeredUtc": "2026-03-02T08:30:00Z", "items": [3, 4, 2, 3, 1, 3, 2, 3, 4, 2] }""",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var json))
            concrete.Examples = [JsonNode.Parse(json)!];
    }
}
