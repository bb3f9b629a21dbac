namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// A string the system accepts or composes, the most characters it can have, and every column it is written to,
/// copies included (an alert's message, its history's comment, the audit row's reason), as Table.Column.
/// </summary>
public sealed record StringFlow(string What, int MaxLength, params string[] Columns);

/// <summary>
/// Check (b): every string fits every column it is written to. SQLite does not enforce a declared length; SQL Server
/// refuses the whole statement ("String or binary data would be truncated"), so a string longer than its column is a
/// 500 on the first day in production and nowhere else. JSON columns, whose size depends on what the JSON holds and how
/// it is escaped, must be unbounded unless a bound is shown.
/// </summary>
public static class LengthCheck
{
    public static IReadOnlyList<string> Check(SchemaModel schema, IEnumerable<StringFlow> flows)
    {
        var findings = new List<string>();
        foreach (var flow in flows)
        {
            foreach (var name in flow.Columns)
            {
                var parts = name.Split('.');
                var column = schema.Find(parts[0], parts[1]);
                if (column is null) findings.Add($"{flow.What}: {name} is not a column of the SQL Server schema");
                else if (!column.IsString) findings.Add($"{flow.What}: {column} is not a string column");
                else if (flow.MaxLength > column.Length)
                    findings.Add($"{flow.What} ({flow.MaxLength} characters) does not fit {column.Table}.{column.Name} {column.Declared}");
            }
        }
        return findings;
    }

    /// <summary>
    /// Every JSON column (named …Json, or listed in <paramref name="alsoJson"/>) is NVARCHAR(MAX), or holds the bound shown
    /// for it in <paramref name="shownBounds"/> (Table.Column → the longest JSON it can be given).
    /// </summary>
    public static IReadOnlyList<string> CheckJson(SchemaModel schema, IEnumerable<string> alsoJson, IReadOnlyDictionary<string, int> shownBounds)
    {
        var listed = alsoJson.Select(n => n.Split('.')).Select(p => schema.Column(p[0], p[1]));
        var named = schema.Columns.Where(c => c.Name.EndsWith("Json", StringComparison.Ordinal));
        var findings = new List<string>();
        foreach (var column in named.Concat(listed).Distinct())
        {
            if (column.IsUnbounded) continue;
            if (shownBounds.TryGetValue($"{column.Table}.{column.Name}", out var bound) && bound <= column.Length) continue;
            findings.Add($"{column.Table}.{column.Name} {column.Declared} holds JSON: make it NVARCHAR(MAX) or show the longest JSON it is given fits");
        }
        return findings;
    }
}
