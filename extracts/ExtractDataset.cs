using System.Text;
using Sylvan.Data.Csv;
using Trial.Extracts.Writing;

namespace Trial.Extracts;

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
