using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Instruments;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Core.Safety;
using Trial.Core.Schedule;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Makes the document's schemas typed enough for a generated client: item arrays of nullable numbers, the known score keys,
/// the fixed value sets as enums, and <c>required</c> lists. The value sets come from the served protocol and the instrument
/// catalogue when the document is generated, so a protocol with other visits, timepoints or arms publishes its own.
/// </summary>
public sealed class ContractSchemas(ProtocolDefinition protocol) : IDocumentFilter
{
    /// <summary>
    /// The fields each request body must carry: the ones its use case refuses with a 422 when they are missing
    /// (<c>FieldErrors.Required</c> and the like). Fields a use case asks for only in some cases (a reason when correcting,
    /// a timepoint at an infusion visit) are left optional.
    /// </summary>
    private IReadOnlyDictionary<string, string[]> RequiredRequestFields => new Dictionary<string, string[]>
    {
        ["ActivateRequest"] = ["activationCode"],
        ["CreateSiteRequest"] = ["code", "name"],
        ["CreateUserRequest"] = ["name", "role"],
        ["ChangeAccessRequest"] = ["reason"],
        ["EnrolParticipantRequest"] = ["siteCode", "sex", "birthYear", "weightKg", "eligibility"],
        ["EligibilityDto"] = ["failedAntidepressantTrials", "psychotherapyWithoutResponse", "bpdDiagnosis", "psychoticPersonalityOrganisation", "highSuicideRisk"],
        ["RecordScreeningRequest"] = ["siteCode", "date", "eligibility"],
        ["WithdrawParticipantRequest"] = ["date", "reasonCode"],
        ["DiscontinueInfusionsRequest"] = ["date", "reasonCode"],
        ["RecordVisitRequest"] = ["actualDate"],
        ["RecordVitalsRequest"] = ["timepoint", "systolic", "diastolic", "heartRate", "spo2"],
        // A blinded study records the preparation given, an open-label one the dose (InfusionRules).
        ["RecordInfusionRequest"] = protocol.Design.IsBlinded
            ? ["weightKg", "preparationId", "volumeMl", "route", "startUtc", "endUtc"]
            : ["weightKg", "doseMgPerKg", "route", "startUtc", "endUtc"],
        ["CreateAssessmentRequest"] = ["instrument", "administeredUtc", "items"],
        ["CorrectAssessmentRequest"] = ["instrument", "administeredUtc", "items", "reason"],
        ["ImportAssessmentLine"] = ["participantCode", "visitCode", "instrument", "administeredUtc", "items"],
        ["AdverseEventRequest"] = ["term", "onsetDate", "severity", "serious", "relatedness", "expected", "actionTaken", "outcome", "awareDate"],
        ["ConcomitantMedicationRequest"] = ["name", "startDate"],
        ["CodingRequest"] = ["dictionaryTermCode"],
        ["RecordPreparationRequest"] = ["preparationId", "arm", "doseMgPerKg", "totalDoseMg", "volumeMl"],
        ["ImportAllocationListRequest"] = ["entries"],
        ["AllocationListEntryDto"] = ["stratum", "sequenceNumber", "arm"],
        ["BlindingGuessRequest"] = ["guesser", "guess"],
        ["UnblindRequest"] = ["reason"],
        ["AlertEscalateRequest"] = ["reason"],
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null) return;

        foreach (var name in (string[])["CreateAssessmentRequest", "CorrectAssessmentRequest", "ImportAssessmentLine", "AssessmentRevisionResponse"])
            Property(schemas, name, "items", s => Replace(s, ItemResponses()));
        foreach (var name in (string[])["AssessmentResponse", "AssessmentRevisionResponse"])
            Property(schemas, name, "scores", s => Replace(s, Scores()));

        var instruments = InstrumentCatalog.All.Select(i => i.Code).ToList();
        var visits = protocol.Visits.Select(v => v.Code).ToList();
        var arms = protocol.Design.Arms.Select(a => a.Code).ToList();
        var enums = new (string Schema, string Property, IReadOnlyList<string> Values)[]
        {
            ("CreateAssessmentRequest", "instrument", instruments), ("CorrectAssessmentRequest", "instrument", instruments),
            ("ImportAssessmentLine", "instrument", instruments), ("AssessmentResponse", "instrument", instruments), ("InstrumentResponse", "code", instruments),
            ("CreateAssessmentRequest", "timepoint", protocol.Timepoints), ("CorrectAssessmentRequest", "timepoint", protocol.Timepoints),
            ("ImportAssessmentLine", "timepoint", protocol.Timepoints), ("AssessmentResponse", "timepoint", protocol.Timepoints),
            ("RecordVitalsRequest", "timepoint", protocol.Timepoints), ("VitalsResponse", "timepoint", protocol.Timepoints),
            ("ImportAssessmentLine", "visitCode", visits), ("AssessmentResponse", "visitCode", visits), ("VisitResponse", "visitCode", visits),
            ("DueVisitResponse", "visitCode", visits), ("VitalsResponse", "visitCode", visits), ("InfusionResponse", "visitCode", visits),
            ("CreateUserRequest", "role", Roles.All), ("ChangeAccessRequest", "role", Roles.All), ("UserResponse", "role", Roles.All),
            ("CreatedUserResponse", "role", Roles.All), ("PendingAccessResponse", "role", Roles.All),
            ("EnrolParticipantRequest", "sex", EnrolParticipant.Sexes), ("ParticipantResponse", "sex", EnrolParticipant.Sexes),
            ("ParticipantResponse", "status", [ParticipantStatuses.Enrolled, ParticipantStatuses.Withdrawn, ParticipantStatuses.Completed]),
            ("VisitResponse", "status", [VisitStatuses.Scheduled, VisitStatuses.Done, VisitStatuses.Missed]),
            ("DueVisitResponse", "urgency", [Urgencies.Overdue, Urgencies.InWindow, Urgencies.Upcoming]),
            ("SafetyAlertResponse", "status", AlertStatuses.All), ("SafetyAlertResponse", "severity", ProtocolLoader.Severities),
            ("SafetyAlertResponse", "rule", AlertRules(protocol)),
            ("AdverseEventRequest", "severity", AdverseEventRules.Severities), ("AdverseEventResponse", "severity", AdverseEventRules.Severities),
            ("BlindingGuessRequest", "guesser", BlindingGuesses.Guessers), ("BlindingGuessResponse", "guesser", BlindingGuesses.Guessers),
            ("BlindingGuessRequest", "guess", BlindingGuesses.Answers(protocol.Design)), ("BlindingGuessResponse", "guess", BlindingGuesses.Answers(protocol.Design)),
            // Arm codes only where the unblinded (pharmacists, the unblinded statistician) read or write them.
            ("RecordPreparationRequest", "arm", arms), ("PreparationResponse", "arm", arms), ("AllocationListEntryDto", "arm", arms),
            ("AllocationResponse", "arm", arms), ("AllocationListItem", "arm", arms), ("UnblindingResponse", "arm", arms), ("SequenceEntry", "arm", arms),
        };
        foreach (var (schema, property, values) in enums) Property(schemas, schema, property, s => s.Enum = Enum(values, s.Type));

        MarkRequired(document, schemas);
    }

    /// <summary>Every rule an alert can come from: the served protocol's rules, in its order.</summary>
    public static IReadOnlyList<string> AlertRules(ProtocolDefinition protocol) => protocol.SafetyRules.Select(r => r.Code).Distinct().ToList();

    /// <summary>Every key any instrument's scorer reports, in catalogue order.</summary>
    public static IReadOnlyList<string> ScoreKeys() => InstrumentCatalog.All.SelectMany(i => i.Scores.Select(s => s.Key)).Distinct().ToList();

    private static OpenApiSchema ItemResponses() => new()
    {
        Type = JsonSchemaType.Array,
        Description = "The item responses in item order, one per item of the instrument: a number (whole or decimal, within the item's range), or null for an item not answered.",
        Items = new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Format = "double" },
    };

    private static OpenApiSchema Scores() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "The scores the server computed, by key; each instrument reports its own keys (GET /api/v1/instruments), and a score its items do not allow is left out.",
        Properties = ScoreKeys().ToDictionary(k => k, IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double" }),
        AdditionalPropertiesAllowed = false,
    };

    private static void Replace(OpenApiSchema target, OpenApiSchema with)
    {
        var nullable = target.Type?.HasFlag(JsonSchemaType.Null) == true;
        target.Type = nullable ? with.Type | JsonSchemaType.Null : with.Type;
        target.Format = with.Format;
        target.Description = with.Description;
        target.Items = with.Items;
        target.Properties = with.Properties;
        target.AdditionalProperties = null;
        target.AdditionalPropertiesAllowed = with.AdditionalPropertiesAllowed;
    }

    private static List<JsonNode> Enum(IEnumerable<string> values, JsonSchemaType? type)
    {
        var list = values.Distinct().Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        // A nullable property's enum lists null too, or a validator refuses the null the API sends.
        if (type?.HasFlag(JsonSchemaType.Null) == true) list.Add(null!);
        return list;
    }

    private static void Property(IDictionary<string, IOpenApiSchema> schemas, string schema, string property, Action<OpenApiSchema> change)
    {
        if (schemas.TryGetValue(schema, out var s) && s.Properties?.TryGetValue(property, out var p) == true && p is OpenApiSchema concrete) change(concrete);
    }

    /// <summary>
    /// A request body's required fields are the ones its use case refuses when missing; a response always carries every
    /// property (the serializer writes nulls), so all of a response's properties are required.
    /// </summary>
    private void MarkRequired(OpenApiDocument document, IDictionary<string, IOpenApiSchema> schemas)
    {
        var requests = Reachable(schemas, document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(o => o.RequestBody?.Content?.Values ?? []).Select(m => m.Schema));
        var responses = Reachable(schemas, document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(o => o.Responses?.Values ?? Enumerable.Empty<IOpenApiResponse>()).SelectMany(r => r.Content?.Values ?? []).Select(m => m.Schema));
        foreach (var (name, schema) in schemas)
        {
            if (schema is not OpenApiSchema concrete || concrete.Properties is not { Count: > 0 } properties) continue;
            if (RequiredRequestFields.TryGetValue(name, out var required))
                concrete.Required = new SortedSet<string>(required.Where(properties.ContainsKey), StringComparer.Ordinal);
            else if (responses.Contains(name) && !requests.Contains(name) && !name.Contains("ProblemDetails", StringComparison.Ordinal))
                concrete.Required = new SortedSet<string>(properties.Keys, StringComparer.Ordinal);
        }
    }

    /// <summary>The names of the component schemas reachable from the given schemas.</summary>
    private static HashSet<string> Reachable(IDictionary<string, IOpenApiSchema> schemas, IEnumerable<IOpenApiSchema?> roots)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<IOpenApiSchema>(roots.OfType<IOpenApiSchema>());
        while (pending.Count > 0)
        {
            var schema = pending.Pop();
            if (schema is OpenApiSchemaReference reference)
            {
                var id = reference.Reference.Id;
                if (id is null || !found.Add(id) || !schemas.TryGetValue(id, out var target)) continue;
                schema = target;
            }
            foreach (var child in (schema.Properties?.Values ?? []).Concat([schema.Items, schema.AdditionalProperties]).Concat(schema.AllOf ?? []).Concat(schema.OneOf ?? []))
                if (child is not null) pending.Push(child);
        }
        return found;
    }
}
