using System.IO.Compression;
using System.Text;
using Sylvan.Data.Csv;

namespace Trial.Application.Coding;

/// <summary>A term read from a dictionary file, before it is stored with its load.</summary>
public sealed record DictionaryTerm(string TermCode, string Term, string PreferredTermCode, string PreferredTerm, string SocCode, string Soc, bool IsCurrent);

/// <summary>The terms of a dictionary file, read whole and checked; where they came from (csv or meddra).</summary>
public sealed record DictionaryContent(string Source, IReadOnlyList<DictionaryTerm> Terms);

/// <summary>
/// Reads the files a dictionary is loaded from, refusing a malformed one with the file, line and column at fault (the
/// request's <c>file</c>): a CSV of two levels (preferred term and system organ class), or a zip of the sponsor's MedDRA
/// ASCII files. Nothing is kept from a file that is refused.
/// </summary>
public static class DictionaryFiles
{
    public const string CsvSource = "csv", MeddraSource = "meddra";
    public const string Field = "file";
    public static readonly IReadOnlyList<string> CsvHeader = ["termCode", "term", "socCode", "soc"];

    /// <summary>A dictionary holds at most this many terms (MedDRA has under 100 000 lowest level terms).</summary>
    public const int MaxTerms = 250_000;

    public const int MaxCodeLength = 20, MaxTermLength = 200;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The CSV dictionary: the header <c>termCode,term,socCode,soc</c> and one row per preferred term, each code once, each
    /// system organ class code with one name. Line numbers count the header as line 1.
    /// </summary>
    public static Outcome<DictionaryContent> ReadCsv(byte[] bytes)
    {
        if (!TryDecode(bytes, out var text)) return Problem("The file is not UTF-8 text.");
        var terms = new List<DictionaryTerm>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var socs = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var reader = CsvDataReader.Create(new StringReader(text), new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
            var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            if (!header.SequenceEqual(CsvHeader, StringComparer.Ordinal))
                return Problem($"Line 1: the header must be {string.Join(",", CsvHeader)}; got {string.Join(",", header)}.");
            var line = 1;
            while (reader.Read())
            {
                line++;
                if (reader.RowFieldCount != CsvHeader.Count)
                    return Problem($"Line {line}: expected {CsvHeader.Count} columns ({string.Join(",", CsvHeader)}), got {reader.RowFieldCount}.");
                var values = new string[CsvHeader.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.GetString(i).Trim();
                    var isCode = i % 2 == 0;
                    if (CheckValue(values[i], isCode) is { } wrong) return Problem($"Line {line}, column {CsvHeader[i]}: {wrong}");
                }
                var (code, term, socCode, soc) = (values[0], values[1], values[2], values[3]);
                if (!codes.Add(code)) return Problem($"Line {line}, column termCode: the term code {code} appears more than once.");
                if (socs.TryGetValue(socCode, out var named) && named != soc)
                    return Problem($"Line {line}, column soc: the system organ class {socCode} is named '{named}' on an earlier line and '{soc}' here.");
                socs[socCode] = soc;
                terms.Add(new DictionaryTerm(code, term, code, term, socCode, soc, IsCurrent: true));
                if (terms.Count > MaxTerms) return Problem($"The dictionary has more than {MaxTerms} terms.");
            }
        }
        catch (CsvFormatException e)
        {
            return Problem($"Line {e.RowNumber}: the CSV is malformed ({e.Message}).");
        }
        if (terms.Count == 0) return Problem("The file has a header but no terms.");
        return new DictionaryContent(CsvSource, terms);
    }

    /// <summary>
    /// The MedDRA distribution's ASCII files in a zip (any folder; names as MedDRA spells them): llt.asc, pt.asc and soc.asc
    /// are read, fields separated by <c>$</c>: llt.asc <c>llt_code$llt_name$pt_code$…$llt_currency$…</c> (currency the 10th
    /// field), pt.asc <c>pt_code$pt_name$null_field$pt_soc_code$…</c>, soc.asc <c>soc_code$soc_name$soc_abbrev$…</c>. Each
    /// lowest level term becomes a term to code to, with its preferred term and that term's primary system organ class
    /// (pt_soc_code). The other files (hlt.asc, hlgt.asc, the link files, the SMQs) are not needed for that and not read.
    /// </summary>
    public static Outcome<DictionaryContent> ReadMeddraZip(byte[] bytes)
    {
        Dictionary<string, string> files;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                var name = entry.Name.ToLowerInvariant();
                if (name is not ("llt.asc" or "pt.asc" or "soc.asc")) continue;
                if (files.ContainsKey(name)) return Problem($"The zip holds {name} more than once.");
                if (entry.Length > 64L * 1024 * 1024) return Problem($"{name} is larger than 64 MB.");
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                var content = copy.ToArray();
                // The MedDRA ASCII files of older releases are Latin-1; newer ones UTF-8.
                files[name] = TryDecode(content, out var text) ? text : Encoding.Latin1.GetString(content);
            }
        }
        catch (InvalidDataException e)
        {
            return Problem($"The body is not a readable zip ({e.Message}).");
        }
        foreach (var required in new[] { "llt.asc", "pt.asc", "soc.asc" })
            if (!files.ContainsKey(required)) return Problem($"The zip has no {required} (MedDRA's ASCII files llt.asc, pt.asc and soc.asc are needed).");

        var socs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, fields) in Records(files["soc.asc"]))
        {
            if (Fields(fields, 2, "soc.asc", line, "soc_code$soc_name$soc_abbrev$…") is { } few) return few;
            if ((CheckCode("soc.asc", line, "soc_code", fields[0]) ?? CheckName("soc.asc", line, "soc_name", fields[1])) is { } wrong) return wrong;
            if (!socs.TryAdd(fields[0], fields[1].Trim())) return Problem($"soc.asc line {line}, field soc_code: {fields[0]} appears more than once.");
        }

        var pts = new Dictionary<string, (string Name, string SocCode)>(StringComparer.Ordinal);
        foreach (var (line, fields) in Records(files["pt.asc"]))
        {
            if (Fields(fields, 4, "pt.asc", line, "pt_code$pt_name$null_field$pt_soc_code$…") is { } few) return few;
            if ((CheckCode("pt.asc", line, "pt_code", fields[0]) ?? CheckName("pt.asc", line, "pt_name", fields[1]) ?? CheckCode("pt.asc", line, "pt_soc_code", fields[3])) is { } wrong)
                return wrong;
            if (!socs.ContainsKey(fields[3])) return Problem($"pt.asc line {line}, field pt_soc_code: no system organ class {fields[3]} in soc.asc.");
            if (!pts.TryAdd(fields[0], (fields[1].Trim(), fields[3]))) return Problem($"pt.asc line {line}, field pt_code: {fields[0]} appears more than once.");
        }

        var terms = new List<DictionaryTerm>();
        var llts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, fields) in Records(files["llt.asc"]))
        {
            if (Fields(fields, 10, "llt.asc", line, "llt_code$llt_name$pt_code$…$llt_currency$…") is { } few) return few;
            if ((CheckCode("llt.asc", line, "llt_code", fields[0]) ?? CheckName("llt.asc", line, "llt_name", fields[1]) ?? CheckCode("llt.asc", line, "pt_code", fields[2])) is { } wrong)
                return wrong;
            if (!pts.TryGetValue(fields[2], out var pt)) return Problem($"llt.asc line {line}, field pt_code: no preferred term {fields[2]} in pt.asc.");
            var currency = fields[9].Trim();
            if (currency is not ("Y" or "N")) return Problem($"llt.asc line {line}, field llt_currency: Y or N expected, got '{currency}'.");
            if (!llts.Add(fields[0])) return Problem($"llt.asc line {line}, field llt_code: {fields[0]} appears more than once.");
            terms.Add(new DictionaryTerm(fields[0], fields[1].Trim(), fields[2], pt.Name, pt.SocCode, socs[pt.SocCode], currency == "Y"));
            if (terms.Count > MaxTerms) return Problem($"llt.asc has more than {MaxTerms} terms.");
        }
        if (terms.Count == 0) return Problem("llt.asc holds no terms.");
        return new DictionaryContent(MeddraSource, terms);
    }

    /// <summary>The non-empty lines of an ASCII file, numbered from 1, split at each $ (the $ ending a line ends its last field).</summary>
    private static IEnumerable<(int Line, string[] Fields)> Records(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            yield return (i + 1, line.Split('$'));
        }
    }

    private static Refusal? Fields(string[] fields, int needed, string file, int line, string layout) =>
        fields.Length < needed ? Problem($"{file} line {line}: expected at least {needed} $-separated fields ({layout}), got {fields.Length}.") : null;

    private static Refusal? CheckCode(string file, int line, string field, string value) =>
        CheckValue(value, isCode: true) is { } wrong ? Problem($"{file} line {line}, field {field}: {wrong}") : null;

    private static Refusal? CheckName(string file, int line, string field, string value) =>
        CheckValue(value.Trim(), isCode: false) is { } wrong ? Problem($"{file} line {line}, field {field}: {wrong}") : null;

    private static string? CheckValue(string value, bool isCode)
    {
        if (value.Length == 0) return "empty.";
        if (isCode)
        {
            if (value.Length > MaxCodeLength) return $"a code is at most {MaxCodeLength} characters.";
            if (!value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')) return $"'{value}' is not a code (letters, digits, '-', '.', '_').";
        }
        else
        {
            if (value.Length > MaxTermLength) return $"a term is at most {MaxTermLength} characters.";
            if (value.Any(char.IsControl)) return "a term must not hold control characters.";
            // A cell starting so is a formula in a spreadsheet (OWASP CSV injection); no dictionary term does.
            if (value[0] is '=' or '+' or '@') return $"a term must not start with '{value[0]}'.";
        }
        return null;
    }

    private static bool TryDecode(byte[] bytes, out string text)
    {
        try
        {
            var span = bytes.AsSpan();
            if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[Encoding.UTF8.Preamble.Length..];
            text = StrictUtf8.GetString(span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    private static Invalid Problem(string message) => Invalid.Field(Field, message);
}
