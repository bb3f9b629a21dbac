using System.Data.Common;
using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Participants;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Schedules;

namespace Trial.Api.Assessments;

public sealed record CreateAssessmentRequest(string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items, bool? Unscheduled, string? Reason);

public sealed record CorrectAssessmentRequest(string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items, bool? Unscheduled, string? Reason);

public sealed record AssessmentRevisionResponse(int Version, DateTime AdministeredUtc, JsonElement Items, JsonElement Scores, bool Complete, string? SeverityBand,
    string DefinitionVersion, DateTime ReplacedUtc, Guid ReplacedBy, string Reason);

public sealed record AssessmentResponse(
    Guid Id, string ParticipantCode, string VisitCode, string Instrument, string? Timepoint, bool Unscheduled,
    DateTime AdministeredUtc, DateTime ReceivedUtc, bool Complete, string? SeverityBand,
    IReadOnlyDictionary<string, decimal> Scores, IReadOnlyList<decimal?> Items,
    string DefinitionVersion, string ProtocolVersion, int Version, bool? OutOfWindow = null)
{
    /// <param name="a">The stored assessment.</param>
    /// <param name="outOfWindow">Whether it was administered outside its visit's window (a deviation, kept and flagged);
    /// null where the schedule was not consulted (the audit trail's snapshots, which record what was entered).</param>
    public static AssessmentResponse From(StoredAssessment a, bool? outOfWindow = null) => new(
        a.Row.Id, a.Row.ParticipantCode, a.Row.VisitCode, a.Row.Instrument, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint,
        a.Row.Unscheduled, a.Row.AdministeredUtc, a.Row.ReceivedUtc, a.Row.Complete, a.Row.SeverityBand,
        InScoreOrder(a.Row.Instrument, a.Scores), a.Items.Select(i => i is { } v ? Normalize(v) : (decimal?)null).ToList(),
        a.Row.DefinitionVersion, a.Row.ProtocolVersion, a.Row.RowVersion, outOfWindow);

    /// <summary>Scores in the order the instrument's definition reports them, whether fresh from the scorer or read back from the database.</summary>
    private static Dictionary<string, decimal> InScoreOrder(string instrument, IReadOnlyDictionary<string, decimal> scores)
    {
        var order = InstrumentCatalog.TryGet(instrument, out var definition) ? definition!.Scores.Select(r => r.Key).ToList() : [];
        return scores.OrderBy(s => order.IndexOf(s.Key) is var i && i < 0 ? int.MaxValue : i).ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(s => s.Key, s => Normalize(s.Value));
    }

    /// <summary>Drops trailing zeros so a score reads the same whether fresh or read back from either database.</summary>
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}

public static class AssessmentEndpoints
{
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
        byId.MapPut("/{id:guid}", CorrectAsync).RequireAuthorization(Policies.Investigator).WithName("CorrectAssessment")
            .WithSummary("Correct an assessment: the same body plus a reason, with If-Match set to the current ETag. The earlier version is kept; the server re-scores and re-evaluates safety rules.")
            .Produces<AssessmentResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        byId.MapGet("/{id:guid}/revisions", RevisionsAsync).RequireAuthorization(Policies.ClinicalReader).WithName("AssessmentRevisions")
            .WithSummary("The earlier versions of a corrected assessment, each with who replaced it, when and why.")
            .Produces<IReadOnlyList<AssessmentRevisionResponse>>().ProducesProblem(404).ProducesProblem(403);
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
        Database db, WritePath writes, ProtocolDefinition protocol, TimeProvider clock)
    {
        var actor = http.Actor();
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, actor);
        if (error is not null) return error.ToResult();
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
        {
            errors.Add("timepoint", $"{visitCode} is not an infusion visit: timepoint must be null; got '{timepoint}'.");
        }

        var administered = CheckAdministered(errors, body.AdministeredUtc, now, participant!);
        var reason = DataEntry.CheckReason(errors, body.Reason, required: false);
        var items = ParseItems(body.Items, definition, errors);
        if (errors.Any) return errors.ToResult();

        var unscheduled = body.Unscheduled ?? false;
        if (!unscheduled && !visit.Schedules(definition!.Code, timepoint))
        {
            return Problems.Validation("instrument",
                $"The protocol does not schedule {definition.Code} at {visitCode}{(timepoint is null ? "" : " " + timepoint)}. " +
                "Send \"unscheduled\": true to record it as an unscheduled assessment.");
        }

        if (DataEntry.CheckWithdrawal(participant!, reason) is { } withdrawn) return withdrawn.ToResult();

        var score = Scorer.Score(definition!, items!);
        var row = new AssessmentRow
        {
            Id = SequentialGuid.New(now),
            ParticipantId = participant!.Id,
            ParticipantCode = participant.Code,
            VisitCode = visitCode,
            Instrument = definition!.Code,
            Timepoint = timepoint ?? "",
            Unscheduled = unscheduled,
            AdministeredUtc = administered!.Value,
            ReceivedUtc = now,
            Complete = score.Complete,
            SeverityBand = score.SeverityBand,
            DefinitionVersion = definition.Version,
            ProtocolVersion = protocol.Version,
            RowVersion = 1,
            CreatedBy = actor.UserId,
        };

        // Made or read before the write: on SQLite every write runs on one writer, which should do nothing that can be done
        // beforehand. The visit records read here are used inside the write only if the version that every change to them
        // moves on (DataVersion) is still the same there; otherwise they are read again inside.
        var stored = new StoredAssessment(row, items!, score.Scores);
        var audited = AuditEntry.Created(AuditEntities.Assessment, row.Id.ToString(), AssessmentResponse.From(stored), participant.SiteCode, code, reason,
            DataEntry.Flag(participant));
        var (dataVersion, recordsBefore) = await db.ReadAsync(async c =>
            (await ScheduleQueries.DataVersionAsync(c, participant.Id), await ParticipantQueries.VisitRecordsAsync(c, participant.Id)));
        try
        {
            return await writes.RunAsync(http, now, async w =>
            {
                var records = await ScheduleQueries.DataVersionAsync(w.Session, participant.Id) == dataVersion
                    ? recordsBefore
                    : await ParticipantQueries.VisitRecordsAsync(w.Session, participant.Id);
                if (records.All(r => r.VisitCode != visitCode))
                {
                    return Problems.Conflict($"Visit {visitCode} of {code} has not been recorded yet; record it (PUT /api/v1/participants/{code}/visits/{visitCode}) before its assessments.",
                        new Dictionary<string, object?> { ["missingVisit"] = visitCode });
                }

                if (await AssessmentQueries.FindIdAsync(w.Session, row.ParticipantId, row.VisitCode, row.Instrument, row.Timepoint) is { } existingId)
                    return Duplicate(definition.Code, visitCode, timepoint, code, existingId);
                var timing = Timing(protocol, participant, records, row, now);
                if (timing.Refusal is not null) return Problems.Validation("administeredUtc", timing.Refusal);
                await AssessmentQueries.InsertAsync(w.Session, row, items!, score.Scores);
                await w.AuditAsync(audited);
                await w.SafetyDataChangedAsync(participant.Id, SafetyChange.Added);
                return Results.Created($"/api/v1/assessments/{row.Id}", AssessmentResponse.From(stored, timing.OutOfWindow)).WithETag(row.RowVersion);
            });
        }
        catch (DbException)
        {
            // A concurrent request for the same slot may have won the race to the unique constraint.
            var existingId = await db.ReadAsync(c => AssessmentQueries.FindIdAsync(c, row.ParticipantId, row.VisitCode, row.Instrument, row.Timepoint));
            if (existingId is null) throw;
            return Duplicate(definition.Code, visitCode, timepoint, code, existingId.Value);
        }
    }

    private static IResult Duplicate(string instrument, string visitCode, string? timepoint, string code, Guid existingId) =>
        Problems.Conflict(
            $"{instrument} at {visitCode}{(timepoint is null ? "" : " " + timepoint)} is already recorded for {code} (assessment {existingId}); corrections go through PUT /api/v1/assessments/{existingId}.",
            new Dictionary<string, object?> { ["existingId"] = existingId, ["existing"] = $"/api/v1/assessments/{existingId}" });

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
        // The length first: with the wrong count no answer can be matched to its item, and a huge list is refused at once.
        var longest = InstrumentCatalog.All.Max(i => i.ItemCount);
        if (definition is not null && raw.Length != definition.ItemCount || raw.Length > longest)
        {
            var expected = definition is null ? $"at most {longest} items" : $"{definition.Abbreviation} has {definition.ItemCount} items";
            errors.Add("items", $"{expected}; {raw.Length} were given.");
            return null;
        }
        var items = new List<decimal?>(raw.Length);
        var typeErrors = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var e = raw[i];
            if (e.ValueKind == JsonValueKind.Null)
            {
                items.Add(null);
            }
            else if (e.ValueKind == JsonValueKind.Number && e.TryGetDecimal(out var value))
            {
                items.Add(value);
            }
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

    private static async Task<IResult> CorrectAsync(Guid id, CorrectAssessmentRequest body, HttpContext http, Database db, WritePath writes, ProtocolDefinition protocol, TimeProvider clock)
    {
        var actor = http.Actor();
        var current = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (current is null) return Problems.NotFound($"No assessment with id {id}.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, current.Row.ParticipantCode, actor);
        if (error is not null) return error.ToResult();
        if (Versions.CheckIfMatch(http, current.Row.RowVersion, "assessment") is { } precondition) return precondition;

        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var definition = InstrumentCatalog.Get(current.Row.Instrument);
        if (body.Instrument is not null && body.Instrument.Trim() != definition.Code)
            errors.Add("instrument", $"A correction cannot change the instrument ({definition.Code}); enter a new assessment instead.");
        var storedTimepoint = current.Row.Timepoint.Length == 0 ? null : current.Row.Timepoint;
        var timepoint = string.IsNullOrWhiteSpace(body.Timepoint) ? null : body.Timepoint.Trim();
        if (timepoint != storedTimepoint)
            errors.Add("timepoint", $"A correction cannot change the timepoint ({storedTimepoint ?? "none"}); enter a new assessment instead.");
        if (body.Unscheduled is { } unscheduledFlag && unscheduledFlag != current.Row.Unscheduled)
            errors.Add("unscheduled", "A correction cannot change whether the assessment was scheduled.");
        var reason = DataEntry.CheckReason(errors, body.Reason, required: true, "A reason for the correction");
        var administered = CheckAdministered(errors, body.AdministeredUtc, now, participant!);
        var items = ParseItems(body.Items, definition, errors);
        if (errors.Any) return errors.ToResult();

        var score = Scorer.Score(definition, items!);
        var corrected = new AssessmentRow
        {
            Id = current.Row.Id, ParticipantId = current.Row.ParticipantId, ParticipantCode = current.Row.ParticipantCode,
            VisitCode = current.Row.VisitCode, Instrument = current.Row.Instrument, Timepoint = current.Row.Timepoint,
            Unscheduled = current.Row.Unscheduled, AdministeredUtc = administered!.Value, ReceivedUtc = current.Row.ReceivedUtc,
            Complete = score.Complete, SeverityBand = score.SeverityBand, DefinitionVersion = definition.Version,
            ProtocolVersion = protocol.Version, RowVersion = current.Row.RowVersion + 1, CreatedBy = current.Row.CreatedBy,
        };
        return await writes.RunAsync(http, now, async w =>
        {
            if (!await AssessmentQueries.CorrectAsync(w.Session, current, corrected, items!, score.Scores, actor.UserId, now, reason!))
                return Versions.Stale(current.Row.RowVersion + 1, "assessment");
            var response = AssessmentResponse.From(new StoredAssessment(corrected, items!, score.Scores));
            await w.AuditAsync(AuditEntry.Changed(AuditEntities.Assessment, id.ToString(), AuditActions.Update, AssessmentResponse.From(current), response,
                participant!.SiteCode, participant.Code, reason, flag: DataEntry.Flag(participant)));
            await w.SafetyDataChangedAsync(corrected.ParticipantId);
            return Results.Ok(response).WithETag(corrected.RowVersion);
        });
    }

    private static DateTime? CheckAdministered(FieldErrors errors, DateTime? value, DateTime now, ParticipantRow participant)
    {
        var administered = errors.Instant(value, "administeredUtc", "The time of administration (administeredUtc)");
        if (administered > now + AllowedClockSkew)
            errors.Add("administeredUtc", $"The time of administration {administered:yyyy-MM-ddTHH:mm:ssZ} is in the future.");
        if (administered is { } at && SiteCalendar.LocalDate(at, participant.TimeZone) < participant.EnrolledDate)
            errors.Add("administeredUtc", $"The time of administration {at:yyyy-MM-ddTHH:mm:ssZ} is before the participant was enrolled ({participant.EnrolledDate:yyyy-MM-dd}).");
        return administered;
    }

    /// <summary>
    /// How the assessment's administration stands against its visit (see <see cref="AssessmentTiming"/>): refused when an
    /// infusion-timepoint assessment is not dated on the infusion's day, flagged when administered outside the visit's window.
    /// </summary>
    private static AssessmentTimingResult Timing(ProtocolDefinition protocol, ParticipantRow participant, IReadOnlyList<VisitRecordRow> records, AssessmentRow a, DateTime now)
    {
        var record = records.FirstOrDefault(r => r.VisitCode == a.VisitCode);
        var planned = ScheduleCalculator.Build(protocol, participant.ScheduleInput(records), DataEntry.Today(participant, now))
            .FirstOrDefault(v => v.VisitCode == a.VisitCode);
        if (record is null || planned is null) return new AssessmentTimingResult(null, false);
        return AssessmentTiming.Check(protocol, protocol.FindVisit(a.VisitCode)!, a.Timepoint.Length == 0 ? null : a.Timepoint, record.ActualDate,
            planned.WindowStart, planned.WindowEnd, SiteCalendar.LocalDate(a.AdministeredUtc, participant.TimeZone));
    }

    private static async Task<IReadOnlyList<AssessmentResponse>> WithTimingAsync(Database db, ProtocolDefinition protocol, ParticipantRow participant,
        IReadOnlyList<StoredAssessment> stored, DateTime now)
    {
        var records = await db.ReadAsync(c => ParticipantQueries.VisitRecordsAsync(c, participant.Id));
        return stored.Select(a => AssessmentResponse.From(a, Timing(protocol, participant, records, a.Row, now) is { Refusal: null } t ? t.OutOfWindow : true)).ToList();
    }

    private static async Task<IResult> RevisionsAsync(Guid id, Database db, HttpContext http)
    {
        var stored = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (stored is null) return Problems.NotFound($"No assessment with id {id}.");
        var (_, error) = await ParticipantAccess.FindAsync(db, stored.Row.ParticipantCode, http.User.Actor());
        if (error is not null) return error.ToResult();
        var revisions = await db.ReadAsync(c => AssessmentQueries.RevisionsAsync(c, id));
        return Results.Ok(revisions.Select(r => new AssessmentRevisionResponse(r.RowVersion, r.AdministeredUtc,
            JsonSerializer.Deserialize<JsonElement>(r.ItemsJson), JsonSerializer.Deserialize<JsonElement>(r.ScoresJson),
            r.Complete, r.SeverityBand, r.DefinitionVersion, r.ReplacedUtc, r.ReplacedBy, r.Reason)));
    }

    private static async Task<IResult> ListAsync(string code, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.User.Actor());
        if (error is not null) return error.ToResult();
        var stored = await db.ReadAsync(c => AssessmentQueries.ListForParticipantAsync(c, participant!.Id));
        return Results.Ok(await WithTimingAsync(db, protocol, participant!, stored, clock.GetUtcNow().UtcDateTime));
    }

    private static async Task<IResult> GetAsync(Guid id, Database db, ProtocolDefinition protocol, TimeProvider clock, HttpContext http)
    {
        var stored = await db.ReadAsync(c => AssessmentQueries.GetAsync(c, id));
        if (stored is null) return Problems.NotFound($"No assessment with id {id}.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, stored.Row.ParticipantCode, http.User.Actor());
        if (error is not null) return error.ToResult();
        var response = (await WithTimingAsync(db, protocol, participant!, [stored], clock.GetUtcNow().UtcDateTime))[0];
        return Results.Ok(response).WithETag(stored.Row.RowVersion);
    }
}

public sealed record InstrumentResponse(
    string Code, string Name, string Version, string Source, int ItemCount, decimal MinValue, decimal MaxValue, int MaxDecimals,
    IReadOnlyList<string> ItemLabels, IReadOnlyList<string> ProvisionalNotes)
{
    public static InstrumentResponse From(InstrumentDefinition d) =>
        new(d.Code, d.Name, d.Version, d.Source, d.ItemCount, d.MinValue, d.MaxValue, d.MaxDecimals, d.ItemLabels, d.ProvisionalNotes);
}
