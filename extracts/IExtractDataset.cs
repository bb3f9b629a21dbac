namespace Trial.Extracts;

/// <summary>A dataset of the extract, as the endpoints, the bundle and the dictionary see it.</summary>
public interface IExtractDataset
{
    /// <summary>The name in the URL and, with .csv, the file name.</summary>
    string Name { get; }
    string Description { get; }

    /// <summary>Every column the dataset can hold, whoever it is for (the dictionary shows each audience its own).</summary>
    IReadOnlyList<ExtractColumnInfo> Columns { get; }

    /// <summary>True for a dataset only an unblinded audience receives (the randomisation list).</summary>
    bool UnblindedOnly { get; }

    /// <summary>Whether the audience receives this dataset.</summary>
    bool IsFor(ExtractAudience audience) => !UnblindedOnly || audience.Unblinded;

    /// <summary>Writes the dataset as CSV (header row, then one line per row) and returns its row count.</summary>
    Task<long> WriteCsvAsync(ExportContext context, Stream output, CancellationToken ct);
}
