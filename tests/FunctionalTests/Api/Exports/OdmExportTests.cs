using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using NUnit.Framework;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Exports;

/// <summary>The ODM 1.3.2 document of the study the scenario entered, as the statisticians pull it.</summary>
public class OdmExportTests : ExportScenario
{
    private static readonly XNamespace Odm = OdmStructure.Odm;

    /// <summary>GETs the document, checks it is UTF-8 XML without a byte-order mark, and parses it.</summary>
    internal static async Task<XDocument> OdmAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/exports/odm.xml{query}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
        Assert.That(bytes.Take(3), Is.Not.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "no byte-order mark");
        return XDocument.Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
    }

    private static IEnumerable<XElement> ItemData(XDocument document, string subject, string visit, string form, string? repeatKey) =>
        document.Descendants(Odm + "SubjectData").Single(s => (string?)s.Attribute("SubjectKey") == subject)
            .Elements(Odm + "StudyEventData").Single(e => (string?)e.Attribute("StudyEventOID") == "SE." + visit)
            .Elements(Odm + "FormData").Single(f => (string?)f.Attribute("FormOID") == "F." + form && (string?)f.Attribute("FormRepeatKey") == repeatKey)
            .Descendants(Odm + "ItemData");

    private static string? Text(decimal? value) => value?.ToString("0.#", CultureInfo.InvariantCulture);

    [Test]
    public async Task Document_IsSoundOdm132()
    {
        var document = await OdmAsync(Statistician);

        Assert.That(OdmStructure.Problems(document), Is.Empty);
        Assert.That(document.Descendants(Odm + "SubjectData").Select(s => (string?)s.Attribute("SubjectKey")),
            Is.EquivalentTo(new[] { "WAW-0001", "WAW-0002", "KRK-0001" }));
        Assert.That(document.Descendants(Odm + "Location").Select(l => (string?)l.Attribute("OID")), Is.EquivalentTo(new[] { "LOC.WAW", "LOC.KRK" }));
    }

    [Test]
    public async Task EveryValue_IsTheItemOfItsAssessment_AsTheItemsExtractHasIt()
    {
        var document = await OdmAsync(Statistician);
        var items = await CsvAsync(Statistician, "items");

        // Each item response of the items extract, keyed as the document places it: subject, visit, form, timepoint, item.
        var expected = items.Rows.Select(r => (r["USUBJID"], "SE." + r["VISIT"], "F." + r["QSCAT"], r["QSTPT"],
            $"I.{r["QSCAT"]}.{r["QSTESTCD"][^2..]}", r["QSORRES"])).ToList();
        var actual = document.Descendants(Odm + "ItemData").Select(d =>
        {
            var form = d.Parent!.Parent!;
            var visit = form.Parent!;
            return ((string)visit.Parent!.Attribute("SubjectKey")!, (string)visit.Attribute("StudyEventOID")!, (string)form.Attribute("FormOID")!,
                (string?)form.Attribute("FormRepeatKey") ?? "", (string)d.Attribute("ItemOID")!, (string?)d.Attribute("Value") ?? "");
        }).ToList();
        Assert.That(actual, Is.EquivalentTo(expected));
        Assert.That(actual, Has.Count.GreaterThan(200), "the scenario's items, all of them");
    }

    [Test]
    public async Task Values_AreTheOnesEntered_AnUnansweredItemIsNull()
    {
        var document = await OdmAsync(Statistician);

        Assert.That(ItemData(document, "WAW-0001", "BL", "MADRS", null).Select(d => (string?)d.Attribute("Value")), Is.EqualTo(Madrs(30, 1).Select(Text)));
        var asc = ItemData(document, "WAW-0001", "INF1", "ASC5D", "t240").ToList();
        Assert.That((string?)asc[0].Attribute("Value"), Is.EqualTo("33.3"));
        var bsl = ItemData(document, "WAW-0001", "BL", "BSL23", null).ToList();
        Assert.That((bsl[2].Attribute("Value"), (string?)bsl[2].Attribute("IsNull")), Is.EqualTo(((XAttribute?)null, "Yes")));
        Assert.That(ItemData(document, "WAW-0002", "FU-D7", "MADRS", null).Select(d => (string?)d.Attribute("Value")), Is.EqualTo(Madrs(10, 1).Select(Text)),
            "an assessment at a visit not recorded");
    }

    [Test]
    public async Task ACorrection_ShowsItsAuditRecordWithTheReason_OnTheItemsItChanged()
    {
        var document = await OdmAsync(Host.Admin, "?includeFreeText=true");

        var cadss = ItemData(document, "WAW-0001", "INF1", "CADSS", "t40").ToList();
        var (before, after) = (Cadss(10), Cadss(12));
        Assert.That(cadss.Select(d => (string?)d.Attribute("Value")), Is.EqualTo(after.Select(Text)));
        var changed = Enumerable.Range(0, after.Length).Where(i => before[i] != after[i]).ToList();
        Assert.That(changed, Is.Not.Empty);
        Assert.That(changed.Select(i => cadss[i].Element(Odm + "AuditRecord")!.Element(Odm + "ReasonForChange")?.Value), Is.All.EqualTo(CorrectionReason));
        Assert.That(Enumerable.Range(0, after.Length).Except(changed).Select(i => cadss[i].Element(Odm + "AuditRecord")!.Element(Odm + "ReasonForChange")),
            Is.All.Null, "an item the correction left as it was keeps the record of its entry");

        var record = cadss[changed[0]].Element(Odm + "AuditRecord")!;
        var user = document.Descendants(Odm + "User").Single(u => u.Attribute("OID")!.Value == record.Element(Odm + "UserRef")!.Attribute("UserOID")!.Value);
        Assert.That(user.Element(Odm + "DisplayName")!.Value, Is.EqualTo("investigator"));
        Assert.That(record.Element(Odm + "LocationRef")!.Attribute("LocationOID")!.Value, Is.EqualTo("LOC.WAW"));
        var stamp = DateTime.Parse(record.Element(Odm + "DateTimeStamp")!.Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var entered = DateTime.Parse(cadss.First(d => d.Element(Odm + "AuditRecord")!.Element(Odm + "ReasonForChange") is null)
            .Element(Odm + "AuditRecord")!.Element(Odm + "DateTimeStamp")!.Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.That(stamp, Is.GreaterThanOrEqualTo(entered), "the correction came after the entry");
    }

    [Test]
    public async Task WithoutFreeText_ACorrectionIsMarked_ButItsReasonIsNotGiven()
    {
        foreach (var (client, query) in new[] { (Statistician, ""), (Host.Admin, "") })
        {
            var document = await OdmAsync(client, query);

            Assert.That(document.ToString(), Does.Not.Contain("Typo"));
            var reasons = ItemData(document, "WAW-0001", "INF1", "CADSS", "t40")
                .Select(d => d.Element(Odm + "AuditRecord")!.Element(Odm + "ReasonForChange")?.Value).OfType<string>().ToList();
            Assert.That(reasons, Is.Not.Empty.And.All.EqualTo(Trial.Extracts.Odm.OdmData.WithheldReason));
        }
        await (await Statistician.GetAsync("/api/v1/exports/odm.xml?includeFreeText=true")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task ASiteStatistician_GetsTheirSiteOnly_AndNoOther()
    {
        var waw = await Host.UserAsync("statistician", "WAW");

        var document = await OdmAsync(waw);
        Assert.That(document.Descendants(Odm + "SubjectData").Select(s => (string?)s.Attribute("SubjectKey")), Is.EquivalentTo(new[] { "WAW-0001", "WAW-0002" }));
        Assert.That(document.Descendants(Odm + "Location").Select(l => (string?)l.Attribute("OID")), Is.EqualTo(new[] { "LOC.WAW" }));
        Assert.That(OdmStructure.Problems(document), Is.Empty);
        var krk = await OdmAsync(Statistician, "?site=KRK");
        Assert.That(krk.Descendants(Odm + "SubjectData").Select(s => (string?)s.Attribute("SubjectKey")), Is.EqualTo(new[] { "KRK-0001" }));

        await (await waw.GetAsync("/api/v1/exports/odm.xml?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
        var invalid = await (await Statistician.GetAsync("/api/v1/exports/odm.xml?instrument=MADRS")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(invalid["detail"]!.GetValue<string>(), Does.Contain("filters are site and includeFreeText"));
    }

    [Test]
    public async Task APull_IsRecordedAsAnOdmExtract_WithWhatItHeld()
    {
        var krk = await Host.UserAsync("statistician", "KRK");
        var document = await OdmAsync(krk);

        var records = (await (await Host.Admin.GetAsync("/api/v1/audit?entity=extract")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        var record = records.Single(r => r!["userName"]!.GetValue<string>() == "statistician of KRK")!;
        Assert.That(record["action"]!.GetValue<string>(), Is.EqualTo("export"));
        var value = record["newValue"]!;
        Assert.That(value["kind"]!.GetValue<string>(), Is.EqualTo("odm"));
        Assert.That(value["completed"]!.GetValue<bool>(), Is.True);
        Assert.That(value["unblinded"]!.GetValue<bool>(), Is.False);
        Assert.That((value["rows"]!["subjects"]!.GetValue<long>(), value["rows"]!["items"]!.GetValue<long>()),
            Is.EqualTo((1L, (long)document.Descendants(Odm + "ItemData").Count())));
        Assert.That(value["filters"]!["sites"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "KRK" }));
    }
}
