using System.Text;

namespace Trial.Extracts.Writing;

/// <summary>
/// RFC 4180 fields as UTF-8 bytes, for a dataset that writes its rows from pieces encoded once (see
/// ItemsDataset): a field holding a comma, a quote or a line break is quoted, quotes doubled; null is empty. A cell
/// a spreadsheet would run as a formula is neutralised first (<see cref="SpreadsheetSafety"/>), as in every other file.
/// </summary>
public static class Utf8Csv
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Field(string? value) => Quoted(SpreadsheetSafety.Neutralise(value));

    private static string Quoted(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static byte[] Encode(string text) => Utf8.GetBytes(text);
}
