using System.Globalization;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Extracts;

namespace Trial.Api.Exports;

/// <summary>
/// A dataset the caller may pull: its name, the file name and the URL it is pulled from, what it holds, and the columns the
/// caller's file has (with <c>FreeTextColumns</c>, for an admin, the columns includeFreeText=true adds).
/// </summary>
public sealed record ExportDatasetResponse(
    string Name, string FileName, string Description, string Url, IReadOnlyList<string> Columns, IReadOnlyList<string>? FreeTextColumns);

/// <summary>A bundle the caller may pull: every dataset of <c>Datasets</c> and manifest.json in one zip.</summary>
public sealed record ExportBundleResponse(string FileName, string Url);

/// <summary>
/// What the caller may pull: the datasets of their audience in bundle order (for the unblinded statistician with the arm
/// columns and the randomisation list; <c>Unblinded</c> says which), and the bundles.
/// </summary>
public sealed record ExportListResponse(bool Unblinded, IReadOnlyList<ExportDatasetResponse> Datasets, IReadOnlyList<ExportBundleResponse> Bundles);

/// <summary>
/// The routes of the analysis-ready extracts for statisticians (and admins): each dataset as CSV, or all of them in one zip
/// from one snapshot with a manifest, streamed from the database reader to the response (<see cref="PullExtract"/>). Every
/// extract is for its caller's audience: the unblinded statistician's carry the arm columns and the randomisation list, and
/// unblinded.zip, the unblinded bundle, is theirs alone.
/// </summary>
public static class ExportEndpoints
{
    public const string SnapshotHeader = "Trial-Snapshot-Utc";
    public const string NextSinceHeader = "Trial-Next-Since";

    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetRequiredService<ExtractCatalog>(); // fails start-up, not the first extract, on a protocol the extracts cannot use
        var group = app.MapGroup("/api/v1/exports").WithTags("Extracts").RequireAuthorization(Policies.ExtractReader);
        group.MapGet("", List).WithName("ListExports")
            .WithSummary("The datasets you may pull, in bundle order, each with its file name, description, URL and the columns your file has (for an "
                         + "admin also the free-text columns includeFreeText=true adds), and the bundles. Exactly the datasets your role receives: the "
                         + "unblinded statistician's list adds the randomisation list (and the arm columns); nobody else's ever shows it.")
            .Produces<ExportListResponse>().ProducesProblem(403);
        group.MapGet("/bundle.zip", BundleAsync).WithName("ExportBundle")
            .WithResponseHeader(SnapshotHeader, "The instant (ISO-8601, UTC) of the one database snapshot the extract was read from.", "date-time")
            .WithResponseHeader(NextSinceHeader, "The instant to send as since in the next pull, so that it gives exactly what changed after this one.", "date-time")
            .WithSummary("Every dataset plus manifest.json (row counts, SHA-256 per file, protocol and instrument definition versions, snapshot time, "
                         + "who made it, the filters) in one zip, all from one snapshot. Filters: site, instrument, since (an instant with its time zone: "
                         + "rows created or changed since then; use the Trial-Next-Since header as the next since), includeFreeText (admins only).")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/unblinded.zip", UnblindedBundleAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("ExportUnblindedBundle")
            .WithResponseHeader(SnapshotHeader, "The instant (ISO-8601, UTC) of the one database snapshot the extract was read from.", "date-time")
            .WithResponseHeader(NextSinceHeader, "The instant to send as since in the next pull, so that it gives exactly what changed after this one.", "date-time")
            .WithSummary("The unblinded bundle (unblinded statistician only; 403 for every other role, admins included): every dataset with the arm columns "
                         + "(ARMCD, ARM, STRATUM, RANDNO) after its own in each per-participant file, randomisation-list.csv (each stratum's sequence as "
                         + "allocated so far, with the participant who took each place) and manifest.json, all from one snapshot. Same filters as the bundle.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/odm.xml", OdmAsync).WithName("ExportOdm")
            .WithResponseHeader(SnapshotHeader, "The instant (ISO-8601, UTC) of the one database snapshot the extract was read from.", "date-time")
            .WithSummary("The study as one CDISC ODM 1.3.2 snapshot document (docs/extracts.md, \"ODM\"): the protocol's visits and the instruments "
                         + "as metadata (item ranges as RangeChecks), then each participant's visits, assessments (a timepoint is the form's "
                         + "FormRepeatKey) and item values, each value with its AuditRecord (who set it, where, when, and for a correction its reason, "
                         + "in the site's words only with includeFreeText=true, admins only). Filters: site, includeFreeText. It never carries arms, for any role.")
            .Produces(StatusCodes.Status200OK, contentType: "application/xml")
            .ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/{dataset}.csv", DatasetAsync).WithName("ExportDataset")
            .WithResponseHeader(SnapshotHeader, "The instant (ISO-8601, UTC) of the one database snapshot the extract was read from.", "date-time")
            .WithResponseHeader(NextSinceHeader, "The instant to send as since in the next pull, so that it gives exactly what changed after this one.", "date-time")
            .WithSummary("One dataset as CSV (RFC 4180, UTF-8 without BOM, one header row, empty field for missing): participants, visits, assessments, "
                         + "items, efficacy, adverse-events, exposure, vital-signs, blinding-guesses, safety-alerts or dictionary; for the unblinded statistician each "
                         + "per-participant dataset with the arm columns (ARMCD, ARM, STRATUM, RANDNO), exposure with the drug and dose given, and "
                         + "randomisation-list, theirs alone. Same filters as the bundle; the snapshot time is in the "
                         + "Trial-Snapshot-Utc header.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static IResult List(HttpContext http, PullExtract extracts)
    {
        var actor = http.Actor();
        var (audience, datasets) = extracts.Available(actor);
        var withFreeText = audience with { IncludeFreeText = true };
        var response = datasets.Select(d => new ExportDatasetResponse(d.Name, d.Name + ".csv", d.Description, $"/api/v1/exports/{d.Name}.csv",
            [.. d.Columns.Where(c => c.IsFor(audience)).Select(c => c.Name)],
            actor.IsAdmin ? [.. d.Columns.Where(c => c.FreeText && c.IsFor(withFreeText)).Select(c => c.Name)] : null)).ToList();
        ExportBundleResponse[] bundles = audience.Unblinded
            ? [new("bundle.zip", "/api/v1/exports/bundle.zip"), new("unblinded.zip", "/api/v1/exports/unblinded.zip")]
            : [new("bundle.zip", "/api/v1/exports/bundle.zip")];
        return Results.Ok(new ExportListResponse(audience.Unblinded, response, bundles));
    }

    // The filters are read and checked from the query by the use case; as parameters here they document the endpoint.
    private static async Task<IResult> DatasetAsync(
        string dataset, string? site, string? instrument, string? since, string? includeFreeText, HttpContext http, PullExtract extracts)
    {
        var asked = await extracts.CheckDatasetAsync(http.Actor(), dataset, QueryParameters(http));
        if (asked.IsRefused) return asked.Refusal!.ToResult();

        var ct = http.RequestAborted;
        await using var pull = await extracts.BeginAsync(asked.Value!.Request, ct);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{asked.Value.Dataset.Name}.csv\"";
        SetSnapshotHeaders(http, pull);
        await pull.WriteCsvAsync(asked.Value.Dataset, http.Response.Body, ct);
        return Results.Empty;
    }

    private static Task<IResult> BundleAsync(string? site, string? instrument, string? since, string? includeFreeText, HttpContext http, PullExtract extracts) =>
        WriteBundleAsync(http, extracts, unblindedBundle: false);

    private static Task<IResult> UnblindedBundleAsync(string? site, string? instrument, string? since, HttpContext http, PullExtract extracts) =>
        WriteBundleAsync(http, extracts, unblindedBundle: true);

    /// <summary>bundle.zip and unblinded.zip: the caller's datasets, one zip entry each, and manifest.json, from one snapshot.</summary>
    private static async Task<IResult> WriteBundleAsync(HttpContext http, PullExtract extracts, bool unblindedBundle)
    {
        var request = await extracts.CheckBundleAsync(http.Actor(), QueryParameters(http), unblindedBundle);
        if (request.IsRefused) return request.Refusal!.ToResult();

        var ct = http.RequestAborted;
        await using var pull = await extracts.BeginAsync(request.Value!, ct);
        var stamp = pull.SnapshotUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"trial-{(unblindedBundle ? "unblinded-" : "")}extract-{stamp}.zip\"";
        SetSnapshotHeaders(http, pull);
        await pull.WriteBundleAsync(http.Response.Body, unblindedBundle, ct);
        return Results.Empty;
    }

    private static async Task<IResult> OdmAsync(string? site, string? includeFreeText, HttpContext http, PullExtract extracts)
    {
        var request = await extracts.CheckOdmAsync(http.Actor(), QueryParameters(http));
        if (request.IsRefused) return request.Refusal!.ToResult();

        var ct = http.RequestAborted;
        await using var pull = await extracts.BeginAsync(request.Value!, ct);
        var stamp = pull.SnapshotUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/xml; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"trial-odm-{stamp}.xml\"";
        // No Trial-Next-Since: the document has no since filter, each pull is whole.
        http.Response.Headers[SnapshotHeader] = pull.SnapshotUtc.ToString("O", CultureInfo.InvariantCulture);
        await pull.WriteOdmAsync(http.Response.Body, ct);
        return Results.Empty;
    }

    /// <summary>Every query parameter as sent, with all its values: the use case refuses unknown and repeated ones.</summary>
    private static Dictionary<string, string?[]> QueryParameters(HttpContext http) =>
        http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToArray(), StringComparer.OrdinalIgnoreCase);

    private static void SetSnapshotHeaders(HttpContext http, ExtractPull pull)
    {
        http.Response.Headers[SnapshotHeader] = pull.SnapshotUtc.ToString("O", CultureInfo.InvariantCulture);
        http.Response.Headers[NextSinceHeader] = pull.NextSinceUtc.ToString("O", CultureInfo.InvariantCulture);
    }
}
