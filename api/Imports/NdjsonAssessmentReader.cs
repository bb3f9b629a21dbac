using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Trial.Api.Infrastructure;

namespace Trial.Api.Imports;

/// <summary>Reads an application/x-ndjson import: one assessment per line, the single POST's body plus where it goes.</summary>
internal static class NdjsonAssessmentReader
{
    /// <summary>
    /// The body's lines, read as they arrive and never the whole body at once; blank lines are skipped but counted, so a
    /// row's number is its line number in the file.
    /// </summary>
    public static async IAsyncEnumerable<ImportLine> ReadAsync(HttpContext http, ImportOptions options, JsonSerializerOptions json)
    {
        var reader = http.Request.BodyReader;
        var number = 0;
        while (true)
        {
            var read = await reader.ReadAsync(http.RequestAborted);
            var buffer = read.Buffer;
            while (TryTakeLine(ref buffer, out var text))
            {
                number++;
                if (Parse(number, text, json) is { } line) yield return line;
            }
            if (read.IsCompleted)
            {
                if (buffer.Length > 0 && Parse(++number, buffer, json) is { } last) yield return last;
                reader.AdvanceTo(buffer.End);
                yield break;
            }
            if (buffer.Length > options.MaxLineBytes)
            {
                throw new BadHttpRequestException(
                    $"line {number + 1} is longer than {options.MaxLineBytes} bytes (Imports__MaxLineBytes)", StatusCodes.Status400BadRequest);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, end.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
    }

    private static ImportLine? Parse(int number, ReadOnlySequence<byte> text, JsonSerializerOptions json)
    {
        var bytes = text.IsSingleSegment ? text.First.Span : (ReadOnlySpan<byte>)text.ToArray();
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        if (bytes.Trim(" \t"u8).IsEmpty) return null;
        try
        {
            var values = JsonSerializer.Deserialize<ImportAssessmentLine>(bytes, json);
            if (values is null) return new ImportLine(number, null, ErrorHandling.MalformedJson(new JsonException("A line must be a JSON object, not null.")), null);
            return new ImportLine(number, values, null, values.RowKey is null ? null : Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
        catch (JsonException malformed)
        {
            return new ImportLine(number, null, ErrorHandling.MalformedJson(malformed), null);
        }
    }
}
