using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Trial.Extracts;

namespace Trial.Api.Infrastructure;

/// <summary>
/// The document as a whole: a relative server (valid on any host, so the document holds nothing of the machine that
/// served it), each tag with what it is for, and the fixed value sets of query and path parameters as enums.
/// </summary>
public sealed class ContractDocument(ExtractCatalog extracts) : IDocumentFilter
{
    public static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>
    {
        ["Access"] = "Sites, users, their roles and sites, activation codes and API tokens.",
        ["Adverse events"] = "Adverse events at the sites: recording, updates with a reason, and the SAE reporting clock.",
        ["Assessments"] = "Rating-scale assessments (MADRS, BSL-23, CADSS, BPRS, 5D-ASC): item responses in, server-computed scores out; corrections keep the earlier version.",
        ["Audit"] = "The audit trail: who changed what, when and why, and the check that the chained trail is intact.",
        ["Coding"] = "Coding adverse events to a dictionary: loading a dictionary, the worklist of uncoded events, and coding one.",
        ["Concomitant medications"] = "The medications a participant takes beside the study drug.",
        ["Extracts"] = "Analysis-ready extracts for statisticians: each dataset as CSV, all of them in a zip with a manifest, and the study as CDISC ODM.",
        ["Health"] = "Liveness and readiness for load balancers and orchestrators; anonymous.",
        ["Imports"] = "Bulk entry of assessments from a file of one JSON object per line.",
        ["Participants"] = "Enrolment, the participant record and withdrawal.",
        ["Randomisation"] = "Randomisation, the concealed allocation sequence, the pharmacy's preparations, blinding guesses and emergency unblinding.",
        ["Reports"] = "Reports for the data monitoring committee, the blinding index and the CONSORT flow.",
        ["Safety alerts"] = "Alerts the protocol's safety rules raise, and their review: acknowledge, escalate, resolve.",
        ["Screening"] = "Screening of candidates against the eligibility criteria, screen failures included.",
        ["Visits"] = "The visit plan, visits as they happen, infusions, vital signs, the worklist of visits due, and stopping infusions early.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Servers = [new OpenApiServer { Url = "/", Description = "The host that serves this document." }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));

        var named = new (string Path, string Name, string Enum)[]
        {
            ("/api/v1/safety-alerts", "status", ContractSchemas.AlertStatus),
            ("/api/v1/safety-alerts", "severity", ContractSchemas.AlertSeverity),
            ("/api/v1/safety-alerts", "rule", ContractSchemas.SafetyRule),
            ("/api/v1/exports/bundle.zip", "instrument", ContractSchemas.Instrument),
            ("/api/v1/exports/unblinded.zip", "instrument", ContractSchemas.Instrument),
            ("/api/v1/exports/{dataset}.csv", "instrument", ContractSchemas.Instrument),
        };
        foreach (var (path, name, set) in named)
            foreach (var parameter in Parameters(document, path, name)) parameter.Schema = new OpenApiSchemaReference(set, document);

        var values = new (string Path, string Name, IReadOnlyList<string> Values)[]
        {
            ("/api/v1/exports/{dataset}.csv", "dataset", [.. extracts.Names]),
            ("/api/v1/imports/assessments", "mode", ["per-row", "atomic"]),
            ("/api/v1/imports/assessments", "dryRun", ["true", "false"]),
            ("/api/v1/exports/bundle.zip", "includeFreeText", ["true", "false"]),
            ("/api/v1/exports/odm.xml", "includeFreeText", ["true", "false"]),
            ("/api/v1/exports/{dataset}.csv", "includeFreeText", ["true", "false"]),
        };
        foreach (var (path, name, set) in values)
        {
            foreach (var parameter in Parameters(document, path, name))
                if (parameter.Schema is OpenApiSchema schema) schema.Enum = [.. set.Distinct().Select(v => (JsonNode)JsonValue.Create(v))];
        }
    }

    private static IEnumerable<OpenApiParameter> Parameters(OpenApiDocument document, string path, string name) =>
        document.Paths.TryGetValue(path, out var item)
            ? (item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).SelectMany(o => (o.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.Name == name))
            : [];
}
