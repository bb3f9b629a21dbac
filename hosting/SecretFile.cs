namespace Trial.Hosting;

/// <summary>
/// A secret kept in a file under the data folder on the embedded default, readable by its owner only: read when it exists,
/// else made once from <c>generate</c>. The randomisation secret and the audit chain's key are kept this way.
/// </summary>
public static class SecretFile
{
    /// <returns>The file's text, trimmed, and whether it was made by this call.</returns>
    public static (string Text, bool Created) ReadOrCreate(string folder, string fileName, Func<string> generate)
    {
        var path = Path.Combine(folder, fileName);
        if (File.Exists(path)) return (File.ReadAllText(path).Trim(), false);

        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var text = generate();
        // Written in full to a file of its own, then given its name only if no other process made it first (the API and the
        // worker may start together): nobody ever reads a half-written secret, and the first one made is the one kept.
        var temporary = Path.Combine(folder, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            // Created owner-only before the secret is written into it, so it is never readable by others, not even briefly.
            using (var file = OperatingSystem.IsWindows()
                       ? new FileStream(temporary, FileMode.CreateNew, FileAccess.Write)
                       : new FileStream(temporary, new FileStreamOptions
                       {
                           Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                       }))
            {
                using var writer = new StreamWriter(file);
                writer.WriteLine(text);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                return (File.ReadAllText(path).Trim(), false);
            }
            return (text, true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
