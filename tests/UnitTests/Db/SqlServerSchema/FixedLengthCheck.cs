namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// Check (c): no fixed-length column holds a value that can be shorter than its length. SQL Server pads a shorter value
/// with spaces (an empty CHAR(64) reads back as 64 spaces), so what is read differs from what was written, on SQL Server
/// only; SQLite keeps the text as given. Every CHAR and NCHAR column is a finding unless it is allowed with the reason its
/// values always have its full length (and a test shows it).
/// </summary>
public static class FixedLengthCheck
{
    public static IReadOnlyList<string> Check(SchemaModel schema, IReadOnlyDictionary<string, string> allowed)
    {
        var findings = new List<string>();
        foreach (var column in schema.Columns.Where(c => c.IsFixedLength).OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            if (allowed.ContainsKey($"{column.Table}.{column.Name}")) continue;
            findings.Add($"{column.Table}.{column.Name} {column.Declared} is fixed-length: a shorter value is padded with spaces (an empty one reads back as {column.Length} spaces)");
        }
        foreach (var name in allowed.Keys)
        {
            var parts = name.Split('.');
            if (schema.Find(parts[0], parts[1]) is not { IsFixedLength: true })
                findings.Add($"{name} is allowed as fixed-length but is no longer a fixed-length column: take it off the list");
        }
        return findings;
    }
}
