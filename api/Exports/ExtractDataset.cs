using System.Text;
using Sylvan.Data.Csv;
using Trial.Core.Protocol;
using Trial.Core.Sites;
using Trial.Db.Exports;

namespace Trial.Api.Exports;

/// <summary>Everything a dataset reads from: the snapshot, the filters, who it is for and the protocol.</summary>
public sealed record ExportContext(ExportSnapshot Snapshot, ExportFilter Filter, ExtractAudience Audience, ProtocolDefinition Protocol, ExportAnchors Anchors)
{
    private Task<ExtractAllocations>? _allocations;

    /// <summary>
    /// Who is in which arm, read from the snapshot once, the first time a dataset needs it, and only for an unblinded
    /// audience: for anyone else there are none, so no blinded extract ever reads an arm.
    /// </summary>
    public Task<ExtractAllocations> AllocationsAsync() =>
        Audience.Unblinded ? _allocations ??= ExtractAllocations.ReadAsync(Snapshot, Filter, Protocol.Design) : Task.FromResult(ExtractAllocations.None);

    /// <summary>Each visit code's position in the protocol's visit plan, from 1 (visit_num, VISITNUM).</summary>
    public IReadOnlyDictionary<string, int> VisitNumbers { get; } =
        Protocol.Visits.Select((v, i) => (v.Code, Number: i + 1)).ToDictionary(v => v.Code, v => v.Number, StringComparer.Ordinal);

    /// <summary>The date visits of the site are judged against (missed or not): the site's own date at the snapshot, as the API's schedules use.</summary>
    public DateOnly Today(string siteCode) => LocalDate(siteCode, Snapshot.TakenUtc);

    /// <summary>The site's calendar date of an instant (the study day of an assessment counts in the site's days).</summary>
    public DateOnly LocalDate(string siteCode, DateTime utc) =>
        Snapshot.SiteZones.TryGetValue(siteCode, out var zone) ? SiteCalendar.LocalDate(utc, zone) : DateOnly.FromDateTime(utc);
}

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

public abstract class ExtractDataset<TRow> : IExtractDataset
{
    private static readonly UTF8Encoding Utf8WithoutBom = new(encoderShouldEmitUTF8Identifier: false);

    // RFC 4180: comma, double quotes around a field holding a comma, quote or line break, a quote doubled inside;
    // lines end with CRLF. Missing values (null) are empty fields.
    private static readonly CsvDataWriterOptions CsvOptions = new() { NewLine = "\r\n", BufferSize = 64 * 1024 };

    private IReadOnlyList<ExtractColumnInfo>? _described;

    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>The dataset's own columns, in file order.</summary>
    public abstract IReadOnlyList<ExtractColumn<TRow>> Columns { get; }

    /// <summary>
    /// The participant a row belongs to, for datasets whose every row belongs to one: those get the arm columns
    /// (<see cref="ArmColumns"/>) after their own for an unblinded audience. Null for a dataset that is not per participant.
    /// </summary>
    protected virtual Func<TRow, string?>? ParticipantOf => null;

    public virtual bool UnblindedOnly => false;

    IReadOnlyList<ExtractColumnInfo> IExtractDataset.Columns =>
        _described ??= [.. Columns, .. ParticipantOf is null ? [] : ArmColumns.Definitions];

    /// <summary>The columns written for the context's audience, in file order: its own it may see, then for an unblinded audience the arm columns.</summary>
    public async Task<IReadOnlyList<ExtractColumn<TRow>>> ColumnsForAsync(ExportContext context)
    {
        var own = Columns.Where(c => c.IsFor(context.Audience));
        return ParticipantOf is { } participant && context.Audience.Unblinded
            ? [.. own, .. ArmColumns.For(participant, await context.AllocationsAsync())]
            : [.. own];
    }

    /// <summary>The rows, read from the snapshot one at a time; implementations may reuse one row object.</summary>
    protected abstract IAsyncEnumerable<TRow> RowsAsync(ExportContext context, CancellationToken ct);

    public virtual Task<long> WriteCsvAsync(ExportContext context, Stream output, CancellationToken ct) => WriteCsvCellByCellAsync(context, output, ct);

    /// <summary>The reference way to write a dataset: each row's cells from the column definitions, through Sylvan's CSV writer.</summary>
    public async Task<long> WriteCsvCellByCellAsync(ExportContext context, Stream output, CancellationToken ct)
    {
        var columns = await ColumnsForAsync(context);
        await using var text = new StreamWriter(output, Utf8WithoutBom, bufferSize: 64 * 1024, leaveOpen: true);
        await using var reader = new ExtractReader<TRow>(RowsAsync(context, ct), columns, ct);
        var csv = CsvDataWriter.Create(text, CsvOptions);
        await csv.WriteAsync(reader, ct);
        await text.FlushAsync(ct);
        return reader.RowsRead;
    }
}
