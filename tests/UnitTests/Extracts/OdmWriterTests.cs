using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using NUnit.Framework;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Extracts.Odm;

namespace Trial.Tests.Extracts;

/// <summary>The ODM 1.3.2 writer on a small study: two visits, two instruments, three participants.</summary>
public class OdmWriterTests
{
    private static readonly XNamespace Odm = OdmStructure.Odm;
    private static readonly Guid Investigator = Guid.Parse("0b9c1e64-3a55-4d38-9d9a-4e2b7f0c1a01");
    private static readonly Guid Corrector = Guid.Parse("0b9c1e64-3a55-4d38-9d9a-4e2b7f0c1a02");
    private static readonly DateTime Entered = new(2026, 3, 2, 9, 15, 0, DateTimeKind.Utc);
    private static readonly DateTime Corrected = new(2026, 3, 3, 14, 0, 0, DateTimeKind.Utc);

    // BL: MADRS and BSL-23; INF1: MADRS before the infusion. So MADRS repeats (a timepoint is its FormRepeatKey), BSL-23 does not.
    private static readonly ProtocolDefinition SmallStudy = ProtocolLoader.LoadDefault() with
    {
        Visits =
        [
            new VisitDefinition
            {
                Code = "BL", Name = "Baseline", Kind = VisitKinds.Baseline,
                Battery = [new BatteryEntry { Timepoint = null, Instruments = [InstrumentCatalog.Madrs, InstrumentCatalog.Bsl23] }],
            },
            new VisitDefinition
            {
                Code = "INF1", Name = "Infusion 1", Kind = VisitKinds.Infusion,
                Battery = [new BatteryEntry { Timepoint = "pre", Instruments = [InstrumentCatalog.Madrs] }],
            },
        ],
    };

    private static readonly OdmFile File = new("KET-TRD-BPD.test", Entered.AddDays(10), SmallStudy,
        [InstrumentCatalog.MadrsDefinition, InstrumentCatalog.Bsl23Definition], [new OdmUser(Investigator, "investigator"), new OdmUser(Corrector, "admin")],
        ["WAW"]);

    private static readonly decimal?[] MadrsAtBaseline = [4, 3, null, 2, 5, 1, 0, 6, 2, 3];
    private static readonly decimal?[] MadrsBeforeInfusion = [3, 3, 2, 2, 4, 1, 0, 5, 2, 2];

    private static IEnumerable<OdmItem> Rows()
    {
        var entered = new OdmAudit(Investigator, Entered, null);
        for (var i = 0; i < 10; i++)
        {
            // Item 2 was corrected: its value is the correction's.
            var audit = i == 1 ? new OdmAudit(Corrector, Corrected, "Transcription error: the source says 3.") : entered;
            yield return new OdmItem("W-001", "WAW", "BL", InstrumentCatalog.Madrs, null, i + 1, MadrsAtBaseline[i], audit);
        }
        for (var i = 0; i < 23; i++) yield return new OdmItem("W-001", "WAW", "BL", InstrumentCatalog.Bsl23, null, i + 1, i % 5, entered);
        for (var i = 0; i < 10; i++) yield return new OdmItem("W-001", "WAW", "INF1", InstrumentCatalog.Madrs, "pre", i + 1, MadrsBeforeInfusion[i], entered);
        yield return new OdmItem("W-002", "WAW", null, null, null, 0, null, null);
        yield return new OdmItem("W-003", "WAW", "BL", null, null, 0, null, null);
    }

    private static async IAsyncEnumerable<OdmItem> Async(IEnumerable<OdmItem> rows, Action<OdmItem>? before = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var row in rows)
        {
            before?.Invoke(row);
            await Task.Yield();
            yield return row;
        }
    }

    private static async Task<(XDocument Document, OdmCounts Counts)> WriteAsync()
    {
        using var output = new MemoryStream();
        var counts = await OdmWriter.WriteAsync(output, File, Async(Rows()), CancellationToken.None);
        return (XDocument.Parse(Encoding.UTF8.GetString(output.ToArray())), counts);
    }

    private static XElement Subject(XDocument document, string key) =>
        document.Descendants(Odm + "SubjectData").Single(s => (string?)s.Attribute("SubjectKey") == key);

    private static IEnumerable<XElement> Forms(XElement subject, string visit, string form) =>
        subject.Elements(Odm + "StudyEventData").Single(e => (string?)e.Attribute("StudyEventOID") == visit)
            .Elements(Odm + "FormData").Where(f => (string?)f.Attribute("FormOID") == form);

    private static string?[] Values(XElement form) =>
        form.Descendants(Odm + "ItemData").Select(d => (string?)d.Attribute("Value")).ToArray();

    [Test]
    public async Task SmallStudy_HasTheStructureOdm132Requires()
    {
        var (document, _) = await WriteAsync();

        Assert.That(OdmStructure.Problems(document), Is.Empty);
        var root = document.Root!;
        Assert.That(root.Name, Is.EqualTo(Odm + "ODM"));
        Assert.That((string?)root.Attribute("FileType"), Is.EqualTo("Snapshot"));
        Assert.That((string?)root.Attribute("ODMVersion"), Is.EqualTo("1.3.2"));
        Assert.That((string?)root.Attribute("FileOID"), Is.EqualTo("KET-TRD-BPD.test"));
        Assert.That((string?)root.Attribute("CreationDateTime"), Is.EqualTo("2026-03-12T09:15:00Z"));
    }

    [Test]
    public async Task Metadata_NamesVisitsFormsAndItemsWithReadableOids()
    {
        var (document, _) = await WriteAsync();

        var version = document.Descendants(Odm + "MetaDataVersion").Single();
        Assert.That(version.Element(Odm + "Protocol")!.Elements(Odm + "StudyEventRef").Select(r => (string?)r.Attribute("StudyEventOID")),
            Is.EqualTo(new[] { "SE.BL", "SE.INF1" }));
        var baseline = version.Elements(Odm + "StudyEventDef").Single(e => (string?)e.Attribute("OID") == "SE.BL");
        Assert.That(baseline.Elements(Odm + "FormRef").Where(r => (string?)r.Attribute("Mandatory") == "Yes").Select(r => (string?)r.Attribute("FormOID")),
            Is.EqualTo(new[] { "F.MADRS", "F.BSL23" }), "the visit's battery");
        var infusion = version.Elements(Odm + "StudyEventDef").Single(e => (string?)e.Attribute("OID") == "SE.INF1");
        Assert.That(infusion.Elements(Odm + "FormRef").Select(r => ((string?)r.Attribute("FormOID"), (string?)r.Attribute("Mandatory"))),
            Is.EqualTo(new[] { ("F.MADRS", "Yes"), ("F.BSL23", "No") }), "an instrument outside the battery, for an unscheduled assessment");
        Assert.That(version.Elements(Odm + "FormDef").Select(f => ((string?)f.Attribute("OID"), (string?)f.Attribute("Repeating"))),
            Is.EqualTo(new[] { ("F.MADRS", "Yes"), ("F.BSL23", "No") }));
        Assert.That(version.Elements(Odm + "ItemGroupDef").Single(g => (string?)g.Attribute("OID") == "IG.MADRS").Elements(Odm + "ItemRef")
            .Select(r => (string?)r.Attribute("ItemOID")), Is.EqualTo(Enumerable.Range(1, 10).Select(i => $"I.MADRS.{i:00}")));
        var first = version.Elements(Odm + "ItemDef").Single(d => (string?)d.Attribute("OID") == "I.MADRS.01");
        Assert.That((string?)first.Attribute("DataType"), Is.EqualTo("integer"));
        Assert.That(first.Element(Odm + "Question")!.Element(Odm + "TranslatedText")!.Value, Is.EqualTo(InstrumentCatalog.MadrsDefinition.ItemLabels[0]));
        Assert.That(first.Elements(Odm + "RangeCheck").Select(c => ((string?)c.Attribute("Comparator"), c.Element(Odm + "CheckValue")!.Value)),
            Is.EqualTo(new[] { ("GE", "0"), ("LE", "6") }));
        Assert.That(version.Elements(Odm + "ItemDef").Count(), Is.EqualTo(10 + 23));
    }

    [Test]
    public async Task EveryItem_HasItsRangeAndTheCodeListOfItsScale()
    {
        var (document, _) = await WriteAsync();

        var version = document.Descendants(Odm + "MetaDataVersion").Single();
        var codeLists = version.Elements(Odm + "CodeList").ToDictionary(c => (string)c.Attribute("OID")!);
        foreach (var instrument in File.Instruments)
        {
            var values = Enumerable.Range((int)instrument.MinValue, (int)(instrument.MaxValue - instrument.MinValue) + 1).Select(v => v.ToString()).ToArray();
            for (var item = 1; item <= instrument.ItemCount; item++)
            {
                var def = version.Elements(Odm + "ItemDef").Single(d => (string?)d.Attribute("OID") == OdmOids.Item(instrument.Code, item));
                Assert.That(def.Elements(Odm + "RangeCheck").Select(c => c.Element(Odm + "CheckValue")!.Value),
                    Is.EqualTo(new[] { instrument.MinValue.ToString(), instrument.MaxValue.ToString() }), def.ToString());
                var list = codeLists[(string)def.Element(Odm + "CodeListRef")!.Attribute("CodeListOID")!];
                Assert.That((string?)list.Attribute("DataType"), Is.EqualTo("integer"));
                Assert.That(list.Elements(Odm + "EnumeratedItem").Select(e => (string?)e.Attribute("CodedValue")), Is.EqualTo(values), def.ToString());
            }
        }
    }

    [Test]
    public async Task FractionalScale_HasItsRangeButNoCodeList()
    {
        using var output = new MemoryStream();
        var instruments = File.Instruments.Append(InstrumentCatalog.Asc5DDefinition).ToList();
        await OdmWriter.WriteAsync(output, File with { Instruments = instruments }, Async([]), CancellationToken.None);
        var document = XDocument.Parse(Encoding.UTF8.GetString(output.ToArray()));

        Assert.That(OdmStructure.Problems(document), Is.Empty);
        var defs = document.Descendants(Odm + "ItemDef").Where(d => ((string)d.Attribute("OID")!).StartsWith("I.ASC5D.", StringComparison.Ordinal)).ToList();
        Assert.That(defs, Has.Count.EqualTo(InstrumentCatalog.Asc5DDefinition.ItemCount));
        Assert.That(defs.Select(d => (string?)d.Attribute("DataType")), Has.All.EqualTo("float"));
        Assert.That(defs.Select(d => d.Elements(Odm + "RangeCheck").Count()), Has.All.EqualTo(2));
        Assert.That(defs.Select(d => d.Element(Odm + "CodeListRef")), Has.All.Null);
        Assert.That(document.Descendants(Odm + "CodeList").Select(c => (string?)c.Attribute("OID")), Is.EqualTo(new[] { "CL.MADRS", "CL.BSL23" }));
    }

    [Test]
    public async Task ClinicalData_HoldsEachVisitAndTimepointWithItsValues()
    {
        var (document, counts) = await WriteAsync();

        Assert.That(counts, Is.EqualTo(new OdmCounts(3, 10 + 23 + 10)));
        var subject = Subject(document, "W-001");
        Assert.That((string?)subject.Element(Odm + "SiteRef")!.Attribute("LocationOID"), Is.EqualTo("LOC.WAW"));
        var baseline = Forms(subject, "SE.BL", "F.MADRS").Single();
        Assert.That(baseline.Attribute("FormRepeatKey"), Is.Null);
        Assert.That(Values(baseline), Is.EqualTo(new[] { "4", "3", null, "2", "5", "1", "0", "6", "2", "3" }));
        Assert.That((string?)baseline.Descendants(Odm + "ItemData").ElementAt(2).Attribute("IsNull"), Is.EqualTo("Yes"), "an unanswered item");
        var beforeInfusion = Forms(subject, "SE.INF1", "F.MADRS").Single();
        Assert.That((string?)beforeInfusion.Attribute("FormRepeatKey"), Is.EqualTo("pre"));
        Assert.That(Values(beforeInfusion), Is.EqualTo(MadrsBeforeInfusion.Select(v => v!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.That(Subject(document, "W-002").Elements(Odm + "StudyEventData"), Is.Empty, "a participant without visits");
        Assert.That(Subject(document, "W-003").Element(Odm + "StudyEventData")!.Elements(), Is.Empty, "a visit without assessments");
    }

    [Test]
    public async Task EveryValue_CarriesItsAuditRecord_AndACorrectionItsReason()
    {
        var (document, _) = await WriteAsync();

        var items = Forms(Subject(document, "W-001"), "SE.BL", "F.MADRS").Single().Descendants(Odm + "ItemData").ToList();
        var corrected = items[1].Element(Odm + "AuditRecord")!;
        Assert.That(corrected.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "UserRef", "LocationRef", "DateTimeStamp", "ReasonForChange" }));
        Assert.That((string?)corrected.Element(Odm + "UserRef")!.Attribute("UserOID"), Is.EqualTo($"USR.{Corrector}"));
        Assert.That(corrected.Element(Odm + "DateTimeStamp")!.Value, Is.EqualTo("2026-03-03T14:00:00Z"));
        Assert.That(corrected.Element(Odm + "ReasonForChange")!.Value, Is.EqualTo("Transcription error: the source says 3."));
        var entered = items[0].Element(Odm + "AuditRecord")!;
        Assert.That((string?)entered.Element(Odm + "UserRef")!.Attribute("UserOID"), Is.EqualTo($"USR.{Investigator}"));
        Assert.That(entered.Element(Odm + "ReasonForChange"), Is.Null, "a first entry has no reason for change");

        var user = document.Descendants(Odm + "User").Single(u => (string?)u.Attribute("OID") == $"USR.{Corrector}");
        Assert.That(user.Elements().Select(e => (e.Name.LocalName, e.Value)),
            Is.EqualTo(new[] { ("LoginName", Corrector.ToString()), ("DisplayName", "admin") }), "users by id and role only");
    }

    [Test]
    public async Task EachParticipant_IsSentOnceTheNextHasStarted()
    {
        using var output = new MemoryStream();
        string? sentBeforeThird = null;
        // W-003's row is read after W-002's has opened its SubjectData, which closes and sends W-001's.
        var rows = Async(Rows(), row =>
        {
            if (row.Subject == "W-003") sentBeforeThird ??= Encoding.UTF8.GetString(output.ToArray());
        });

        await OdmWriter.WriteAsync(output, File, rows, CancellationToken.None);

        Assert.That(sentBeforeThird, Does.Contain("SubjectKey=\"W-001\"").And.Contain("</SubjectData>"));
        Assert.That(sentBeforeThird, Does.Not.Contain("W-003"));
    }

    private static XElement MadrsCodeList(XDocument document) =>
        document.Descendants(Odm + "CodeList").Single(c => (string?)c.Attribute("OID") == "CL.MADRS");

    // The structural checks the tests rely on must find the faults they are there to find.
    [TestCase("range", "9 fails the range check LE 6")]
    [TestCase("reference", "I.MADRS.99 is not an item of IG.MADRS")]
    [TestCase("repeat", "FormRepeatKey on a non-repeating form")]
    [TestCase("order", "ODM: Study comes after AdminData")]
    [TestCase("user", "UserRef UserOID=USR.nobody resolves to nothing")]
    [TestCase("type", "'2.5' is not a value of type integer")]
    [TestCase("codelist", "3 is not in code list CL.MADRS")]
    [TestCase("mixed", "CodeList CL.MADRS mixes CodeListItem and EnumeratedItem")]
    public async Task StructureChecks_FindAFault(string fault, string expected)
    {
        var (document, _) = await WriteAsync();
        var subject = Subject(document, "W-001");
        var firstItem = Forms(subject, "SE.BL", "F.MADRS").Single().Descendants(Odm + "ItemData").First();
        switch (fault)
        {
            case "range": firstItem.SetAttributeValue("Value", "9"); break;
            case "reference": firstItem.SetAttributeValue("ItemOID", "I.MADRS.99"); break;
            case "repeat": Forms(subject, "SE.BL", "F.BSL23").Single().SetAttributeValue("FormRepeatKey", "pre"); break;
            case "order":
                var admin = document.Root!.Element(Odm + "AdminData")!;
                admin.Remove();
                document.Root.AddFirst(admin);
                break;
            case "user": firstItem.Descendants(Odm + "UserRef").Single().SetAttributeValue("UserOID", "USR.nobody"); break;
            case "type": firstItem.SetAttributeValue("Value", "2.5"); break;
            case "codelist":
                MadrsCodeList(document).Elements(Odm + "EnumeratedItem").Single(e => (string?)e.Attribute("CodedValue") == "3").Remove();
                firstItem.SetAttributeValue("Value", "3");
                break;
            case "mixed":
                MadrsCodeList(document).Add(new XElement(Odm + "CodeListItem", new XAttribute("CodedValue", "7")));
                break;
        }

        Assert.That(OdmStructure.Problems(document), Has.Some.Contains(expected));
    }
}
