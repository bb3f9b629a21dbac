using System.IO.Compression;
using System.Text;

namespace Trial.Tests.Application.Coding;

/// <summary>
/// Small made-up dictionaries for the coding tests. Their codes (9000xxxx) and terms ("Test term A") are invented and are
/// not MedDRA content; only the layout of MedDRA's ASCII files is followed.
/// </summary>
public static class CodingFiles
{
    public static byte[] Csv(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Three preferred terms in two system organ classes.</summary>
    public static byte[] TwoLevels() => Csv(
        "termCode,term,socCode,soc\n" +
        "T001,Test term A,S01,Test class one\n" +
        "T002,Test term B,S01,Test class one\n" +
        "T003,\"Test term C, with a comma\",S02,Test class two\n");

    /// <summary>
    /// soc.asc: two classes; pt.asc: two preferred terms, the second with its primary class 90000902; llt.asc: three lowest
    /// level terms, 90000003 not current.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> MeddraFiles = new Dictionary<string, string>
    {
        ["soc.asc"] = "90000901$Test class one$TCO$$$$$$$$\n90000902$Test class two$TCT$$$$$$$$\n",
        ["pt.asc"] = "90000101$Test preferred A$$90000901$$$$$$$$\n90000102$Test preferred B$$90000902$$$$$$$$\n",
        ["llt.asc"] =
            "90000001$Test term A$90000101$$$$$$$Y$$\n" +
            "90000002$Test term B$90000102$$$$$$$Y$$\n" +
            "90000003$Test term old$90000102$$$$$$$N$$\n",
        ["hlt.asc"] = "90000501$Test group$$$$$$$$\n",
    };

    public static byte[] Zip(IReadOnlyDictionary<string, string> files, string folder = "ascii/")
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var entry = zip.CreateEntry(folder + name).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Meddra() => Zip(MeddraFiles);

    public static byte[] MeddraWith(string name, string? text)
    {
        var files = MeddraFiles.ToDictionary();
        if (text is null) files.Remove(name);
        else files[name] = text;
        return Zip(files);
    }
}
