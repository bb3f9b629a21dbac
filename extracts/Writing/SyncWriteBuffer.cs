namespace Trial.Extracts.Writing;

/// <summary>
/// Lets ZipArchive write to the response body, which allows only asynchronous writes: closing a zip
/// entry flushes its compressor and writes the entry's sizes synchronously even through the async
/// API. Such writes are held here (a few kilobytes per entry) and sent by <see cref="DrainAsync"/>;
/// asynchronous writes, which carry the bulk of the data, pass straight through after them.
/// </summary>
internal sealed class SyncWriteBuffer(Stream inner) : WriteOnlyStream
{
    private readonly MemoryStream _pending = new();

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>Sends what was written synchronously, in order.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        if (_pending.Length == 0) return;
        await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), ct);
        _pending.SetLength(0);
    }

    public override void Flush() { } // DrainAsync sends the held bytes; the response flushes as it goes.
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }
}
