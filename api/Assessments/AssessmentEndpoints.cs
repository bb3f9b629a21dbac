using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;

namespace Trial.Api.Assessments;

public sealed record CreateAssessmentRequest(string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items, bool? Unscheduled);

public sealed record AssessmentResponse(
    Guid Id, string ParticipantCode, string VisitCode, string Instrument, string? Timepoint, bool Unscheduled,
    DateTime AdministeredUtc, DateTime ReceivedUtc, bool Complete, string? SeverityBand,
    IReadOnlyDictionary<string, decimal> Scores, IReadOnlyList<decimal?> Items,
    string DefinitionVersion, string ProtocolVersion, int Version)
{
    public static AssessmentResponse From(StoredAssessment a) => new(
        a.Row.Id, a.Row.ParticipantCode, a.Row.VisitCode, a.Row.Instrument, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint,
        a.Row.Unscheduled, a.Row.AdministeredUtc, a.Row.ReceivedUtc, a.Row.Complete, a.Row.SeverityBand,
        a.Scores.ToDictionary(s => s.Key, s => Normalize(s.Value)), a.Items.Select(i => i is { } v ? Normalize(v) : (decimal?)null).ToList(),
        a.Row.DefinitionVersion, a.Row.ProtocolVersion, a.Row.RowVersion);

    /// <summary>Drops trailing zeros so a score reads the same whether fresh or read back from either database.</summary>
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}

public static class AssessmentEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>How far ahead of the server clock a stated administration time may be (clock skew between devices).</summary>
    private static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapAssessments(this IEndpointRouteBuilder app)
    {
        var byVisit = app.MapGroup("/api/v1/participants/{code}").WithTags("Assessments");
        byVisit.MapPost("/visits/{visitCode}/assessments", CreateAsync).RequireAuthorization(Policies.Investigator).WithName("CreateAssessment")
            .WithSummary("Enter a rating-scale assessment (items in item order, null for a missing item); the server scores it. One per instrument, visit and timepoint. Send an Idempotency-Key header to make retries safe.")
            .Produces<AssessmentResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422)
            .ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        byVisit.MapGet("/assessments", ListAsync).RequireAuthorization(Policies.ClinicalReader).WithName("ListAssessments")
            .WithSummary("Every assessment of a participant with its items and scores, in order of administration.")
            .Produces<IReadOnlyList<AssessmentResponse>>().ProducesProblem(404).ProducesProblem(403);

        var byId = app.MapGroup("/api/v1/assessments").WithTags("Assessments");
        byId.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetAssessment")
            .WithSummary("One assessment; its ETag is the version a correction must name in If-Match.")
            .Produces<AssessmentResponse>().ProducesProblem(404).ProducesProblem(403);

        app.MapGet("/api/v1/instruments", () => Results.Ok(InstrumentCatalog.All.Select(InstrumentResponse.From)))
            .RequireAuthorization().WithTags("Assessments").WithName("ListInstruments")
            .WithSummary("The five instruments as scored here: items, ranges, version, source, and the provisional rules marked as such.")
            .Produces<IReadOnlyList<InstrumentResponse>>();
        return app;
    }

    private static async Task<IResult> CreateAsync(
        string code, string visitCode, CreateAssessmentRequest body, HttpContext http,
        Database db, ProtocolDefinition protocol, TimeProvider clock)
    {
        var actor = http.User.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error;
        var visit = protocol.FindVisit(visitCode);
        if (visit is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");

        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var instrumentCode = errors.Required(body.Instrument?.Trim(), "instrument", "Instrument");
        InstrumentDefinition? definition = null;
        if (instrumentCode is not null && !InstrumentCatalog.TryGet(instrumentCode, out definition))
            errors.Add("instrument", $"Unknown instrument '{instrumentCode}'; expected one of {string.Join(", ", InstrumentCatalog.All.Select(i => i.Code))}.");

        var timepoint = string.IsNullOrWhiteSpace(body.Timepoint) ? null : body.Timepoint.Trim();
        if (visit.Kind == VisitKinds.Infusion)
        {
            if (timepoint is null) errors.Add("timepoint", $"{visitCode} is an infusion visit: timepoint must be one of {string.Join(", ", protocol.Timepoints)}.");
            else if (!protocol.Timepoints.Contains(timepoint))
                errors.Add("timepoint", $"Timepoint must be one of {string.Join(", ", protocol.Timepoints)}; got '{timepoint}'.");
        }
        else if (timepoint is not null)
            errors.Add("timepoint", $"{visitCode} is not an infusion visit: timepoint must be null; got '{timepoint}'.");

        var administered = errors.Required(body.AdministeredUtc, "administeredUtc", "The time of administration (administeredUtc)")?.ToUniversalTime();
        if (administered > now + AllowedClockSkew)
            errors.Add("administeredUtc", $"The time of administration {administered:yyyy-MM-ddTHH:mm:ssZ} is in the future.");

        var items = ParseItems(body.Items, definition, errors);
        if (errors.Any) return errors.ToResult();

        var unscheduled = body.Unscheduled ?? false;
        if (!unscheduled && !visit.Schedules(definition!.Code, timepoint))
            return Problems.Validation("instrument",
                $"The protocol does not schedule {definition.Code} at {visitCode}{(timepoint is null ? "" : " " + timepoint)}. " +
                "Send \"unscheduled\": true to record it as an unscheduled assessment.");

        var score = Scorer.Score(definition!, items!);
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length > 200) return Problems.Validation(IdempotencyHeader, "The Idempotency-Key header must be at most 200 characters.");
        var requestHash = HashRequest(code, visitCode, definition!.Code, timepoint, administered!.Value, items!, unscheduled);

        var row = new AssessmentRow
        {
            Id = SequentialGuid.New(now),
            ParticipantId = participant!.Id,
            ParticipantCode = participant.Code,
            VisitCode = visitCode,
            Instrument = definition.Code,
            Timepoint = timepoint ?? "",
            Unscheduled = unscheduled,
            AdministeredUtc = administered.Value,
            ReceivedUtc = now,
            Complete = score.Complete,
            SeverityBand = score.SeverityBand,
            DefinitionVersion = definition.Version,
            ProtocolVersion = protocol.Version,
            RowVersion = 1,
            CreatedBy = actor.UserId,
        };

        CreateOutcome outcome;
        try
        {
            outcome = await db.WriteAsync(actor, now, w => InsertAsync(w, row, items!, score, key, requestHash));
        }
        catch (DbException)
        {
            // A concurrent request for the same slot may have won the race to the unique constraint.
            var existingId = await FindExistingAsync(db, row);
            if (existingId is null) throw;
            outcome = new CreateOutcome(CreateOutcomeKind.Conflict, existingId.Value);
        }

        return outcome.Kind switch
        {
            CreateOutcomeKind.Created => Created(new StoredAssessment(row, items!, score.Scores)),
            CreateOutcomeKind.Replayed => Created((await db.ReadAsync(c => AssessmentQueries.GetAsync(c, outcome.Id)))!),
            CreateOutcomeKind.KeyReused => Problems.Validation(IdempotencyHeader,
                $"Idempotency-Key '{key}' was already used for a different request (assessment {outcome.Id}); use a new key for a new request."),
            _ => Problems.Conflict(
                $"{definition.Code} at {visitCode}{(timepoint is null ? "" : " " + timepoint)} is already recorded for {code} (assessment {outcome.Id}); corrections go through PUT /api/v1/assessments/{outcome.Id}.",
                new Dictionary<string, object?> { ["existingId"] = outcome.Id, ["existing"] = $"/api/v1/assessments/{outcome.Id}" }),
        };
    }

    private enum CreateOutcomeKind { Created, Replayed, KeyReused, Conflict }

    private sealed record CreateOutcome(CreateOutcomeKind Kind, Guid Id);

    private static async Task<CreateOutcome> InsertAsync(WriteScope w, AssessmentRow row, IReadOnlyList<decimal?> items, AssessmentScore score, string key, string requestHash)
    {
        if (key.Length > 0)
        {
            var earlier = await AssessmentQueries.FindIdempotentAsync(w.Connection, w.Actor.UserId, key, w.Transaction);
            if (earlier is { } earlierId)
            {
                var earlierHash = await AssessmentQueries.FindIdempotentHashAsync(w.Connection, w.Actor.UserId, key, w.Transaction);
                return new CreateOutcome(earlierHash == requestHash ? CreateOutcomeKind.Replayed : CreateOutcomeKind.KeyReused, earlierId);
            }
        }
        var existing = await AssessmentQueries.FindIdAsync(w.Connection, row.ParticipantId, row.VisitCode, row.Instrument, row.Timepoint, w.Transaction);
        if (existing is { } existingId) return new CreateOutcome(CreateOutcomeKind.Conflict, existingId);
        await AssessmentQueries.InsertAsync(w.Connection, w.Transaction, row, items, score.Scores);
        if (key.Length > 0)
            await AssessmentQueries.InsertIdempotentAsync(w.Connection, w.Transaction, w.Actor.UserId, key, requestHash, row.Id, w.NowUtc);
        return new CreateOutcome(CreateOutcomeKind.Created, row.Id);
    }

    private static Task<Guid?> FindExistingAsync(Database db, AssessmentRow row) =>
        db.ReadAsync(c => AssessmentQueries.FindIdAsync(c, row.ParticipantId, row.VisitCode, row.Instrument, row.Timepoint));

    private static IResult Created(StoredAssessment stored)
    {
        var response = AssessmentResponse.From(stored);
        return new CreatedWithETag($"/api/v1/assessments/{response.Id}", ETagOf(response.Version), response);
    }

    public static string ETagOf(int version) => $"\"{version}\"";

    /// <summary>
    /// Reads item values from JSON: numbers or null. Anything else (a string, a boolean) is named
    /// by item number, so the clinician sees which answer to fix.
    /// </summary>
    private static List<decimal?>? ParseItems(JsonElement[]? raw, InstrumentDefinition? definition, FieldErrors errors)
    {
        if (raw is null)
        {
            errors.Add("items", "items is required: the item responses in item order, null for a missing item.");
            return null;
        }
        var items = new List<decimal?>(raw.Length);
        var typeErrors = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var e = raw[i];
            if (e.ValueKind == JsonValueKind.Null) items.Add(null);
            else if (e.ValueKind == JsonValueKind.Number && e.TryGetDecimal(out var value)) items.Add(value);
            else
            {
                typeErrors = true;
                var label = definition is not null && i < definition.ItemLabels.Count ? $" ({definition.ItemLabels[i]})" : "";
                errors.Add($"items[{i + 1}]", $"Item {i + 1}{label} must be a number or null; got {e.GetRawText()}.");
            }
        }
        if (definition is null || typeErrors) return items;
        foreach (var error in ItemValidator.Validate(definition, items))
            errors.Add(error.ItemNumber is { } n ? $"items[{n}]" : "items", error.Message);
        return items;
    }

    private static string HashRequest(string code, string visitCode, string instrument, string? timepoint, DateTime administered, IReadOnlyList<decimal?> items, bool unscheduled)
    {
        var text = string.Join('|', code, visitCode, instrument, timepoint ?? "", administered.ToString("O"), unscheduled,
            string.Join(',', items.Select(i => i?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static async Task<IResult> ListAsync(string code, Database db, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error;
        var stored = await db.ReadAsync(c => AssessmentQueries.ListForParticipantAsync(c, participant!.Id));
        return Results.Ok(stored.Select(AssessmentResponse.From));
    }

    private static async Task<IResult> GetAsync(Guid id, Database db, HttpContext http)
    {
        var stored = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (stored is null) return Problems.NotFound($"No assessment with id {id}.");
        var (_, error) = await ParticipantAccess.FindAsync(db, stored.Row.ParticipantCode, http.User.Actor());
        if (error is not null) return error;
        http.Response.Headers.ETag = ETagOf(stored.Row.RowVersion);
        return Results.Ok(AssessmentResponse.From(stored));
    }
}

public sealed record InstrumentResponse(
    string Code, string Name, string Version, string Source, int ItemCount, decimal MinValue, decimal MaxValue, int MaxDecimals,
    IReadOnlyList<string> ItemLabels, IReadOnlyList<string> ProvisionalNotes)
{
    public static InstrumentResponse From(InstrumentDefinition d) =>
        new(d.Code, d.Name, d.Version, d.Source, d.ItemCount, d.MinValue, d.MaxValue, d.MaxDecimals, d.ItemLabels, d.ProvisionalNotes);
}

/// <summary>201 Created with a Location and an ETag header.</summary>
public sealed class CreatedWithETag(string location, string etag, object value) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.Headers.ETag = etag;
        return Results.Created(location, value).ExecuteAsync(http);
    }
}
