using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Core.Instruments;
using Trial.Db.Exports;
using Trial.Db.Infrastructure;

namespace Trial.Api.Exports;

public sealed record ManifestFile(string Name, long Rows, long Bytes, string Sha256);
public sealed record ManifestUser(Guid Id, string Name, string Role);
public sealed record ManifestInstrument(string Code, string Version);

/// <summary>
/// manifest.json of a bundle: what each file holds and how to check it, and what the extract was taken from;
/// <c>Unblinded</c> says whether its files carry the arms (the unblinded statistician's).
/// </summary>
public sealed record ExtractManifest(
    Guid ExtractId, string StudyId, string ProtocolVersion, IReadOnlyList<ManifestInstrument> InstrumentDefinitions,
    DateTime SnapshotUtc, DateTime NextSinceUtc, ManifestUser GeneratedBy, ExportFilters Filters, bool Unblinded, IReadOnlyList<ManifestFile> Files);

/// <summary>
/// Analysis-ready extracts for statisticians (and admins): each dataset as CSV, or all of them in
/// one zip from one snapshot with a manifest. Everything streams from the database reader to the
/// response; nothing is held in memory but the row being written. Every extract is for its caller's
/// audience: the unblinded statistician's carry the arm columns and the randomisation list, and
/// unblinded.zip, the unblinded bundle, is theirs alone.
/// </summary>
public static class ExportEndpoints
{
    public const string SnapshotHeader = "Trial-Snapshot-Utc";
    public const string NextSinceHeader = "Trial-Next-Since";

    /// <summary>
    /// How far before the snapshot the next incremental pull should start. A write stamped just before the
    /// snapshot may commit just after it (its time is taken before it waits for the database), so pulls
    /// overlap by this much; rows carry stable keys, so the overlap is merged, not duplicated.
    /// </summary>
    public static readonly TimeSpan IncrementalOverlap = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetRequiredService<ExtractCatalog>(); // fails start-up, not the first extract, on a protocol the extracts cannot use
        var group = app.MapGroup("/api/v1/exports").WithTags("Extracts").RequireAuthorization(Policies.ExtractReader);
        group.MapGet("/bundle.zip", BundleAsync).WithName("ExportBundle")
            .WithSummary("Every dataset plus manifest.json (row counts, SHA-256 per file, protocol and instrument definition versions, snapshot time, "
                         + "who made it, the filters) in one zip, all from one snapshot. Filters: site, instrument, since (an instant with its time zone: "
                         + "rows created or changed since then; use the Trial-Next-Since header as the next since), includeFreeText (admins only).")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/unblinded.zip", UnblindedBundleAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("ExportUnblindedBundle")
            .WithSummary("The unblinded bundle (unblinded statistician only; 403 for every other role, admins included): every dataset with the arm columns "
                         + "(ARMCD, ARM, STRATUM, RANDNO) after its own in each per-participant file, randomisation-list.csv (each stratum's sequence as "
                         + "allocated so far, with the participant who took each place) and manifest.json, all from one snapshot. Same filters as the bundle.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesValidationProblem(422).ProducesProblem(403);
        group.MapGet("/{dataset}.csv", DatasetAsync).WithName("ExportDataset")
            .WithSummary("One dataset as CSV (RFC 4180, UTF-8 without BOM, one header row, empty field for missing): participants, visits, assessments, "
                         + "items, efficacy, adverse-events, safety-alerts or dictionary; for the unblinded statistician each per-participant dataset with the arm "
                         + "columns (ARMCD, ARM, STRATUM, RANDNO), and randomisation-list, theirs alone. Same filters as the bundle; the snapshot time is in the "
                         + "Trial-Snapshot-Utc header.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    // The filters are read and checked from the query by ExportRequests; as parameters here they document the endpoint.
    private static async Task<IResult> DatasetAsync(
        string dataset, string? site, string? instrument, string? since, string? includeFreeText,
        HttpContext http, ExtractCatalog catalog, Database db, TimeProvider clock, ExportRecording recording)
    {
        var extract = catalog.Find(dataset);
        if (extract is null)
            return Problems.NotFound($"No dataset '{dataset}'; the datasets are {string.Join(", ", catalog.Names)} (as {{dataset}}.csv), and bundle.zip for all of them.");
        var (request, problem) = await ExportRequests.ParseAsync(http, db);
        if (problem is not null) return problem;
        if (!extract.IsFor(request!.Audience))
            return Problems.Forbidden($"{extract.Name} reveals the arms: only an unblinded statistician may pull it.");

        var ct = http.RequestAborted;
        await using var snapshot = await ExportSnapshot.BeginAsync(db, clock, ct);
        var context = new ExportContext(snapshot, request.Filter, request.Audience, catalog.Protocol, catalog.Anchors);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{extract.Name}.csv\"";
        SetSnapshotHeaders(http, snapshot.TakenUtc);

        var rows = new Dictionary<string, long>();
        var completed = false;
        try
        {
            rows[extract.Name] = await extract.WriteCsvAsync(context, http.Response.Body, ct);
            completed = true;
        }
        finally
        {
            await recording.RecordAsync(Record(request, "csv", rows, snapshot.TakenUtc, completed), CancellationToken.None);
        }
        return Results.Empty;
    }

    private static Task<IResult> BundleAsync(
        string? site, string? instrument, string? since, string? includeFreeText,
        HttpContext http, ExtractCatalog catalog, Database db, TimeProvider clock, ExportRecording recording) =>
        WriteBundleAsync(http, catalog, db, clock, recording, unblindedBundle: false);

    private static Task<IResult> UnblindedBundleAsync(
        string? site, string? instrument, string? since,
        HttpContext http, ExtractCatalog catalog, Database db, TimeProvider clock, ExportRecording recording) =>
        WriteBundleAsync(http, catalog, db, clock, recording, unblindedBundle: true);

    /// <summary>
    /// A bundle: the caller's datasets, one zip entry each, and manifest.json, from one snapshot. bundle.zip and unblinded.zip
    /// are both written here; the second is refused unless its caller's audience is unblinded (the route's policy admits only
    /// the unblinded statistician), so a script that asks for it never receives blinded files by mistake.
    /// </summary>
    private static async Task<IResult> WriteBundleAsync(HttpContext http, ExtractCatalog catalog, Database db, TimeProvider clock, ExportRecording recording,
        bool unblindedBundle)
    {
        var (request, problem) = await ExportRequests.ParseAsync(http, db);
        if (problem is not null) return problem;
        if (unblindedBundle && !request!.Audience.Unblinded)
            return Problems.Forbidden("The unblinded bundle reveals the arms: only an unblinded statistician may pull it.");

        var ct = http.RequestAborted;
        await using var snapshot = await ExportSnapshot.BeginAsync(db, clock, ct);
        var context = new ExportContext(snapshot, request!.Filter, request.Audience, catalog.Protocol, catalog.Anchors);
        var stamp = snapshot.TakenUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"trial-{(unblindedBundle ? "unblinded-" : "")}extract-{stamp}.zip\"";
        SetSnapshotHeaders(http, snapshot.TakenUtc);

        var extractId = Guid.NewGuid();
        var rows = new Dictionary<string, long>();
        var completed = false;
        try
        {
            var files = new List<ManifestFile>();
            var output = new SyncWriteBuffer(http.Response.Body);
            // The zip is written as it goes (create mode on a stream that cannot seek: each entry's sizes follow its data).
            await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                foreach (var dataset in catalog.DatasetsFor(request.Audience))
                {
                    var name = dataset.Name + ".csv";
                    var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                    entry.LastWriteTime = snapshot.TakenUtc;
                    var entryStream = await entry.OpenAsync(ct);
                    await using (var hashing = new HashingStream(entryStream))
                    {
                        var count = await dataset.WriteCsvAsync(context, hashing, ct);
                        rows[dataset.Name] = count;
                        files.Add(new ManifestFile(name, count, hashing.BytesWritten, hashing.Sha256()));
                    }
                    await entryStream.DisposeAsync();
                    await output.DrainAsync(ct);
                }

                var manifest = new ExtractManifest(
                    extractId, catalog.Protocol.ProtocolId, catalog.Protocol.Version,
                    InstrumentCatalog.All.Select(i => new ManifestInstrument(i.Code, i.Version)).ToList(),
                    snapshot.TakenUtc, NextSince(snapshot.TakenUtc), new ManifestUser(request.Actor.UserId, request.Actor.Name, request.Actor.Role),
                    request.Filters, request.Audience.Unblinded, files);
                var manifestEntry = zip.CreateEntry("manifest.json", CompressionLevel.Fastest);
                manifestEntry.LastWriteTime = snapshot.TakenUtc;
                var manifestStream = await manifestEntry.OpenAsync(ct);
                await JsonSerializer.SerializeAsync(manifestStream, manifest, ManifestJson, ct);
                await manifestStream.DisposeAsync();
                await output.DrainAsync(ct);
            }
            await output.DrainAsync(ct);
            completed = true;
        }
        finally
        {
            await recording.RecordAsync(Record(request, unblindedBundle ? "unblinded-bundle" : "bundle", rows, snapshot.TakenUtc, completed, extractId),
                CancellationToken.None);
        }
        return Results.Empty;
    }

    public static DateTime NextSince(DateTime snapshotUtc) => snapshotUtc - IncrementalOverlap;

    private static void SetSnapshotHeaders(HttpContext http, DateTime snapshotUtc)
    {
        http.Response.Headers[SnapshotHeader] = snapshotUtc.ToString("O", CultureInfo.InvariantCulture);
        http.Response.Headers[NextSinceHeader] = NextSince(snapshotUtc).ToString("O", CultureInfo.InvariantCulture);
    }

    private static ExportRecord Record(ExportRequest request, string kind, IReadOnlyDictionary<string, long> rows, DateTime snapshotUtc, bool completed, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), request.Actor, kind, rows, request.Filters, request.Audience.Unblinded, snapshotUtc, completed);
}

public static class ExportServices
{
    public static IServiceCollection AddExports(this IServiceCollection services) =>
        services.AddSingleton<ExtractCatalog>().AddSingleton<ExportRecording>();
}
