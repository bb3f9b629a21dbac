using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Coding;

namespace Trial.Api.Coding;

public sealed record CodingRequest(string? DictionaryTermCode, string? Reason);

public sealed record DictionaryResponse(Guid Id, int Number, string Name, string Version, string Source, int TermCount, DateTime LoadedUtc, Guid LoadedBy, bool Current)
{
    public static DictionaryResponse From(LoadedDictionary d, bool current) =>
        new(d.Id, d.Number, d.Name, d.Version, d.Source, d.TermCount, d.LoadedUtc, d.LoadedBy, current);
}

public sealed record CodingResponse(
    Guid AdverseEventId, string ParticipantCode, string SiteCode, string VerbatimTerm, Guid DictionaryId, string Dictionary, string DictionaryVersion,
    string TermCode, string Term, string PreferredTermCode, string PreferredTerm, string SocCode, string Soc, DateTime CodedUtc, int Version)
{
    public static CodingResponse From(AdverseEventCoding c) => new(
        c.AdverseEventId, c.ParticipantCode, c.SiteCode, c.VerbatimTerm, c.DictionaryId, c.DictionaryName, c.DictionaryVersion, c.TermCode, c.Term,
        c.PreferredTermCode, c.PreferredTerm, c.SocCode, c.Soc, c.CodedUtc, c.Version);
}

public sealed record UncodedResponse(string SiteCode, string ParticipantCode, Guid AdverseEventId, string VerbatimTerm, DateOnly OnsetDate, int Version,
    string? PreviousTermCode);

public sealed record UncodedPageResponse(IReadOnlyList<UncodedResponse> Items, bool More);

/// <summary>
/// The routes of adverse event coding (the use cases are <see cref="LoadDictionary"/>, <see cref="CodeAdverseEvent"/> and
/// <see cref="ReadCoding"/>).
/// </summary>
public static class CodingEndpoints
{
    /// <summary>The largest dictionary file accepted (MedDRA's ASCII files zipped are a few MB).</summary>
    public const long MaxDictionaryBytes = 100L * 1024 * 1024;

    public static IEndpointRouteBuilder MapCoding(this IEndpointRouteBuilder app)
    {
        var coding = app.MapGroup("/api/v1/coding").WithTags("Coding");
        coding.MapPost("/dictionaries", LoadAsync).RequireAuthorization(Policies.Admin).WithName("LoadCodingDictionary")
            .WithSummary("Load a coding dictionary (admin) as ?name=&version=: text/csv with the header termCode,term,socCode,soc (preferred terms and " +
                         "system organ classes), or application/zip holding the sponsor's MedDRA ASCII files (llt.asc, pt.asc, soc.asc are read). " +
                         "Each load is a new version and becomes the current dictionary; a malformed file is refused (422 naming its line and column) and nothing is stored.")
            .Accepts<byte[]>("text/csv", "application/zip")
            .WithMetadata(new RequestSizeLimitAttribute(MaxDictionaryBytes))
            .Produces<DictionaryResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        coding.MapGet("/dictionaries", ListDictionariesAsync).RequireAuthorization(Policies.Coding).WithName("ListCodingDictionaries")
            .WithSummary("The dictionary loads, oldest first; the last is the current one, which codings use (coder, admin).")
            .Produces<IReadOnlyList<DictionaryResponse>>();
        coding.MapGet("/uncoded", UncodedAsync).RequireAuthorization(Policies.Coding).WithName("ListUncodedAdverseEvents")
            .WithSummary("Adverse events to code at your sites (or one of them), oldest onset first: never coded, or their verbatim term changed since. " +
                         "At most limit (default 100, at most 1000); more says whether there are others.")
            .Produces<UncodedPageResponse>().ProducesValidationProblem(422).ProducesProblem(403);
        app.MapPut("/api/v1/adverse-events/{id:guid}/coding", CodeAsync).Versioned().WithTags("Coding").RequireAuthorization(Policies.Coding).WithName("CodeAdverseEvent")
            .WithSummary("Code an adverse event to a term of the current dictionary (coder, admin): { dictionaryTermCode, reason }; reason is required to recode. " +
                         "If-Match with the event's ETag. The verbatim term stays as the site wrote it.")
            .Produces<CodingResponse>().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return app;
    }

    private static async Task<IResult> LoadAsync(string? name, string? version, LoadDictionary dictionaries, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType != LoadDictionary.CsvType && (mediaType is null || !LoadDictionary.ZipTypes.Contains(mediaType)))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                detail: "Send the dictionary as text/csv (header termCode,term,socCode,soc) or application/zip (MedDRA's ASCII files).",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxDictionaryBytes;
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var dictionary = dictionaries.Check(http.Actor(), new DictionaryInput(name, version, mediaType, body.ToArray()));
        if (dictionary.IsRefused) return dictionary.Refusal!.ToResult();
        return await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => dictionaries.WriteAsync(w, dictionary.Value!),
            loaded => Results.Created("/api/v1/coding/dictionaries", DictionaryResponse.From(loaded, current: true)));
    }

    private static async Task<IResult> ListDictionariesAsync(ReadCoding coding)
    {
        var loads = await coding.DictionariesAsync();
        return Results.Ok(loads.Select(d => DictionaryResponse.From(d, d.Number == loads[^1].Number)).ToList());
    }

    private static async Task<IResult> UncodedAsync(string? site, int? limit, ReadCoding coding, HttpContext http)
    {
        var page = await coding.UncodedAsync(http.Actor(), site, limit);
        if (page.IsRefused) return page.Refusal!.ToResult();
        return Results.Ok(new UncodedPageResponse(
            [.. page.Value!.Items.Select(e => new UncodedResponse(e.SiteCode, e.ParticipantCode, e.AdverseEventId, e.VerbatimTerm, e.OnsetDate, e.Version, e.PreviousTermCode))],
            page.Value.More));
    }

    private static async Task<IResult> CodeAsync(Guid id, CodingRequest body, CodeAdverseEvent coding, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var checkedCoding = await coding.CheckAsync(http.Actor(), id, http.Request.Headers.IfMatch.ToString(), new CodingInput(body.DictionaryTermCode, body.Reason));
        if (checkedCoding.IsRefused) return checkedCoding.Refusal!.ToResult();
        return await writes.RunAsync(http, clock.GetUtcNow().UtcDateTime, w => coding.WriteAsync(w, checkedCoding.Value!),
            coded => Results.Ok(CodingResponse.From(coded)).WithETag(coded.Version));
    }
}
