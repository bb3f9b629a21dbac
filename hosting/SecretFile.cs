namespace Trial.Hosting;

/// <summary>
/// A secret kept in a file under the data folder on the embedded default, readable by its owner only: read when it exists,
/// else made once from <c>generate</c>. The randomisation secret and the audit chain's key are kept this way.
/// </summary>
public static class SecretFile
{
    /// <summary>How long a reader waits for a secret another process is writing at that moment.</summary>
    private static readonly TimeSpan WriterGrace = TimeSpan.FromSeconds(5);

    /// <returns>The file's text, trimmed, and whether it was made by this call.</returns>
    public static (string Text, bool Created) ReadOrCreate(string folder, string fileName, Func<string> generate)
    {
        var path = Path.Combine(folder, fileName);
        if (File.Exists(path)) return (ReadWritten(path), false);

        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var text = generate();
        try
        {
            // CreateNew is one atomic step of the file system: when the API and the worker start together exactly one of them
            // makes the file, and the other reads that one (a rename would let the second replace the first's secret). The
            // file is created owner-only before the secret is written into it, in one write; a reader that opens it in between
            // finds it empty and waits (ReadWritten). No exclusive lock: a reader holding the file at the instant it is created
            // would make taking one fail, and leave the file empty.
            using var file = OperatingSystem.IsWindows()
                ? new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read)
                : new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            using var writer = new StreamWriter(file);
            writer.WriteLine(text);
            writer.Flush();
            file.Flush(flushToDisk: true);
            return (text, true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return (ReadWritten(path), false);
        }
    }

    /// <summary>The secret in the file, once its writer has finished: an empty file is read again for a moment.</summary>
    private static string ReadWritten(string path)
    {
        var deadline = DateTime.UtcNow + WriterGrace;
        while (true)
        {
            try
            {
                var text = File.ReadAllText(path).Trim();
                if (text.Length > 0) return text;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // On Windows the file cannot be opened to read while its writer holds it.
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The secret file {Path.GetFullPath(path)} is empty. It was left by a start that stopped while writing it; " +
                                                    "if nothing has been stored with it yet, delete it and start again.");
            }

            Thread.Sleep(20);
        }
    }
}
