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

    /// <summary>
    /// Response properties a body can leave out, so they are not required: the screening comment, written for admins only
    /// (the key is absent for everyone else), and the parts of the CONSORT report only the unblinded statistician's carries
    /// (the statistician's and the admin's are pooled, without a key that could hold an arm; one schema documents both).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> OptionalResponseFields = new Dictionary<string, string[]>
    {
        ["ScreeningResponse"] = ["reason"],
        ["ConsortByArmResponse"] = ["protocolId", "arms"],
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null) return;

        foreach (var name in (string[])["CreateAssessmentRequest", "CorrectAssessmentRequest", "ImportAssessmentLine", "AssessmentRevisionResponse"])
            Property(schemas, name, "items", s => Replace(s, ItemResponses()));
        foreach (var name in (string[])["AssessmentResponse", "AssessmentRevisionResponse"])
            Property(schemas, name, "scores", s => Replace(s, Scores()));
        // The names differ from rule to rule (item10 and its rise, systolic and diastolic, the threshold met), so they stay a map.
        Property(schemas, "SafetyAlertResponse", "values", s => s.Description =
            "What the rule compared, by name, each value as text (e.g. item10, total, systolic, threshold); the names depend on the rule.");

        MarkRequired(document, schemas);

        var enums = Enums(protocol);
        foreach (var (name, (description, values)) in enums)
            schemas[name] = new OpenApiSchema { Type = JsonSchemaType.String, Description = description, Enum = [.. values.Distinct().Select(v => (JsonNode)JsonValue.Create(v))] };
        var uses = new (string Schema, string Property, string Enum)[]
        {
            ("CreateAssessmentRequest", "instrument", Instrument), ("CorrectAssessmentRequest", "instrument", Instrument),
            ("ImportAssessmentLine", "instrument", Instrument), ("AssessmentResponse", "instrument", Instrument), ("InstrumentResponse", "code", Instrument),
            ("CreateAssessmentRequest", "timepoint", Timepoint), ("CorrectAssessmentRequest", "timepoint", Timepoint),
            ("ImportAssessmentLine", "timepoint", Timepoint), ("AssessmentResponse", "timepoint", Timepoint),
            ("RecordVitalsRequest", "timepoint", Timepoint), ("VitalsResponse", "timepoint", Timepoint),
            ("ImportAssessmentLine", "visitCode", VisitCode), ("AssessmentResponse", "visitCode", VisitCode), ("VisitResponse", "visitCode", VisitCode),
            ("DueVisitResponse", "visitCode", VisitCode), ("VitalsResponse", "visitCode", VisitCode), ("InfusionResponse", "visitCode", VisitCode),
            ("CreateUserRequest", "role", Role), ("ChangeAccessRequest", "role", Role), ("UserResponse", "role", Role),
            ("CreatedUserResponse", "role", Role), ("PendingAccessResponse", "role", Role),
            ("EnrolParticipantRequest", "sex", Sex), ("ParticipantResponse", "sex", Sex),
            ("ParticipantResponse", "status", ParticipantStatus), ("VisitResponse", "status", VisitStatus), ("DueVisitResponse", "urgency", VisitUrgency),
            ("SafetyAlertResponse", "status", AlertStatus), ("SafetyAlertResponse", "severity", AlertSeverity), ("SafetyAlertResponse", "rule", SafetyRule),
            ("AdverseEventRequest", "severity", AdverseEventSeverity), ("AdverseEventResponse", "severity", AdverseEventSeverity),
            ("BlindingGuessRequest", "guesser", Guesser), ("BlindingGuessResponse", "guesser", Guesser),
            ("BlindingGuessRequest", "guess", BlindingGuess), ("BlindingGuessResponse", "guess", BlindingGuess),
            // Arm codes only where the unblinded (pharmacists, the unblinded statistician) read or write them.
            ("RecordPreparationRequest", "arm", Arm), ("PreparationResponse", "arm", Arm), ("AllocationListEntryDto", "arm", Arm),
            ("AllocationResponse", "arm", Arm), ("AllocationListItem", "arm", Arm), ("UnblindingResponse", "arm", Arm), ("SequenceEntry", "arm", Arm),
        };
        foreach (var (schema, property, name) in uses)
        {
            if (!schemas.TryGetValue(schema, out var owner) || owner.Properties?.TryGetValue(property, out var current) != true) continue;
            // OpenAPI 3.0 cannot mark a reference nullable, so a nullable property lists the values, and null, itself.
            if (current!.Type?.HasFlag(JsonSchemaType.Null) == true && current is OpenApiSchema nullable)
                nullable.Enum = [.. enums[name].Values.Distinct().Select(v => (JsonNode)JsonValue.Create(v)), null!];
            else owner.Properties[property] = new OpenApiSchemaReference(name, document);
        }

    }

    public const string Instrument = "Instrument", Timepoint = "Timepoint", VisitCode = "VisitCode", Role = "Role", Sex = "Sex",
        ParticipantStatus = "ParticipantStatus", VisitStatus = "VisitStatus", VisitUrgency = "VisitUrgency", AlertStatus = "AlertStatus",
        AlertSeverity = "AlertSeverity", SafetyRule = "SafetyRule", AdverseEventSeverity = "AdverseEventSeverity", Guesser = "BlindingGuesser",
        BlindingGuess = "BlindingGuess", Arm = "Arm";

    /// <summary>
    /// The value sets, each one component schema, so a generated client has one type for each (one Role, one Instrument)
    /// wherever it is used.
    /// </summary>
    public static IReadOnlyDictionary<string, (string Description, IReadOnlyList<string> Values)> Enums(ProtocolDefinition protocol) =>
        new Dictionary<string, (string, IReadOnlyList<string>)>
        {
            [Instrument] = ("A rating scale, by its code (GET /api/v1/instruments).", [.. InstrumentCatalog.All.Select(i => i.Code)]),
            [Timepoint] = ("A timepoint of an infusion visit, from the served protocol.", protocol.Timepoints),
            [VisitCode] = ("A visit of the served protocol's visit plan.", [.. protocol.Visits.Select(v => v.Code)]),
            [Role] = ("What a user may do; pharmacist and unblinded-statistician see arms in a blinded study.", Roles.All),
            [Sex] = ("F, M, or X for another or unknown.", EnrolParticipant.Sexes),
            [ParticipantStatus] = ("Where a participant is in the study.", [ParticipantStatuses.Enrolled, ParticipantStatuses.Withdrawn, ParticipantStatuses.Completed]),
            [VisitStatus] = ("Whether a planned visit happened.", [VisitStatuses.Scheduled, VisitStatuses.Done, VisitStatuses.Missed]),
            [VisitUrgency] = ("How pressing a due visit is.", [Urgencies.Overdue, Urgencies.InWindow, Urgencies.Upcoming]),
            [AlertStatus] = ("The review state of a safety alert: open, then acknowledged, then resolved.", AlertStatuses.All),
            [AlertSeverity] = ("How serious a safety alert is, as its rule in the protocol says.", ProtocolLoader.Severities),
            [SafetyRule] = ("The protocol's safety rule that raised an alert.", AlertRules(protocol)),
            [AdverseEventSeverity] = ("The intensity of an adverse event.", AdverseEventRules.Severities),
            [Guesser] = ("Who guessed the arm: the rater or the participant.", BlindingGuesses.Guessers),
            [BlindingGuess] = ("The arm guessed, by code, or that the guesser does not know.", BlindingGuesses.Answers(protocol.Design)),
            [Arm] = ("An arm of the served protocol, by code; only the unblinded read or write it.", [.. protocol.Design.Arms.Select(a => a.Code)]),
        };

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

    private static void Property(IDictionary<string, IOpenApiSchema> schemas, string schema, string property, Action<OpenApiSchema> change)
    {
        if (schemas.TryGetValue(schema, out var s) && s.Properties?.TryGetValue(property, out var p) == true && p is OpenApiSchema concrete) change(concrete);
    }

    /// <summary>
    /// A request body's required fields are the ones its use case refuses when missing (or null); a response carries every
    /// property (the serializer writes nulls), so a response's properties are required but for <see cref="OptionalResponseFields"/>.
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
            {
                concrete.Required = new SortedSet<string>(required.Where(properties.ContainsKey), StringComparer.Ordinal);
                // A required field sent as null is refused as if missing: the contract does not take null there.
                foreach (var field in concrete.Required)
                    if (properties[field] is OpenApiSchema property && property.Type is { } type) property.Type = type & ~JsonSchemaType.Null;
            }
            else if (responses.Contains(name) && !requests.Contains(name) && !name.Contains("ProblemDetails", StringComparison.Ordinal))
            {
                var optional = OptionalResponseFields.GetValueOrDefault(name) ?? [];
                concrete.Required = new SortedSet<string>(properties.Keys.Except(optional), StringComparer.Ordinal);
            }
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
