using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Assessments;
using Trial.Core.Access;
using Trial.Db.Idempotency;
using Trial.Db.Infrastructure;
using Trial.Hosting;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Trial.Api.Imports;

/// <summary>
/// One assessment of an import: the body of POST .../assessments, where it goes, and the client's key for the row. A JSON line
/// is one; a CSV file's consecutive rows of one assessment are assembled into one (<see cref="CsvAssessmentReader"/>).
/// </summary>
public sealed record ImportAssessmentLine(
    string? ParticipantCode, string? VisitCode, string? RowKey, string? Instrument, string? Timepoint, DateTime? AdministeredUtc, JsonElement[]? Items,
    bool? Unscheduled, string? Reason);

/// <summary>The answer to an import (documentation of its shape: it is written row by row, see <see cref="AssessmentImportEndpoints"/>).</summary>
public sealed record ImportResponse(int Accepted, int Refused, IReadOnlyList<ImportRowResponse> Results);

/// <summary>
/// One row's result: accepted with the assessment's id (none in a dry run), or refused with the problem the single POST would give.
/// <paramref name="Row"/> is the line the assessment starts on (in a CSV file, its first item's line; the header is line 1).
/// </summary>
public sealed record ImportRowResponse(int Row, string? RowKey, string Status, Guid? Id, JsonElement? Problem);

/// <summary>
/// Bulk entry of assessments (ePRO batches, migrations): every row goes through <see cref="EnterAssessment"/>, the use case of
/// the single POST, so it is checked, scored, audited and evaluated by the safety rules exactly as one entered by hand.
/// The body, JSON lines or CSV, is read as it arrives by its format's reader, which gives the same lines to the one pipeline
/// here; the results are written as each row is decided, to a buffer that spills to disk, so neither grows with the file in
/// memory. The answer is sent once the whole body is read: a client that sends the file before it reads the answer (most do over HTTP/1.1) would otherwise stall both sides once the results fill the connection.
/// </summary>
public static class AssessmentImportEndpoints
{
    public const string NdjsonType = "application/x-ndjson";
    private const string RowKeyPrefix = "import:";

    /// <summary>How many per-row writes are in flight at once: enough for the SQLite writer to commit them together (GroupCommit).</summary>
    private const int WritesInFlight = 64;

    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/imports/assessments", ImportAsync).RequireAuthorization(Policies.Investigator).WithTags("Imports").WithName("ImportAssessments")
            .WithSummary("Import assessments (investigator, your sites): application/x-ndjson, one assessment per line as the body of POST .../assessments plus " +
                         "participantCode, visitCode and an optional rowKey; or text/csv in the layout of the items extract (items.csv: one row per item, " +
                         "columns USUBJID, VISIT, QSCAT, QSTPT, QSDTC, QSTESTCD, QSORRES, others ignored; optional rowKey, unscheduled, reason), an " +
                         "assessment's rows consecutive. ?dryRun=true checks every row and stores nothing; ?mode=per-row (default) stores " +
                         "each valid row in its own write, ?mode=atomic stores all rows or none. A rowKey sent again gives the first result, not a second assessment.")
            .Accepts<ImportAssessmentLine>(NdjsonType, CsvAssessmentReader.CsvType)
            .Produces<ImportResponse>().ProducesValidationProblem(422).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    /// <summary>Where a row starts in the body, its key, and how its refusals name the fields (as the body wrote them; null for JSON lines).</summary>
    private sealed record Row(int Number, string? RowKey, Func<Invalid, Invalid>? Names = null);

    /// <summary>A row decided: accepted (with its id, null in a dry run) or refused with its refusal, or a problem already made.</summary>
    private sealed record RowResult(Row Row, Guid? Id, Refusal? Refusal = null, IResult? Problem = null, bool Replayed = false)
    {
        public bool Accepted => Refusal is null && Problem is null;
    }

    /// <summary>A row read and checked, waiting for its write; or decided already (<see cref="Decided"/>).</summary>
    private sealed record Prepared(Row Row, EnterAssessment.Checked? Checked, Idempotency.Claim? Claim, RowResult? Decided);

    private static async Task<IResult> ImportAsync(string? dryRun, string? mode, HttpContext http, EnterAssessment assessments, Database db, TimeProvider clock,
        TrialMetrics metrics, IOptions<ImportOptions> options, IOptions<HttpJsonOptions> json)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not (NdjsonType or CsvAssessmentReader.CsvType))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                detail: $"Send the assessments as {NdjsonType} (one JSON object per line) or as {CsvAssessmentReader.CsvType} (the layout of items.csv, one row per item).",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });
        }
        bool isDryRun;
        if (string.IsNullOrEmpty(dryRun)) isDryRun = false;
        else if (!bool.TryParse(dryRun, out isDryRun)) return Problems.Validation("dryRun", $"dryRun must be true or false; got '{dryRun}'.");
        var atomic = mode switch
        {
            null or "" or "per-row" => false,
            "atomic" => true,
            _ => (bool?)null,
        };
        if (atomic is null) return Problems.Validation("mode", $"mode must be atomic or per-row; got '{mode}'.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxRequestBodyMegabytes * 1024L * 1024L;

        // Both formats give the same lines to the same pipeline; a CSV header without a column it needs is refused before any row.
        IAsyncEnumerable<ImportLine> lines;
        if (mediaType == CsvAssessmentReader.CsvType)
        {
            var (csv, refused) = await CsvAssessmentReader.OpenAsync(http, options.Value);
            if (refused is not null) return refused;
            lines = csv!.ReadAsync(http.RequestAborted);
        }
        else
        {
            lines = NdjsonAssessmentReader.ReadAsync(http, options.Value, json.Value.SerializerOptions);
        }
        var import = new Import(http, lines, assessments, db, metrics, options.Value, clock.GetUtcNow().UtcDateTime, isDryRun);
        return atomic.Value ? await import.AtomicAsync() : await import.PerRowAsync();
    }

    /// <summary>One import request: decides each row its format's reader gives, and writes the answer.</summary>
    private sealed class Import(
        HttpContext http, IAsyncEnumerable<ImportLine> lines, EnterAssessment assessments, Database db, TrialMetrics metrics, ImportOptions options, DateTime now,
        bool dryRun)
    {
        private readonly Actor _actor = http.Actor();

        /// <summary>The results, in memory up to 32 KB and in a temporary file beyond; removed when the response is done.</summary>
        private FileBufferingWriteStream Buffer()
        {
            var buffer = new FileBufferingWriteStream();
            http.Response.RegisterForDisposeAsync(buffer);
            return buffer;
        }
        private int _accepted, _refused;

        public async Task<IResult> PerRowAsync()
        {
            var results = Buffer();
            await using (var writer = new Utf8JsonWriter(results))
            {
                writer.WriteStartArray();
                var inFlight = new Queue<Task<RowResult>>();
                IResult? stopped = null;
                try
                {
                    await foreach (var line in lines)
                    {
                        var prepared = await PrepareAsync(line);
                        inFlight.Enqueue(prepared.Decided is { } decided ? Task.FromResult(decided) : StoreAsync(prepared));
                        while (inFlight.Count >= WritesInFlight) await WriteResultAsync(writer, await inFlight.Dequeue());
                    }
                }
                catch (BadHttpRequestException bad) when (inFlight.Count > 0 || _accepted + _refused > 0)
                {
                    // The body broke off or outgrew the limit: the rows read so far stand, and the answer says where it stopped.
                    stopped = Results.Problem(statusCode: bad.StatusCode, title: "The import stopped.",
                        detail: $"The request body could not be read to its end ({bad.Message}); the rows before that were imported as reported.",
                        extensions: new Dictionary<string, object?> { ["field"] = "body" });
                }
                while (inFlight.Count > 0) await WriteResultAsync(writer, await inFlight.Dequeue());
                writer.WriteEndArray();
                await writer.FlushAsync();
                return new ImportResult(results, _accepted, _refused, stopped is null ? null : await CapturedResponse.CaptureAsync(stopped, http));
            }
        }

        public async Task<IResult> AtomicAsync()
        {
            var rows = new List<Prepared>();
            var keys = new Dictionary<string, int>(StringComparer.Ordinal);
            await foreach (var line in lines)
            {
                if (rows.Count == options.MaxAtomicRows)
                {
                    return Problems.Validation("mode",
                        $"An atomic import holds at most {options.MaxAtomicRows} rows (Imports__MaxAtomicRows); nothing was stored. Send the file in parts, or with mode=per-row.");
                }
                // One transaction cannot store a key twice: a key that comes back in the same file is that row's error.
                if (line.Values?.RowKey is { } key && !keys.TryAdd(key, line.Number))
                {
                    var row = new Row(line.Number, key, line.Names);
                    rows.Add(new Prepared(row, null, null, new RowResult(row, null,
                        Invalid.Field("rowKey", $"rowKey '{key}' is already used by row {keys[key]} of this file; each row needs its own key."))));
                    continue;
                }
                rows.Add(await PrepareAsync(line));
            }

            var decided = new RowResult?[rows.Count];
            var toStore = rows.Select((p, i) => (p, i)).Where(x => x.p.Decided is null).ToList();
            for (var i = 0; i < rows.Count; i++) decided[i] = rows[i].Decided;
            var checkRefused = decided.Any(d => d is { Accepted: false });
            var stored = false;
            if (!checkRefused && toStore.Count > 0)
            {
                // One write for all of them: each row is written as the single POST writes it (so a second row for the same
                // slot is refused against the first), and one refusal rolls the whole write back.
                stored = await db.WriteAsync(_actor, now, async w =>
                {
                    var refused = false;
                    foreach (var (p, i) in toStore)
                    {
                        decided[i] = await WriteRowAsync(w, p);
                        refused |= !decided[i]!.Accepted;
                    }
                    if (refused || dryRun) w.Refuse();
                    return !w.Refused;
                });
            }

            var firstRefused = decided.FirstOrDefault(d => d is { Accepted: false })?.Row.Number;
            var results = Buffer();
            await using (var writer = new Utf8JsonWriter(results))
            {
                writer.WriteStartArray();
                for (var i = 0; i < decided.Length; i++)
                {
                    var r = decided[i]!;
                    if (firstRefused is { } first && r.Accepted && !r.Replayed)
                    {
                        r = r with
                        {
                            Id = null,
                            Refusal = new Conflict(
                                $"Row {r.Row.Number} is valid but was not stored: the import is atomic (mode=atomic) and row {first} was refused, so nothing was stored.",
                                new Dictionary<string, object?> { ["field"] = "mode", ["firstRefusedRow"] = first }),
                        };
                    }
                    await WriteResultAsync(writer, r);
                    if (stored && rows[i].Checked is { } c) metrics.AssessmentWritten(c.Assessment.Row.Instrument);
                }
                writer.WriteEndArray();
                await writer.FlushAsync();
                return new ImportResult(results, _accepted, _refused, null);
            }
        }

        /// <summary>
        /// Reads a line and checks it as the single POST does before its write; a row whose key was imported before is given
        /// its first result here.
        /// </summary>
        private async Task<Prepared> PrepareAsync(ImportLine line)
        {
            var row = new Row(line.Number, line.Values?.RowKey, line.Names);
            if (line.Unreadable is not null) return Decide(new RowResult(row, null, Problem: line.Unreadable));
            var values = line.Values!;
            var errors = new FieldErrors();
            errors.Required(values.ParticipantCode, "participantCode", "participantCode (the participant's code, such as WAW-0001)");
            errors.Required(values.VisitCode, "visitCode", "visitCode (the visit's code, such as INF1)");
            if (values.RowKey is { } key && (key.Length == 0 || key.Length > Idempotency.MaxKeyLength - RowKeyPrefix.Length))
                errors.Add("rowKey", $"rowKey must be 1 to {Idempotency.MaxKeyLength - RowKeyPrefix.Length} characters.");
            if (errors.Any) return Decide(new RowResult(row, null, errors.ToRefusal()));

            Idempotency.Claim? claim = null;
            if (values.RowKey is not null)
            {
                claim = new Idempotency.Claim(RowKeyPrefix + values.RowKey, line.Hash!);
                var earlier = await db.ReadAsync(c => IdempotencyQueries.FindAsync(c, _actor.UserId, claim.Key));
                if (earlier is not null) return Decide(Replay(row, earlier, claim));
            }
            var checkedRow = await assessments.CheckAsync(_actor, values.ParticipantCode!, values.VisitCode!,
                new AssessmentValues(values.Instrument, values.Timepoint, values.AdministeredUtc, values.Items, values.Unscheduled, values.Reason), now);
            if (checkedRow.IsRefused) return Decide(new RowResult(row, null, checkedRow.Refusal));
            return new Prepared(row, checkedRow.Value, claim, null);

            static Prepared Decide(RowResult result) => new(result.Row, null, null, result);
        }

        /// <summary>A per-row import's write of one row: its own transaction, with its audit row and its key.</summary>
        private async Task<RowResult> StoreAsync(Prepared p)
        {
            try
            {
                var result = await db.WriteAsync(_actor, now, async w =>
                {
                    var written = await WriteRowAsync(w, p);
                    if (!written.Accepted || dryRun) w.Refuse();
                    return written;
                });
                if (result.Accepted && !dryRun) metrics.AssessmentWritten(p.Checked!.Assessment.Row.Instrument);
                return result;
            }
            catch (DbException)
            {
                // Another write took the row's key or the assessment's slot between the check and this write: its result is the answer.
                if (p.Claim is not null && await db.ReadAsync(c => IdempotencyQueries.FindAsync(c, _actor.UserId, p.Claim.Key)) is { } earlier)
                    return Replay(p.Row, earlier, p.Claim);
                if (await assessments.LostRaceAsync(p.Checked!) is { } refusal) return new RowResult(p.Row, null, refusal);
                throw;
            }
        }

        /// <summary>The single POST's write of one checked row inside <paramref name="w"/>, with the row's key stored beside it.</summary>
        private async Task<RowResult> WriteRowAsync(WriteScope w, Prepared p)
        {
            if (p.Claim is not null) await IdempotencyQueries.ReserveAsync(w.Session, _actor.UserId, p.Claim.Key, p.Claim.RequestHash, w.NowUtc);
            var written = await assessments.WriteAsync(w, p.Checked!);
            if (written.IsRefused) return new RowResult(p.Row, null, written.Refusal);
            var id = written.Value!.Stored.Row.Id;
            if (p.Claim is not null)
            {
                await IdempotencyQueries.CompleteAsync(w.Session, _actor.UserId, p.Claim.Key, StatusCodes.Status201Created, "application/json",
                    $"/api/v1/assessments/{id}", null, JsonSerializer.Serialize(id));
            }
            return new RowResult(p.Row, dryRun ? null : id);
        }

        /// <summary>A row whose key was imported before: the id first given, or a refusal when the key came with another row.</summary>
        private static RowResult Replay(Row row, IdempotentResponseRow earlier, Idempotency.Claim claim) =>
            earlier.RequestHash == claim.RequestHash && earlier.Body is not null
                ? new RowResult(row, JsonSerializer.Deserialize<Guid>(earlier.Body), Replayed: true)
                : new RowResult(row, null, Invalid.Field("rowKey",
                    $"rowKey '{claim.Key[RowKeyPrefix.Length..]}' was already imported with a different row; use a new key for a new row."));

        private async Task WriteResultAsync(Utf8JsonWriter writer, RowResult result)
        {
            writer.WriteStartObject();
            writer.WriteNumber("row", result.Row.Number);
            if (result.Row.RowKey is null) writer.WriteNull("rowKey");
            else writer.WriteString("rowKey", result.Row.RowKey);
            writer.WriteString("status", result.Accepted ? "accepted" : "refused");
            if (result.Id is { } id) writer.WriteString("id", id);
            else writer.WriteNull("id");
            writer.WritePropertyName("problem");
            if (result.Accepted)
            {
                writer.WriteNullValue();
                _accepted++;
            }
            else
            {
                // The problem+json the single POST answers with, made by the same code; a CSV row's fields named as its columns and lines.
                var refusal = result.Refusal is Invalid invalid && result.Row.Names is { } names ? names(invalid) : result.Refusal;
                var problem = await CapturedResponse.CaptureAsync(result.Problem ?? refusal!.ToResult(), http);
                writer.WriteRawValue(problem.Body!, skipInputValidation: true);
                _refused++;
            }
            writer.WriteEndObject();
            if (writer.BytesPending > 16 * 1024) await writer.FlushAsync();
        }
    }

    /// <summary>The answer: the counts, then the results as they were buffered, then where the import stopped if it did.</summary>
    private sealed class ImportResult(FileBufferingWriteStream results, int accepted, int refused, CapturedResponse? stopped) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/json; charset=utf-8";
            var body = http.Response.Body;
            await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"accepted\":{accepted},\"refused\":{refused},\"results\":"));
            await results.DrainBufferAsync(body);
            if (stopped is not null) await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes($",\"stopped\":{stopped.Body}"));
            await body.WriteAsync("}"u8.ToArray());
        }
    }
}
