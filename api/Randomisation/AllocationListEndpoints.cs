using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Application.Randomisation;

namespace Trial.Api.Randomisation;

/// <summary>One place of a stratum's sequence; block fields are empty for an imported list.</summary>
public sealed record SequenceEntry(int SequenceNumber, int? BlockIndex, int? BlockSize, int? PositionInBlock, string Arm, string? ParticipantCode);

public sealed record SequenceResponse(string Stratum, string Method, IReadOnlyList<SequenceEntry> Entries);

public sealed record AllocationListEntryDto(string? Stratum, int? SequenceNumber, string? Arm);

public sealed record ImportAllocationListRequest(IReadOnlyList<AllocationListEntryDto>? Entries);

public sealed record ImportedStratum(string Stratum, int Entries);

public sealed record ImportAllocationListResponse(int Entries, IReadOnlyList<ImportedStratum> Strata, DateTime ImportedUtc);


/// <summary>
/// The routes of the allocation list (the use cases are <see cref="ReadAllocationSequence"/> and <see cref="ImportAllocationList"/>):
/// the unblinded statistician audits a stratum's sequence, and imports the list of a protocol that randomises from one.
/// </summary>
public static class AllocationListEndpoints
{
    /// <summary>Called by <see cref="RandomisationEndpoints.MapRandomisation"/>, after the allocations' routes.</summary>
    public static IEndpointRouteBuilder MapAllocationList(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/randomisation").WithTags("Randomisation");
        group.MapGet("/list", SequenceAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("GetAllocationSequence")
            .WithSummary("A stratum's allocation sequence for audit (unblinded statistician): regenerated from the secret (permuted blocks: each place " +
                         "with its block and block size) or the imported list, with the participant who took each place. stratum as in the allocations " +
                         "(e.g. WAW/MADRS<35); count places from the first (default 100). The access is audited.")
            .Produces<SequenceResponse>().ProducesValidationProblem(422).ProducesProblem(403).ProducesProblem(409);
        group.MapPost("/list", ImportListAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("ImportAllocationList")
            .WithSummary("Import the allocation list (unblinded statistician), for protocols whose randomisation method is imported-list: JSON " +
                         "{ entries: [{ stratum, sequenceNumber, arm }] } or text/csv with the header stratum,sequenceNumber,arm. Each stratum's places " +
                         "run 1, 2, 3, … without gaps. Replaces an earlier list; refused (409) once any allocation has been made.")
            .Accepts<ImportAllocationListRequest>("application/json", "text/csv")
            .Produces<ImportAllocationListResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(400).ProducesProblem(403)
            .ProducesProblem(409).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<IResult> SequenceAsync(string? stratum, int? count, ReadAllocationSequence sequences, HttpContext http)
    {
        var sequence = await sequences.ReadAsync(http.Actor(), stratum, count);
        if (sequence.IsRefused) return sequence.Refusal!.ToResult();
        var (key, method, places) = sequence.Value!;
        return Results.Ok(new SequenceResponse(key, method,
            [.. places.Select(p => new SequenceEntry(p.SequenceNumber, p.BlockIndex, p.BlockSize, p.PositionInBlock, p.Arm, p.TakenBy?.ParticipantCode))]));
    }

    private static async Task<IResult> ImportListAsync(ImportAllocationList imports, IdempotentWrites writes, TimeProvider clock, IOptions<JsonOptions> json, HttpContext http)
    {
        if (imports.CheckProtocol() is { } refused) return refused.ToResult();
        var (entries, unreadable) = await ReadListAsync(http.Request, json.Value.SerializerOptions);
        if (unreadable is not null) return unreadable;
        if (entries.IsRefused) return entries.Refusal!.ToResult();

        var checkedList = await imports.CheckAsync(http.Actor(), entries.Value!);
        if (checkedList.IsRefused) return checkedList.Refusal!.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, w => imports.WriteAsync(w, checkedList.Value!),
            list => Results.Created("/api/v1/randomisation/list",
                new ImportAllocationListResponse(list.Entries, [.. list.Strata.Select(s => new ImportedStratum(s.Stratum, s.Entries))], list.ImportedUtc)));
    }

    // The list as sent, JSON or CSV (read by AllocationListCsv); what it holds is the use case's to check. The second
    // value is the answer to a body that is neither (415) or malformed JSON.
    private static readonly Outcome<AllocationListEntry?[]> Nothing = Array.Empty<AllocationListEntry?>();

    private static async Task<(Outcome<AllocationListEntry?[]> Entries, IResult? Unreadable)> ReadListAsync(HttpRequest request, JsonSerializerOptions options)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == "text/csv")
        {
            using var reader = new StreamReader(request.Body);
            return (AllocationListCsv.Parse(await reader.ReadToEndAsync()), null);
        }
        if (mediaType != "application/json")
        {
            return (Nothing, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                detail: "Send the list as application/json ({ \"entries\": [...] }) or text/csv (stratum,sequenceNumber,arm).",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" }));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<ImportAllocationListRequest>(request.Body, options);
            return ((body?.Entries ?? []).Select(e => e is null ? null : new AllocationListEntry(e.Stratum, e.SequenceNumber, e.Arm)).ToArray(), null);
        }
        catch (JsonException ex)
        {
            return (Nothing, ErrorHandling.MalformedJson(ex));
        }
    }
}
