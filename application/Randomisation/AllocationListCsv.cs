using System.Globalization;

namespace Trial.Application.Randomisation;

/// <summary>
/// The allocation list as text/csv: the header <c>stratum,sequenceNumber,arm</c>, then one place a line. Only the shape
/// is read here; what the entries hold is <see cref="ImportAllocationList"/>'s to check.
/// </summary>
public static class AllocationListCsv
{
    public const string Header = "stratum,sequenceNumber,arm";

    public static Outcome<AllocationListEntry?[]> Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0 || lines[0].Replace(" ", "", StringComparison.Ordinal) != Header)
            return Invalid.Field("entries", $"The CSV must start with the header {Header}.");
        var entries = new List<AllocationListEntry?>();
        foreach (var (line, i) in lines.Skip(1).Select((l, i) => (l, i)))
        {
            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length != 3 || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return Invalid.Field($"entries[{i}]", $"CSV line {i + 2} must be stratum,sequenceNumber,arm with a whole sequence number; got '{line}'.");
            entries.Add(new AllocationListEntry(cells[0], n, cells[2]));
        }
        return entries.ToArray();
    }
}
