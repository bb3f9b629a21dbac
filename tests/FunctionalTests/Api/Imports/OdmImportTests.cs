using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Tests.Api.Exports;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Imports;

/// <summary>
/// POST /api/v1/imports/odm through real hosts: a study is entered through the API and exported as ODM, and the document is
/// imported into a second, empty study of the same protocol, whose sites and investigator an admin set up (the document
/// does not carry them). Each test imports into a study of its own.
/// </summary>
public class OdmImportTests
{
    private const string Url = "/api/v1/imports/odm";
    private const string OdmType = "application/vnd.cdisc.odm+xml";
    private static readonly XNamespace Odm = OdmStructure.Odm;
    private static readonly XNamespace Extension = "urn:trial:odm:extension:1";
    private static readonly string[] Participants = ["WAW-0001", "WAW-0002", "WAW-0003", "KRK-0001"];

    private TrialHost _source = null!;

    /// <summary>The source study's document, as its admin exports it.</summary>
    private string _exported = "";

    /// <summary>
    /// WAW-0001: BL, INF1 and POST24 recorded; MADRS and a BSL-23 with an unanswered item at BL, MADRS before the infusion,
    /// a CADSS at t40 corrected afterwards, a 5D-ASC with decimals at t240, MADRS at POST24. WAW-0002: INF1 only, its MADRS
    /// before the infusion with item 10 at 6 (a safety alert). WAW-0003: enrolled, no visit. KRK-0001: INF1 and MADRS at POST24.
    /// </summary>
    [OneTimeSetUp]
    public async Task EnterStudyAsync()
    {
        _source = TrialHost.Start();
        await _source.CreateSiteAsync("WAW");
        await _source.CreateSiteAsync("KRK");
        var waw = await _source.UserAsync("investigator", "WAW");
        var krk = await _source.UserAsync("investigator", "KRK");

        var p1 = await TrialHost.EnrolAsync(waw, "WAW");
        foreach (var (visit, date) in new[] { ("BL", "2026-03-01"), ("INF1", "2026-03-02"), ("POST24", "2026-03-03") })
            await ExportTestKit.RecordVisitAsync(waw, p1, visit, date);
        await AssessAsync(waw, p1, "BL", null, "MADRS", Madrs(30, 1));
        var bsl = Bsl(2);
        bsl[2] = null;
        await AssessAsync(waw, p1, "BL", null, "BSL23", bsl);
        await AssessAsync(waw, p1, "INF1", "pre", "MADRS", Madrs(24, 1));
        var cadss = await AssessAsync(waw, p1, "INF1", "t40", "CADSS", Cadss(10));
        var correction = await waw.SendAsync(Put($"/api/v1/assessments/{cadss}",
            new { instrument = "CADSS", timepoint = "t40", administeredUtc = At("INF1", "t40"), items = Cadss(12), reason = "Transcription error" }, "\"1\""));
        await correction.JsonAsync(HttpStatusCode.OK);
        var asc = Asc5D();
        asc[0] = 33.3m;
        await AssessAsync(waw, p1, "INF1", "t240", "ASC5D", asc);
        await AssessAsync(waw, p1, "POST24", null, "MADRS", Madrs(14, 1));

        var p2 = await TrialHost.EnrolAsync(waw, "WAW");
        await ExportTestKit.RecordVisitAsync(waw, p2, "INF1", "2026-03-02");
        await AssessAsync(waw, p2, "INF1", "pre", "MADRS", Madrs(30, 6));

        var p3 = await TrialHost.EnrolAsync(waw, "WAW");
        var p4 = await TrialHost.EnrolAsync(krk, "KRK");
        await ExportTestKit.RecordVisitAsync(krk, p4, "INF1", "2026-03-02");
        await AssessAsync(krk, p4, "POST24", null, "MADRS", Madrs(8, 1));
        Assert.That(new[] { p1, p2, p3, p4 }, Is.EqualTo(Participants));

        _exported = (await OdmExportTests.OdmAsync(_source.Admin)).ToString();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _source.DisposeAsync();

    /// <summary>An empty study of the same protocol: the sites WAW and KRK and an investigator of both, as an admin sets them up.</summary>
    private static async Task<(TrialHost Host, HttpClient Investigator)> EmptyStudyAsync(params string[] sites)
    {
        var host = TrialHost.Start();
        foreach (var site in sites.Length == 0 ? ["WAW", "KRK"] : sites) await host.CreateSiteAsync(site);
        return (host, await host.UserAsync("investigator", sites.Length == 0 ? ["WAW", "KRK"] : sites));
    }

    private static async Task<JsonObject> ImportAsync(HttpClient client, string document, string query = "")
    {
        var response = await client.PostAsync(Url + query, new StringContent(document, Encoding.UTF8, OdmType));
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    private static int Count(JsonObject import, string status) => import[status]!.GetValue<int>();

    private static IEnumerable<JsonNode> Results(JsonObject import) => import["results"]!.AsArray().Select(r => r!);

    private static JsonNode Record(JsonObject import, string rowKey) => Results(import).Single(r => r["rowKey"]!.GetValue<string>() == rowKey);

    private static Task<long> CountAsync(TrialHost host, string table) =>
        host.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));

    /// <summary>
    /// The ClinicalData of a document without its audit records (who and when differ between the studies by design): each
    /// subject, visit, form and item with every attribute, Trial's extension included, in document order.
    /// </summary>
    private static string ClinicalData(XDocument document)
    {
        var data = new XElement(document.Root!.Element(Odm + "ClinicalData")!);
        data.Descendants(Odm + "AuditRecord").Remove();
        return data.ToString();
    }

    [Test]
    public async Task RoundTrip_IntoAnEmptyStudy_GivesTheSameClinicalData()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;

        var import = await ImportAsync(investigator, _exported);

        Assert.That(Count(import, "refused"), Is.EqualTo(0), import.ToJsonString());
        // 4 participants, 6 visits, 8 assessments.
        Assert.That(Count(import, "accepted"), Is.EqualTo(4 + 6 + 8), import.ToJsonString());
        Assert.That(Results(import).Select(r => r["kind"]!.GetValue<string>()).Distinct(), Is.EquivalentTo(new[] { "participant", "visit", "assessment" }));
        var exportedAgain = await OdmExportTests.OdmAsync(target.Admin);
        Assert.That(OdmStructure.Problems(exportedAgain), Is.Empty);
        var before = XDocument.Parse(_exported);
        Assert.That(ClinicalData(exportedAgain), Is.EqualTo(ClinicalData(before)));
        // Not two empty documents: every kind of record is there, the unanswered item and the corrected values included.
        Assert.That(before.Descendants(Odm + "ItemData").Count(), Is.GreaterThan(150));
        Assert.That(before.Descendants(Odm + "ItemData").Count(d => (string?)d.Attribute("IsNull") == "Yes"), Is.EqualTo(1));
        Assert.That(before.Descendants(Odm + "StudyEventData").Select(e => (string?)e.Attribute(Extension + "ActualDate")), Has.All.Not.Null);
        // Each assessment is scored and audited in the new study as one entered by hand.
        var assessments = await (await investigator.GetAsync("/api/v1/participants/WAW-0001/assessments")).JsonArrayAsync();
        Assert.That(assessments.Single(a => a!["visitCode"]!.GetValue<string>() == "BL" && a["instrument"]!.GetValue<string>() == "MADRS")!["scores"]!["total"]!
            .GetValue<decimal>(), Is.EqualTo(30m));
        var id = Record(import, "WAW-0001/SE.BL/F.MADRS")["id"]!.GetValue<string>();
        var trail = await (await target.Admin.GetAsync($"/api/v1/audit?entity=assessment&id={id}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(trail["items"]!.AsArray(), Has.Count.EqualTo(1), trail.ToJsonString());
    }

    [Test]
    public async Task ReImport_OfTheSameFile_StoresNothingTwice()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var first = await ImportAsync(investigator, _exported);
        // The evaluations and schedules the first import caused write audit rows of their own: counted once they are done.
        foreach (var code in Participants) await WaitSettledAsync(target, code);
        var (assessments, audit) = (await CountAsync(target, "Assessment"), await CountAsync(target, "AuditEvent"));

        var again = await ImportAsync(investigator, _exported);

        Assert.That((Count(again, "accepted"), Count(again, "refused")), Is.EqualTo((0, 0)), again.ToJsonString());
        Assert.That(Count(again, "alreadyPresent"), Is.EqualTo(Count(first, "accepted")));
        Assert.That(Results(again).Select(r => r["status"]!.GetValue<string>()), Has.All.EqualTo("already-present"));
        Assert.That(Results(again).Select(r => r["id"]!.GetValue<string>()), Is.EqualTo(Results(first).Select(r => r["id"]!.GetValue<string>())),
            "each record names the one stored the first time");
        Assert.That(await CountAsync(target, "Assessment"), Is.EqualTo(assessments));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(Participants.Length));
        Assert.That(await CountAsync(target, "AuditEvent"), Is.EqualTo(audit), "nothing written, so nothing audited");

        // The same slot with another value is not a copy: it is refused with the API's conflict, which names the stored one.
        var changed = XDocument.Parse(_exported);
        var item = changed.Descendants(Odm + "SubjectData").Single(x => (string?)x.Attribute("SubjectKey") == "WAW-0001")
            .Descendants(Odm + "FormData").Single(f => (string?)f.Attribute("FormOID") == "F.MADRS" && (string?)f.Attribute("FormRepeatKey") == "pre")
            .Descendants(Odm + "ItemData").First();
        item.SetAttributeValue("Value", (int)item.Attribute("Value")! == 0 ? "1" : "0");
        var different = await ImportAsync(investigator, changed.ToString());
        var conflict = Record(different, "WAW-0001/SE.INF1/F.MADRS/pre");
        Assert.That((conflict["status"]!.GetValue<string>(), conflict["problem"]!["status"]!.GetValue<int>()), Is.EqualTo(("refused", 409)), different.ToJsonString());
        Assert.That(conflict["problem"]!["existingId"]!.GetValue<string>(), Is.EqualTo(Record(first, "WAW-0001/SE.INF1/F.MADRS/pre")["id"]!.GetValue<string>()));
        Assert.That((Count(different, "refused"), Count(different, "alreadyPresent")), Is.EqualTo((1, Count(first, "accepted") - 1)));
        Assert.That(await CountAsync(target, "Assessment"), Is.EqualTo(assessments));
    }

    private static XElement Form(XDocument document, string subject, string formOid, string repeatKey) =>
        document.Descendants(Odm + "SubjectData").Single(x => (string?)x.Attribute("SubjectKey") == subject)
            .Descendants(Odm + "FormData").Single(f => (string?)f.Attribute("FormOID") == formOid && (string?)f.Attribute("FormRepeatKey") == repeatKey);

    [Test]
    public async Task ReImport_WithTheSameValuesGivenAtAnotherTime_IsRefusedAsAConflict_NotAlreadyPresent()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var first = await ImportAsync(investigator, _exported);
        var changed = XDocument.Parse(_exported);
        var administered = Form(changed, "WAW-0001", "F.MADRS", "pre").Attribute(Extension + "AdministeredDateTime")!;
        var moved = DateTime.Parse(administered.Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
            .ToUniversalTime().AddMinutes(-7);
        administered.Value = moved.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var again = await ImportAsync(investigator, changed.ToString());

        var conflict = Record(again, "WAW-0001/SE.INF1/F.MADRS/pre");
        Assert.That((conflict["status"]!.GetValue<string>(), conflict["problem"]!["status"]!.GetValue<int>()), Is.EqualTo(("refused", 409)), again.ToJsonString());
        Assert.That(conflict["problem"]!["existingId"]!.GetValue<string>(), Is.EqualTo(Record(first, "WAW-0001/SE.INF1/F.MADRS/pre")["id"]!.GetValue<string>()));
        Assert.That(Count(again, "refused"), Is.EqualTo(1), "only the form whose time differs");
    }

    [Test]
    public async Task AnItemGivenTwice_RefusesItsForm_NamingItemOid()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var changed = XDocument.Parse(_exported);
        var firstItem = Form(changed, "WAW-0001", "F.MADRS", "pre").Descendants(Odm + "ItemData").First();
        var twice = new XElement(firstItem);
        twice.SetAttributeValue("Value", (int)firstItem.Attribute("Value")! == 0 ? "1" : "0");
        firstItem.AddAfterSelf(twice);

        var import = await ImportAsync(investigator, changed.ToString());

        var refused = Record(import, "WAW-0001/SE.INF1/F.MADRS/pre");
        Assert.That(refused["status"]!.GetValue<string>(), Is.EqualTo("refused"), import.ToJsonString());
        Assert.That(FirstError(refused), Is.EqualTo("ItemOID"));
        Assert.That(Count(import, "refused"), Is.EqualTo(1), "the other records are stored");
    }

    [Test]
    public async Task ASubjectDataRefusedForItsSite_PutsNoVisitOrFormOnTheParticipantOfThatCode()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        await ImportAsync(investigator, _exported);
        var assessments = await CountAsync(target, "Assessment");
        var changed = XDocument.Parse(_exported);
        var subject = changed.Descendants(Odm + "SubjectData").Single(x => (string?)x.Attribute("SubjectKey") == "WAW-0001");
        subject.Element(Odm + "SiteRef")!.SetAttributeValue("LocationOID", "LOC.KRK");
        // A value the stored participant does not have, so the form would be stored if it were put on them.
        var item = Form(changed, "WAW-0001", "F.MADRS", "pre").Descendants(Odm + "ItemData").First();
        item.SetAttributeValue("Value", (int)item.Attribute("Value")! == 0 ? "1" : "0");

        var import = await ImportAsync(investigator, changed.ToString());

        var ofThatSubject = Results(import).Where(r => r["rowKey"]!.GetValue<string>().StartsWith("WAW-0001", StringComparison.Ordinal)).ToList();
        Assert.That(ofThatSubject, Has.Count.GreaterThan(1));
        Assert.That(ofThatSubject.Select(r => r["status"]!.GetValue<string>()), Has.All.EqualTo("refused"), import.ToJsonString());
        Assert.That(FirstError(Record(import, "WAW-0001")), Is.EqualTo("SiteRef"));
        Assert.That(Record(import, "WAW-0001/SE.INF1/F.MADRS/pre")["problem"]!["field"]!.GetValue<string>(), Is.EqualTo("SubjectKey"));
        Assert.That(await CountAsync(target, "Assessment"), Is.EqualTo(assessments));
    }

    [Test]
    public async Task DryRun_ChecksEveryRecord_AndStoresNothing()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var audit = await CountAsync(target, "AuditEvent");

        var import = await ImportAsync(investigator, _exported, "?dryRun=true");

        // The visits and assessments of participants the dry run did not store are checked against what it would store.
        Assert.That((Count(import, "accepted"), Count(import, "refused")), Is.EqualTo((18, 0)), import.ToJsonString());
        Assert.That(Results(import).Select(r => r["id"]), Has.All.Null);
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(0));
        Assert.That(await CountAsync(target, "Assessment"), Is.EqualTo(0));
        Assert.That(await CountAsync(target, "AuditEvent"), Is.EqualTo(audit));

        var real = await ImportAsync(investigator, _exported);
        Assert.That(Count(real, "accepted"), Is.EqualTo(18), real.ToJsonString());
    }

    /// <summary>The document with an item out of its range, a visit the protocol does not have and a site the study does not have.</summary>
    private string WithFaults()
    {
        var document = XDocument.Parse(_exported);
        var subjects = document.Descendants(Odm + "SubjectData").ToDictionary(s => (string)s.Attribute("SubjectKey")!);
        var madrs = subjects["WAW-0001"].Elements(Odm + "StudyEventData").Single(e => (string?)e.Attribute("StudyEventOID") == "SE.BL")
            .Elements(Odm + "FormData").Single(f => (string?)f.Attribute("FormOID") == "F.MADRS");
        madrs.Descendants(Odm + "ItemData").Single(d => (string?)d.Attribute("ItemOID") == "I.MADRS.10").SetAttributeValue("Value", "9");
        subjects["WAW-0002"].Elements(Odm + "StudyEventData").Single().SetAttributeValue("StudyEventOID", "SE.INF9");
        subjects["KRK-0001"].Element(Odm + "SiteRef")!.SetAttributeValue("LocationOID", "LOC.GDN");
        return document.ToString();
    }

    private static string FirstError(JsonNode result) => result["problem"]!["errors"]!.AsObject().Select(e => e.Key).First();

    [Test]
    public async Task PerRow_ARefusedRecordNamesItsField_AndTheOthersAreStored()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;

        var import = await ImportAsync(investigator, WithFaults());

        var outOfRange = Record(import, "WAW-0001/SE.BL/F.MADRS");
        Assert.That(outOfRange["status"]!.GetValue<string>(), Is.EqualTo("refused"), import.ToJsonString());
        Assert.That(outOfRange["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(422));
        Assert.That(FirstError(outOfRange), Is.EqualTo("items[10]"));
        Assert.That(outOfRange["problem"]!["detail"]!.GetValue<string>(), Does.Contain("9"));
        Assert.That(FirstError(Record(import, "WAW-0002/SE.INF9")), Is.EqualTo("StudyEventOID"));
        Assert.That(FirstError(Record(import, "KRK-0001")), Is.EqualTo("SiteRef"));
        Assert.That(Record(import, "KRK-0001")["problem"]!["detail"]!.GetValue<string>(), Does.Contain("GDN"));

        // Everything else is stored: WAW-0001's other assessments, WAW-0002 and WAW-0003 themselves.
        var stored = await (await investigator.GetAsync("/api/v1/participants/WAW-0001/assessments")).JsonArrayAsync();
        Assert.That(stored, Has.Count.EqualTo(5));
        Assert.That(Record(import, "WAW-0001/SE.BL/F.BSL23")["status"]!.GetValue<string>(), Is.EqualTo("accepted"));
        Assert.That(Record(import, "WAW-0003")["status"]!.GetValue<string>(), Is.EqualTo("accepted"));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(3));
        Assert.That(Count(import, "accepted") + Count(import, "refused"), Is.EqualTo(Results(import).Count()));
    }

    [Test]
    public async Task Atomic_ARefusedRecord_StoresNothing()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var audit = await CountAsync(target, "AuditEvent");

        var import = await ImportAsync(investigator, WithFaults(), "?mode=atomic");

        Assert.That(Count(import, "accepted"), Is.EqualTo(0), import.ToJsonString());
        Assert.That(Count(import, "refused"), Is.EqualTo(Results(import).Count()));
        var valid = Record(import, "WAW-0003")["problem"]!;
        Assert.That((valid["status"]!.GetValue<int>(), valid["field"]!.GetValue<string>()), Is.EqualTo((409, "mode")));
        Assert.That(FirstError(Record(import, "WAW-0001/SE.BL/F.MADRS")), Is.EqualTo("items[10]"));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(0));
        Assert.That(await CountAsync(target, "Assessment"), Is.EqualTo(0));
        Assert.That(await CountAsync(target, "AuditEvent"), Is.EqualTo(audit));

        var whole = await ImportAsync(investigator, _exported, "?mode=atomic");
        Assert.That((Count(whole, "accepted"), Count(whole, "refused")), Is.EqualTo((18, 0)), whole.ToJsonString());
    }

    [Test]
    public async Task ImportedData_CrossingASafetyRule_RaisesTheAlert()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var monitor = await target.UserAsync("monitor", "WAW");

        var import = await ImportAsync(investigator, _exported);

        var alerts = await SettledAlertsAsync(target, monitor, "WAW-0002", ignoreRules: MissedVisits);
        var id = Guid.Parse(Record(import, "WAW-0002/SE.INF1/F.MADRS/pre")["id"]!.GetValue<string>());
        Assert.That(alerts, Has.Count.EqualTo(1), alerts.ToJsonString());
        AssertAlert(alerts[0], "MADRS10_HIGH", "high", "WAW-0002", "INF1", Source(id));
        Assert.That(await SettledAlertsAsync(target, monitor, "WAW-0003", ignoreRules: MissedVisits), Is.Empty);
    }

    [TestCase("StudyOID", "OTHER-STUDY")]
    [TestCase("MetaDataVersionOID", "MDV.0.1")]
    public async Task AnotherStudysDocument_Is422NamingTheAttribute(string attribute, string value)
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        var document = XDocument.Parse(_exported);
        document.Root!.Element(Odm + "ClinicalData")!.SetAttributeValue(attribute, value);

        var response = await investigator.PostAsync(Url, new StringContent(document.ToString(), Encoding.UTF8, OdmType));

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { attribute }));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(value));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(0));
    }

    [Test]
    public async Task ABodyThatIsNotAnOdmDocument_IsAProblemNamingWhatIsWrong()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;

        var cut = _exported[..(_exported.IndexOf("<SubjectData", StringComparison.Ordinal) + 40)] + "<<";
        var malformed = await (await investigator.PostAsync(Url, new StringContent(cut, Encoding.UTF8, "application/xml")))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(malformed["detail"]!.GetValue<string>(), Does.Contain("not a well-formed XML document"));
        Assert.That(malformed["line"]!.GetValue<int>(), Is.GreaterThan(1));

        var notOdm = await (await investigator.PostAsync(Url, new StringContent("<Study xmlns=\"urn:other\"/>", Encoding.UTF8, OdmType)))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(notOdm["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "ODM" }));

        var version = _exported.Replace("ODMVersion=\"1.3.2\"", "ODMVersion=\"2.0\"", StringComparison.Ordinal);
        var wrongVersion = await (await investigator.PostAsync(Url, new StringContent(version, Encoding.UTF8, OdmType))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(wrongVersion["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "ODMVersion" }));

        var json = await (await investigator.PostAsJsonAsync(Url, new { odm = true })).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.That(json["field"]!.GetValue<string>(), Is.EqualTo("Content-Type"));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(0));
    }

    [Test]
    public async Task PerRow_ADocumentBrokenHalfWay_KeepsTheRecordsBefore_AndSaysWhereItStopped()
    {
        var (target, investigator) = await EmptyStudyAsync();
        await using var _ = target;
        // Cut inside the third SubjectData, WAW-0002's (the export orders by site: KRK-0001, then WAW-0001).
        var third = _exported.IndexOf("<SubjectData", _exported.IndexOf("SubjectKey=\"WAW-0001\"", StringComparison.Ordinal), StringComparison.Ordinal);
        var broken = _exported[..(third + 60)] + "</ClinicalData>";

        var import = await ImportAsync(investigator, broken);

        Assert.That(Results(import).Select(r => r["subjectKey"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "KRK-0001", "WAW-0001" }), import.ToJsonString());
        Assert.That(Count(import, "refused"), Is.EqualTo(0));
        Assert.That(import["stopped"]!["detail"]!.GetValue<string>(), Does.Contain("not well-formed XML"));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(2));
    }

    [Test]
    public async Task AnInvestigatorOfOneSite_ImportsItsParticipants_AndIsRefusedTheOthers()
    {
        var (target, _) = await EmptyStudyAsync();
        await using var __ = target;
        var waw = await target.UserAsync("investigator", "WAW");

        var import = await ImportAsync(waw, _exported);

        Assert.That(Record(import, "KRK-0001")["problem"]!["status"]!.GetValue<int>(), Is.EqualTo(403), import.ToJsonString());
        Assert.That(Results(import).Where(r => r["subjectKey"]!.GetValue<string>().StartsWith("WAW", StringComparison.Ordinal))
            .Select(r => r["status"]!.GetValue<string>()), Has.All.EqualTo("accepted"));
        Assert.That(await CountAsync(target, "Participant"), Is.EqualTo(3));
        await (await target.Client().PostAsync(Url, new StringContent(_exported, Encoding.UTF8, OdmType))).ProblemAsync(HttpStatusCode.Unauthorized);
    }
}
