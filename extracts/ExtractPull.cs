using System.IO.Compression;
using System.Text.Json;
using Trial.Core.Instruments;
using Trial.Extracts.Odm;
using Trial.Extracts.Reading;
using Trial.Extracts.Writing;

namespace Trial.Extracts;

/// <summary>
/// One pull of an extract from one snapshot: a dataset as CSV or a bundle as zip, written to a stream as it is read.
/// Everything streams from the database reader to the output; nothing is held in memory but the row being written.
/// Whether it was sent whole or not, the pull is recorded (<see cref="ExportRecording"/>).
/// </summary>
public sealed class ExtractPull : IAsyncDisposable
{
    /// <summary>
    /// How far before the snapshot the next incremental pull should start. A write stamped just before the
    /// snapshot may commit just after it (its time is taken before it waits for the database), so pulls
    /// overlap by this much; rows carry stable keys, so the overlap is merged, not duplicated.
    /// </summary>
    public static readonly TimeSpan IncrementalOverlap = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerOptions.Web) { WriteIndented = true };

    private readonly ExportSnapshot _snapshot;
    private readonly ExportRequest _request;
    private readonly ExtractCatalog _catalog;
    private readonly ExportRecording _recording;
    private readonly ExportContext _context;

    internal ExtractPull(ExportSnapshot snapshot, ExportRequest request, ExtractCatalog catalog, ExportRecording recording)
    {
        (_snapshot, _request, _catalog, _recording) = (snapshot, request, catalog, recording);
        _context = new ExportContext(snapshot, request.Filter, request.Audience, catalog.Protocol, catalog.Anchors);
    }

    /// <summary>Server time of the snapshot: every write committed before it is in the extract.</summary>
    public DateTime SnapshotUtc => _snapshot.TakenUtc;

    /// <summary>Where the next incremental pull should start (its since).</summary>
    public DateTime NextSinceUtc => NextSince(SnapshotUtc);

    public static DateTime NextSince(DateTime snapshotUtc) => snapshotUtc - IncrementalOverlap;

    /// <summary>Writes one dataset as CSV.</summary>
    public async Task WriteCsvAsync(IExtractDataset dataset, Stream output, CancellationToken ct)
    {
        var rows = new Dictionary<string, long>();
        var completed = false;
        try
        {
            rows[dataset.Name] = await dataset.WriteCsvAsync(_context, output, ct);
            completed = true;
        }
        finally
        {
            await _recording.RecordAsync(Record("csv", rows, completed), CancellationToken.None);
        }
    }

    /// <summary>
    /// Writes a bundle: the caller's datasets, one zip entry each, and manifest.json. <paramref name="unblindedBundle"/> is
    /// unblinded.zip, which <see cref="PullExtract.CheckBundleAsync"/> gives only an unblinded audience.
    /// </summary>
    public async Task WriteBundleAsync(Stream output, bool unblindedBundle, CancellationToken ct)
    {
        var extractId = Guid.NewGuid();
        var rows = new Dictionary<string, long>();
        var completed = false;
        try
        {
            var files = new List<ManifestFile>();
            var buffer = new SyncWriteBuffer(output);
            // The zip is written as it goes (create mode on a stream that cannot seek: each entry's sizes follow its data).
            await using (var zip = await ZipArchive.CreateAsync(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                foreach (var dataset in _catalog.DatasetsFor(_request.Audience))
                {
                    var name = dataset.Name + ".csv";
                    var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                    entry.LastWriteTime = _snapshot.TakenUtc;
                    var entryStream = await entry.OpenAsync(ct);
                    await using (var hashing = new HashingStream(entryStream))
                    {
                        var count = await dataset.WriteCsvAsync(_context, hashing, ct);
                        rows[dataset.Name] = count;
                        files.Add(new ManifestFile(name, count, hashing.BytesWritten, hashing.Sha256()));
                    }
                    await entryStream.DisposeAsync();
                    await buffer.DrainAsync(ct);
                }

                var manifest = new ExtractManifest(
                    extractId, _catalog.Protocol.ProtocolId, _catalog.Protocol.Version,
                    InstrumentCatalog.All.Select(i => new ManifestInstrument(i.Code, i.Version)).ToList(),
                    _snapshot.TakenUtc, NextSince(_snapshot.TakenUtc), new ManifestUser(_request.Actor.UserId, _request.Actor.Name, _request.Actor.Role),
                    _request.Filters, _request.Audience.Unblinded, files);
                var manifestEntry = zip.CreateEntry("manifest.json", CompressionLevel.Fastest);
                manifestEntry.LastWriteTime = _snapshot.TakenUtc;
                var manifestStream = await manifestEntry.OpenAsync(ct);
                await JsonSerializer.SerializeAsync(manifestStream, manifest, ManifestJson, ct);
                await manifestStream.DisposeAsync();
                await buffer.DrainAsync(ct);
            }
            await buffer.DrainAsync(ct);
            completed = true;
        }
        finally
        {
            await _recording.RecordAsync(Record(unblindedBundle ? "unblinded-bundle" : "bundle", rows, completed, extractId), CancellationToken.None);
        }
    }

    /// <summary>
    /// Writes the CDISC ODM 1.3.2 document of the pull's sites (<see cref="OdmWriter"/>): metadata, the users and sites its audit
    /// records name, and every participant's visits and item values, a correction's reason as written only with free text. It
    /// carries no arm, whoever asks; it is recorded as kind odm
    /// with the participants and item values it held.
    /// </summary>
    public async Task WriteOdmAsync(Stream output, CancellationToken ct)
    {
        var rows = new Dictionary<string, long>();
        var completed = false;
        try
        {
            var sites = _snapshot.SiteZones.Keys.Where(s => _request.Filter.Sites is null || _request.Filter.Sites.Contains(s)).Order(StringComparer.Ordinal).ToList();
            var users = await OdmData.UsersAsync(_snapshot, _request.Filter, ct);
            var file = new OdmFile(OdmFileOid(_catalog.Protocol.ProtocolId, _snapshot.TakenUtc), _snapshot.TakenUtc, _catalog.Protocol, InstrumentCatalog.All, users, sites);
            var counts = await OdmWriter.WriteAsync(output, file, OdmData.ItemsAsync(_snapshot, _request.Filter, _request.Audience.IncludeFreeText, ct), ct);
            rows["subjects"] = counts.Subjects;
            rows["items"] = counts.Items;
            completed = true;
        }
        finally
        {
            await _recording.RecordAsync(Record("odm", rows, completed), CancellationToken.None);
        }
    }

    /// <summary>The document's FileOID: the study and the snapshot, so two pulls of one snapshot name the same data.</summary>
    public static string OdmFileOid(string protocolId, DateTime snapshotUtc) =>
        $"{protocolId}.{snapshotUtc.ToString("yyyyMMdd'T'HHmmss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)}";

    private ExportRecord Record(string kind, IReadOnlyDictionary<string, long> rows, bool completed, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), _request.Actor, kind, rows, _request.Filters, _request.Audience.Unblinded, _snapshot.TakenUtc, completed);

    /// <summary>Ends the snapshot's read transaction.</summary>
    public ValueTask DisposeAsync() => _snapshot.DisposeAsync();
}
