using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Tests.Api.Randomisation;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// Free text a site typed that a spreadsheet would run as a formula (an AE term =HYPERLINK(...)) reaches the admin's
/// free-text extract neutralised by a leading apostrophe, in the single file and in the bundle; numbers (which
/// keep their sign) are covered by the unit tests of SpreadsheetSafety.
/// </summary>
public class SpreadsheetSafetyTests : BlindedStudyFixture
{
    private static readonly string[] Terms =
    [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,1)",
    ];

    private readonly Dictionary<string, string> _termOf = [];

    [OneTimeSetUp]
    public async Task EnterAsync()
    {
        var code = await EnrolAsync();
        foreach (var term in Terms)
        {
            var created = await RecordAdverseEventAsync(_investigator, code, AdverseEvent(term));
            _termOf[created["id"]!.GetValue<string>()] = term;
        }
    }

    [Test]
    public async Task FormulaTerms_AreWrittenWithALeadingApostrophe_InTheFileAndTheBundle()
    {
        var csv = await CsvAsync(_host.Admin, "adverse-events", "?includeFreeText=true");
        foreach (var (id, term) in _termOf)
            Assert.That(csv.Single(("AESPID", id))["AETERM"], Is.EqualTo("'" + term), term);

        var bundle = await _host.Admin.GetAsync("/api/v1/exports/bundle.zip?includeFreeText=true");
        Assert.That(bundle.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var zip = new ZipArchive(await bundle.Content.ReadAsStreamAsync());
        using var reader = new StreamReader(zip.GetEntry("adverse-events.csv")!.Open());
        var inBundle = await reader.ReadToEndAsync();
        foreach (var term in Terms)
            Assert.That(inBundle, Does.Contain("'" + term.Split('"')[0]), term);
        Assert.That(inBundle, Does.Not.Contain(",=HYPERLINK").And.Not.Contain(",@SUM").And.Not.Contain(",\"=HYPERLINK"));

        var manifestEntry = zip.GetEntry("manifest.json")!;
        using var manifestReader = new StreamReader(manifestEntry.Open());
        var manifest = JsonNode.Parse(await manifestReader.ReadToEndAsync())!;
        Assert.That(manifest["formulaCells"]!.GetValue<string>(), Does.Contain("apostrophe"));
    }
}
