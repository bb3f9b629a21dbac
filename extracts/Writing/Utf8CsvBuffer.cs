using System.Buffers.Text;

namespace Trial.Extracts.Writing;

/// <summary>
/// Collects a CSV file's bytes in a fixed buffer and sends each full buffer on while the next one fills:
/// reading rows from the database and sending (or compressing) bytes overlap. Two buffers are all the
/// memory it holds.
/// </summary>
internal sealed class Utf8CsvBuffer(Stream output, int size = 1024 * 1024)
{
    private byte[] _buffer = new byte[size];
    private byte[] _spare = new byte[size];
    private int _used;
    private Task _sending = Task.CompletedTask;

    /// <summary>Room for one row of the largest kind; a caller asks before writing a row.</summary>
    public async ValueTask EnsureAsync(int bytes, CancellationToken ct)
    {
        if (_used + bytes > _buffer.Length) await SendAsync(ct);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void Write(int value)
    {
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out var written);
        _used += written;
    }

    /// <summary>Sends what is left and waits until everything has gone.</summary>
    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        await SendAsync(ct);
        await _sending;
    }

    private async ValueTask SendAsync(CancellationToken ct)
    {
        if (_used == 0) return;
        await _sending; // the spare buffer is free once its bytes have gone
        var full = _buffer;
        var length = _used;
        (_buffer, _spare) = (_spare, full);
        _used = 0;
        _sending = output.WriteAsync(full.AsMemory(0, length), ct).AsTask();
    }
}
