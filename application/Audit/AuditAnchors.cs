using System.Text;
using Trial.Db.Audit;

namespace Trial.Application.Audit;

/// <summary>Where the anchor job writes the end of the audit chain, outside the database.</summary>
public interface IAuditAnchorSink
{
    /// <summary>The last anchor the sink holds (a file) or this process gave it (a URL, a log); null when none.</summary>
    Task<AuditAnchor?> LastAsync(CancellationToken ct = default);

    Task WriteAsync(AuditAnchor anchor, CancellationToken ct = default);
}

/// <summary>
/// Anchors as an append-only file of JSON lines. It is only ever opened for appending (nothing this process does can
/// overwrite an earlier anchor) or for reading; verification reads it back. Keep it where the database's owner cannot
/// write (another volume, a file system with append-only attributes, or a copy shipped off the machine).
/// </summary>
public sealed class AuditAnchorFile(string path) : IAuditAnchorSink
{
    // Longer than any anchor line: the last one is always within the file's last this many bytes.
    private const int TailBytes = 4096;

    public string Path { get; } = path;

    /// <summary>Every anchor in the file, in the order written; lines that are not anchors (a line torn by a crash) are passed over.</summary>
    public IEnumerable<AuditAnchor> ReadAll()
    {
        if (!File.Exists(Path)) yield break;
        using var reader = new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        while (reader.ReadLine() is { } line)
        {
            if (AuditAnchor.Parse(line) is { } anchor) yield return anchor;
        }
    }

    public async Task<AuditAnchor?> LastAsync(CancellationToken ct = default)
    {
        if (!File.Exists(Path)) return null;
        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, file.Length - TailBytes);
        file.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[file.Length - start];
        await file.ReadExactlyAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer).Split('\n').Reverse().Select(AuditAnchor.Parse).FirstOrDefault(a => a is not null);
    }

    public async Task WriteAsync(AuditAnchor anchor, CancellationToken ct = default)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        // A line torn by a crash is ended first, so that the new anchor is a line of its own.
        var line = (EndsTorn() ? "\n" : "") + anchor.ToJson() + "\n";
        await using var file = OperatingSystem.IsWindows()
            ? new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read)
            : new FileStream(Path, new FileStreamOptions
            {
                Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        // One write of the whole line, flushed to disk: an anchor the job reported written is on disk.
        await file.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await file.FlushAsync(ct);
        file.Flush(flushToDisk: true);
    }

    private bool EndsTorn()
    {
        if (!File.Exists(Path)) return false;
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length == 0) return false;
        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte() != '\n';
    }
}
