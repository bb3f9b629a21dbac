using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sylvan.Data.Csv;
using Trial.Api.Infrastructure;
using Trial.Application;
using Trial.Core.Instruments;

namespace Trial.Api.Imports;

/// <summary>
/// Reads a text/csv import in the layout of the items extract (items.csv, SDTM QS shape: one row per item response), so a
/// study's items.csv imports into another study as it is. Consecutive rows of one assessment (the same USUBJID, VISIT, QSCAT,
/// QSTPT and QSDTC) are assembled into one <see cref="ImportAssessmentLine"/>, the record a JSON line gives, and go through the
/// same pipeline. Only <see cref="Required"/> and the optional rowKey, unscheduled and reason are read; every other column
/// (ids, sequence numbers, derived flags, epochs, study days, the arm columns) is ignored, since the receiving study derives its own.
/// A refusal's fields are named as the file wrote them: the column, and the line (the header is line 1).
/// </summary>
internal sealed class CsvAssessmentReader
{
    public const string CsvType = "text/csv";

    // The columns read, by their names in items.csv (ItemsDataset), then the optional ones, named as the JSON line's fields.
    private const string Participant = "USUBJID", Visit = "VISIT", Instrument = "QSCAT", Timepoint = "QSTPT", Administered = "QSDTC", TestCode = "QSTESTCD",
        Result = "QSORRES", RowKey = "rowKey", Unscheduled = "unscheduled", Reason = "reason";

    public static readonly string[] Required = [Participant, Visit, Instrument, Timepoint, Administered, TestCode, Result];
    private static readonly string[] Columns = [.. Required, RowKey, Unscheduled, Reason];

    /// <summary>The column that gives each field of a line, so a refusal naming the field names the column.</summary>
    private static readonly Dictionary<string, string> ColumnOfField = new(StringComparer.Ordinal)
    {
        ["participantCode"] = Participant, ["visitCode"] = Visit, ["instrument"] = Instrument, ["timepoint"] = Timepoint, ["administeredUtc"] = Administered,
        ["rowKey"] = RowKey, ["unscheduled"] = Unscheduled, ["reason"] = Reason,
    };

    private readonly CsvDataReader _csv;

    /// <summary>Each of <see cref="Columns"/>' place in the header; -1 for an optional column the file does not have.</summary>
    private readonly int[] _ordinals;

    private readonly int _maxLineBytes;

    private CsvAssessmentReader(CsvDataReader csv, int[] ordinals, int maxLineBytes) => (_csv, _ordinals, _maxLineBytes) = (csv, ordinals, maxLineBytes);

    /// <summary>Reads the header; a header without a column the import needs is one 422 naming it, before any row is read.</summary>
    public static async Task<(CsvAssessmentReader? Reader, IResult? Refused)> OpenAsync(HttpContext http, ImportOptions options)
    {
        var text = new StreamReader(http.Request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var settings = new CsvDataReaderOptions
        {
            HasHeaders = true,
            Delimiter = ',',
            // Sylvan skips lines starting with '#' by default: here such a line is a row like any other, never silently dropped.
            Comment = '\0',
            BufferSize = Math.Min(0x10000, options.MaxLineBytes),
            MaxBufferSize = options.MaxLineBytes,
            OwnsReader = false,
        };
        var ordinals = Enumerable.Repeat(-1, Columns.Length).ToArray();
        var errors = new FieldErrors();
        CsvDataReader? csv = null;
        try
        {
            csv = await CsvDataReader.CreateAsync(text, settings, http.RequestAborted);
            http.Response.RegisterForDisposeAsync(csv);
            for (var i = 0; i < csv.FieldCount; i++)
            {
                var index = Array.FindIndex(Columns, c => string.Equals(c, csv.GetName(i).Trim(), StringComparison.OrdinalIgnoreCase));
                if (index < 0) continue;
                if (ordinals[index] >= 0)
                    errors.Add(Columns[index], $"The header (line 1) names {Columns[index]} twice (columns {ordinals[index] + 1} and {i + 1}); name it once.");
                else ordinals[index] = i;
            }
        }
        catch (CsvMissingHeadersException)
        {
            // An empty body: every column is missing.
        }
        foreach (var column in Required.Where((_, i) => ordinals[i] < 0))
        {
            errors.Add(column, $"The header (line 1) has no {column} column. A CSV import needs the columns {string.Join(", ", Required)} " +
                               "(those of items.csv); rowKey, unscheduled and reason may be added, and any other column is ignored.");
        }
        return errors.Any ? (null, errors.ToResult()) : (new CsvAssessmentReader(csv!, ordinals, options.MaxLineBytes), null);
    }

    /// <summary>
    /// The file's assessments, each given once its rows end (when a row of another assessment, or the end of the body, comes), so
    /// only one assessment's rows are held at a time. A row whose cells read are all empty is skipped but counted.
    /// </summary>
    public async IAsyncEnumerable<ImportLine> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        // The assessments already given, by a hash of their key and with their first line: an assessment's rows that come back
        // after another's are refused rather than imported as a second assessment. A 16-byte hash keeps this small for a large file.
        var given = new Dictionary<UInt128, int>();
        var cells = new string[Columns.Length];
        Assessment? current = null;
        var line = 1;
        while (await NextAsync(line + 1, ct))
        {
            line++;
            for (var i = 0; i < cells.Length; i++)
                cells[i] = _ordinals[i] is var ordinal and >= 0 && ordinal < _csv.RowFieldCount ? _csv.GetString(ordinal) : "";
            if (cells.All(c => c.Length == 0)) continue;
            if (current is not null && current.IsSameAs(cells))
            {
                current.Add(line, cells);
                continue;
            }
            if (current is not null)
            {
                given.TryAdd(current.Hash, current.FirstLine);
                yield return current.ToLine();
            }
            current = new Assessment(line, cells);
            current.Add(line, cells);
            if (given.TryGetValue(current.Hash, out var first)) current.Resumes(first);
        }
        if (current is not null) yield return current.ToLine();
    }

    /// <summary>The next record; a malformed or overlong one stops the import there, as an unreadable JSON line body does.</summary>
    private async Task<bool> NextAsync(int line, CancellationToken ct)
    {
        try
        {
            return await _csv.ReadAsync(ct);
        }
        catch (CsvRecordTooLargeException)
        {
            throw new BadHttpRequestException($"line {line} is longer than {_maxLineBytes} characters (Imports__MaxLineBytes)", StatusCodes.Status400BadRequest);
        }
        catch (CsvFormatException malformed)
        {
            throw new BadHttpRequestException($"line {line} is not valid CSV: {malformed.Message}", StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>One assessment's rows as they are read, and the refusals found in them before the use case sees them.</summary>
    private sealed class Assessment
    {
        private readonly string[] _key;
        private readonly DateTime? _administered;
        private readonly InstrumentDefinition? _definition;
        private readonly FieldErrors _errors = new();
        private readonly Dictionary<int, (int Line, string Value)> _items = [];
        private readonly Dictionary<string, (int Line, string Value)> _optional = new(StringComparer.Ordinal);
        private int _lastLine;

        public Assessment(int line, string[] cells)
        {
            FirstLine = _lastLine = line;
            _key = cells[..5];
            Hash = HashOf(_key);
            _definition = InstrumentCatalog.TryGet(cells[2].Trim(), out var definition) ? definition : null;
            _administered = ParseInstant(cells[4], line, _errors);
        }

        public int FirstLine { get; }

        public UInt128 Hash { get; }

        /// <summary>Whether the row belongs to this assessment: the same participant, visit, instrument, timepoint and time.</summary>
        public bool IsSameAs(string[] cells) => cells.AsSpan(0, 5).SequenceEqual(_key);

        public void Add(int line, string[] cells)
        {
            _lastLine = line;
            // Without an instrument the item codes cannot be read: the use case refuses the assessment for its missing instrument (QSCAT).
            if (_key[2].Trim() is { Length: > 0 } instrument) AddItem(line, cells[5].Trim(), instrument, cells[6].Trim());

            // rowKey, unscheduled and reason belong to the assessment: on its first row, or the same on each.
            for (var i = 7; i < Columns.Length; i++)
            {
                if (cells[i].Length == 0) continue;
                if (!_optional.TryGetValue(Columns[i], out var given))
                {
                    _optional[Columns[i]] = (line, cells[i]);
                }
                else if (given.Value != cells[i])
                {
                    _errors.Add(Columns[i], $"Line {line}: {Columns[i]} '{cells[i]}' differs from '{given.Value}' on line {given.Line} of the same assessment; " +
                                            $"an assessment has one {Columns[i]}: give it on its first row, or the same on each.");
                }
            }
        }

        private void AddItem(int line, string code, string instrument, string value)
        {
            if (!code.StartsWith(instrument, StringComparison.OrdinalIgnoreCase)
                || !int.TryParse(code.AsSpan(instrument.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                _errors.Add(TestCode, $"Line {line}: {TestCode} must be the instrument's code ({Instrument}) and the item's number, such as {instrument}01; got '{code}'.");
            }
            else if (_definition is not null && number > _definition.ItemCount)
            {
                _errors.Add(TestCode, $"Line {line}: {_definition.Abbreviation} has {_definition.ItemCount} items; {code} is not one of them.");
            }
            else if (_items.TryGetValue(number, out var earlier))
            {
                _errors.Add(TestCode, $"Line {line}: {code} is given twice in this assessment (lines {earlier.Line} and {line}).");
            }
            else
            {
                _items[number] = (line, value);
            }
        }

        /// <summary>These rows continue an assessment given before, after rows of others: they are refused, not imported again.</summary>
        public void Resumes(int firstLine) =>
            _errors.Add(TestCode, $"Line {FirstLine}: this row belongs to the assessment that starts on line {firstLine} ({string.Join(", ", _key.Where(k => k.Length > 0))}), " +
                                  "but rows of other assessments come between; an assessment's rows must be consecutive. These rows were not imported.");

        public ImportLine ToLine()
        {
            if (_definition is not null)
            {
                var missing = Enumerable.Range(1, _definition.ItemCount).Where(n => !_items.ContainsKey(n)).ToList();
                if (missing.Count > 0 && _items.Count > 0)
                {
                    _errors.Add(TestCode, $"{Lines(FirstLine, _lastLine)}: {string.Join(", ", missing.Select(ItemCode))} missing; the assessment needs a row for each " +
                                          $"of {_definition.Abbreviation}'s {_definition.ItemCount} items ({Result} empty for an unanswered one).");
                }
            }
            var rowKey = _optional.TryGetValue(RowKey, out var key) ? key.Value : null;
            bool? unscheduled = null;
            if (_optional.TryGetValue(Unscheduled, out var flag))
            {
                if (bool.TryParse(flag.Value.Trim(), out var value)) unscheduled = value;
                else _errors.Add(Unscheduled, $"Line {flag.Line}: {Unscheduled} must be TRUE or FALSE (or empty, FALSE); got '{flag.Value}'.");
            }
            var values = new ImportAssessmentLine(_key[0], _key[1], rowKey, _key[2], _key[3], _administered, Items(),
                unscheduled, _optional.TryGetValue(Reason, out var reason) ? reason.Value : null);
            if (_errors.Any) return new ImportLine(FirstLine, values, _errors.ToResult(), null, Name);
            // The hash a row key is held to: the assessment as assembled, so the same rows give the same hash whatever else the file holds.
            var hash = rowKey is null ? null : Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(values)));
            return new ImportLine(FirstLine, values, null, hash, Name);
        }

        private string ItemCode(int number) => $"{_definition?.Code ?? _key[2]}{number:00}";

        /// <summary>
        /// The items in item order as the JSON line's array: a number, null for an empty result (as items.csv writes an unanswered
        /// item), or the text as it is, which the use case refuses as not a number, naming the item.
        /// </summary>
        private JsonElement[] Items()
        {
            var count = _items.Count == 0 ? 0 : _items.Keys.Max();
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                for (var n = 1; n <= count; n++)
                {
                    if (!_items.TryGetValue(n, out var item) || item.Value.Length == 0)
                    {
                        json.WriteNullValue();
                    }
                    else if (decimal.TryParse(item.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                                 CultureInfo.InvariantCulture, out var number))
                    {
                        json.WriteNumberValue(number);
                    }
                    else
                    {
                        json.WriteStringValue(item.Value);
                    }
                }
                json.WriteEndArray();
            }
            return JsonSerializer.Deserialize<JsonElement[]>(buffer.ToArray())!;
        }

        /// <summary>A refusal of the use case with each field named as the column that gave it, and the line(s).</summary>
        private Invalid Name(Invalid refusal)
        {
            var named = new FieldErrors();
            foreach (var (field, messages) in refusal.Errors)
            {
                var (column, where) = field switch
                {
                    "items" => (TestCode, Lines(FirstLine, _lastLine)),
                    _ when field.StartsWith("items[", StringComparison.Ordinal)
                           && int.TryParse(field.AsSpan(6, field.Length - 7), CultureInfo.InvariantCulture, out var n) && _items.TryGetValue(n, out var item)
                        => (Result, $"Line {item.Line} ({ItemCode(n)})"),
                    _ when ColumnOfField.TryGetValue(field, out var c) => (c, $"Line {(_optional.TryGetValue(c, out var o) ? o.Line : FirstLine)}"),
                    _ => (field, Lines(FirstLine, _lastLine)),
                };
                foreach (var message in messages) named.Add(column, $"{where}: {message}");
            }
            return named.ToRefusal();
        }

        private static string Lines(int first, int last) => first == last ? $"Line {first}" : $"Lines {first}-{last}";

        /// <summary>
        /// QSDTC as items.csv writes it (the site's local time with its offset), or in UTC with Z. A time without a zone is passed on as
        /// such, for the use case to refuse as it refuses one in JSON; only ISO 8601 is read, so 03/02 is never taken for a day or a month.
        /// </summary>
        private static DateTime? ParseInstant(string text, int line, FieldErrors errors)
        {
            if (text.Length == 0) return null;
            if (DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"],
                    CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var at))
            {
                return at;
            }

            errors.Add(Administered, $"Line {line}: {Administered} must be an ISO 8601 date and time with its offset from UTC, such as " +
                                     $"2026-03-02T09:30:00+01:00 (as items.csv writes it) or 2026-03-02T08:30:00Z; got '{text}'.");
            return null;
        }

        private static UInt128 HashOf(string[] key) =>
            BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', key))));
    }
}
