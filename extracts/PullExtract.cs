using Trial.Application;
using Trial.Core.Access;
using Trial.Db.Infrastructure;
using Trial.Extracts.Reading;

namespace Trial.Extracts;

/// <summary>
/// The datasets a caller may pull (the catalog's <see cref="ExtractCatalog.DatasetsFor"/> for their audience, in bundle order),
/// and whether their audience is unblinded.
/// </summary>
public sealed record AvailableDatasets(ExtractAudience Audience, IReadOnlyList<IExtractDataset> Datasets);

/// <summary>A dataset asked for by name and the checked request it is pulled with.</summary>
public sealed record DatasetRequest(IExtractDataset Dataset, ExportRequest Request);

/// <summary>
/// Analysis-ready extracts for statisticians (and admins): each dataset as CSV, or all of them in one zip from one
/// snapshot with a manifest. Every extract is for its caller's audience: the unblinded statistician's carry the arm
/// columns and the randomisation list, and the unblinded bundle is theirs alone. A pull is checked first
/// (<see cref="CheckDatasetAsync"/>, <see cref="CheckBundleAsync"/>), then read from one snapshot (<see cref="BeginAsync"/>).
/// </summary>
public sealed class PullExtract(Database db, TimeProvider clock, ExtractCatalog catalog, ExportRecording recording)
{
    /// <summary>
    /// The dataset named (404 when there is none), checked for the request and its caller. <paramref name="parameters"/> are
    /// the request's filters as sent: each parameter with every value given for it.
    /// </summary>
    public async Task<Outcome<DatasetRequest>> CheckDatasetAsync(Actor actor, string dataset, IReadOnlyDictionary<string, string?[]> parameters)
    {
        var extract = catalog.Find(dataset);
        if (extract is null)
            return new NotFound($"No dataset '{dataset}'; the datasets are {string.Join(", ", catalog.Names)} (as {{dataset}}.csv), and bundle.zip for all of them.");
        var request = await ExportRequests.CheckAsync(db, actor, parameters);
        if (request.IsRefused) return request.Refusal!;
        if (!extract.IsFor(request.Value!.Audience))
            return new Forbidden($"{extract.Name} reveals the arms: only an unblinded statistician may pull it.");
        return new DatasetRequest(extract, request.Value);
    }

    /// <summary>
    /// A bundle's request. bundle.zip and unblinded.zip are pulled alike; the second is refused unless its caller's audience is
    /// unblinded, so a script that asks for it never receives blinded files by mistake.
    /// </summary>
    public async Task<Outcome<ExportRequest>> CheckBundleAsync(Actor actor, IReadOnlyDictionary<string, string?[]> parameters, bool unblindedBundle)
    {
        var request = await ExportRequests.CheckAsync(db, actor, parameters);
        if (!request.IsRefused && unblindedBundle && !request.Value!.Audience.Unblinded)
            return new Forbidden("The unblinded bundle reveals the arms: only an unblinded statistician may pull it.");
        return request;
    }

    /// <summary>
    /// The ODM document's request: its filters are site and includeFreeText (admins only, as for the CSV files: a correction's
    /// reason as written). The document holds every instrument and the whole history of each value in its audit records, so
    /// since and instrument are refused rather than ignored.
    /// </summary>
    public async Task<Outcome<ExportRequest>> CheckOdmAsync(Actor actor, IReadOnlyDictionary<string, string?[]> parameters)
    {
        string[] known = [ExportRequests.SiteParameter, ExportRequests.FreeTextParameter];
        var other = parameters.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        if (other.Count > 0)
        {
            var message = $"The ODM document's filters are {string.Join(" and ", known)}; got {string.Join(", ", other.Select(k => $"'{k}'"))}.";
            return new Invalid(other.ToDictionary(k => k, _ => new[] { message }), message);
        }
        return await ExportRequests.CheckAsync(db, actor, parameters);
    }

    /// <summary>
    /// The datasets the actor may pull, as the catalog gives them to their audience without free text (only an admin's explicit
    /// request adds it). Reads no clinical data, so it is neither scoped to sites nor recorded as a pull.
    /// </summary>
    public AvailableDatasets Available(Actor actor)
    {
        var audience = ExportRequests.AudienceOf(actor, includeFreeText: false);
        return new AvailableDatasets(audience, [.. catalog.DatasetsFor(audience)]);
    }

    /// <summary>Takes the snapshot every file of the pull is read from; the pull records itself once written.</summary>
    public async Task<ExtractPull> BeginAsync(ExportRequest request, CancellationToken ct)
    {
        var snapshot = await ExportSnapshot.BeginAsync(db, clock, ct);
        return new ExtractPull(snapshot, request, catalog, recording);
    }
}
