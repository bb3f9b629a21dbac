namespace Trial.Extracts.Reading;

/// <summary>What an extract covers: sites (null for every site), one instrument or all, and rows created or changed since an instant.</summary>
public sealed record ExportFilter(IReadOnlyList<string>? Sites, string? Instrument, DateTime? SinceUtc);
