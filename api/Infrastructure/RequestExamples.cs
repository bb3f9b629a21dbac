using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Trial.Api.Access;
using Trial.Api.Assessments;
using Trial.Api.Participants;
using Trial.Api.Randomisation;
using Trial.Api.Visits;
using Trial.Core.Protocol;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Example request bodies shown in Swagger UI, so a first request can be sent as is. The infusion's example follows the
/// served protocol: with its dose in an open-label study, by the pharmacy's preparation in a blinded one; the allocation
/// list's example names the protocol's arms.
/// </summary>
public sealed class RequestExamples(ProtocolDefinition protocol) : ISchemaFilter
{
    private const string OpenLabelInfusion =
        """{ "weightKg": 61.5, "doseMgPerKg": 0.5, "route": "IV", "startUtc": "2026-03-02T09:00:00Z", "endUtc": "2026-03-02T09:40:00Z" }""";
    private const string BlindedInfusion =
        """{ "weightKg": 61.5, "preparationId": "P-WAW-0001-INF1", "volumeMl": 50, "route": "IV", "startUtc": "2026-03-02T09:00:00Z", "endUtc": "2026-03-02T09:40:00Z" }""";

    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(CreateSiteRequest)] = """{ "code": "WAW", "name": "Warsaw" }""",
        [typeof(CreateUserRequest)] = """{ "name": "Dr A. Nowak", "role": "investigator", "sites": ["WAW"] }""",
        [typeof(ActivateRequest)] = """{ "activationCode": "7KQ2-MX9D-0T4H-B8RW-3NCZ-5GJA-YP61" }""",
        [typeof(EnrolParticipantRequest)] = """
            { "siteCode": "WAW", "sex": "F", "birthYear": 1999, "weightKg": 61.5,
              "eligibility": { "failedAntidepressantTrials": 2, "psychotherapyWithoutResponse": true, "bpdDiagnosis": true,
                               "psychoticPersonalityOrganisation": false, "highSuicideRisk": false } }
            """,
        [typeof(RecordVisitRequest)] = """{ "actualDate": "2026-03-02" }""",
        [typeof(RecordVitalsRequest)] = """{ "timepoint": "t40", "systolic": 132, "diastolic": 84, "heartRate": 88, "spo2": 97 }""",
        [typeof(CreateAssessmentRequest)] = """{ "instrument": "MADRS", "timepoint": "pre", "administeredUtc": "2026-03-02T08:30:00Z", "items": [3, 4, 2, 3, 1, 3, 2, 3, 4, 2] }""",
        [typeof(RecordPreparationRequest)] = """{ "preparationId": "P-WAW-0001-INF1", "arm": "KET", "doseMgPerKg": 0.5, "totalDoseMg": 30.75, "volumeMl": 50, "weightKg": 61.5 }""",
        [typeof(UnblindRequest)] = """{ "reason": "Anaphylaxis in the emergency department: the treating physician must know the drug given." }""",
        [typeof(BlindingGuessRequest)] = """{ "guesser": "rater", "guess": "unknown", "guessedUtc": "2026-03-02T11:15:00Z" }""",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete) return;
        var json = context.Type == typeof(RecordInfusionRequest) ? protocol.Design.IsBlinded ? BlindedInfusion : OpenLabelInfusion
            : context.Type == typeof(ImportAllocationListRequest) ? AllocationList()
            : Examples.GetValueOrDefault(context.Type);
        if (json is not null) concrete.Examples = [JsonNode.Parse(json)!];
    }

    /// <summary>A list of two places with the served protocol's arms (the last arm first), so the example is one the study accepts.</summary>
    private string AllocationList()
    {
        var arms = protocol.Design.Arms.Select(a => a.Code).DefaultIfEmpty("KET").ToList();
        return $$"""{ "entries": [ { "stratum": "WAW/MADRS<35", "sequenceNumber": 1, "arm": "{{arms[^1]}}" }, { "stratum": "WAW/MADRS<35", "sequenceNumber": 2, "arm": "{{arms[0]}}" } ] }""";
    }
}
