namespace Trial.Extracts;

public sealed record ManifestFile(string Name, long Rows, long Bytes, string Sha256);
public sealed record ManifestUser(Guid Id, string Name, string Role);
public sealed record ManifestInstrument(string Code, string Version);

/// <summary>
/// manifest.json of a bundle: what each file holds and how to check it, and what the extract was taken from;
/// <c>Unblinded</c> says whether its files carry the arms (the unblinded statistician's); <c>FormulaCells</c> how cells a
/// spreadsheet would run as formulas are written.
/// </summary>
public sealed record ExtractManifest(
    Guid ExtractId, string StudyId, string ProtocolVersion, IReadOnlyList<ManifestInstrument> InstrumentDefinitions,
    DateTime SnapshotUtc, DateTime NextSinceUtc, ManifestUser GeneratedBy, ExportFilters Filters, bool Unblinded, IReadOnlyList<ManifestFile> Files)
{
    public string FormulaCells => Writing.SpreadsheetSafety.Note;
}
