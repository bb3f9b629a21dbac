using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NUnit.Framework;
using Trial.Tests.Api.Randomisation;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api;

/// <summary>
/// Adverse event coding over HTTP: an admin loads dictionaries (made-up terms, not MedDRA content: only MedDRA's file
/// layout is followed), a coder codes events with If-Match, and adverse-events.csv carries the coding and TRTEMFL.
/// </summary>
public class CodingTests : BlindedStudyFixture
{
    private const string TwoLevels =
        "termCode,term,socCode,soc\n" +
        "T001,Test term A,S01,Test class one\n" +
        "T002,Test term B,S01,Test class one\n" +
        "T003,Test term C,S02,Test class two\n";

    private static int _version;

    private static string NextVersion() => $"v{Interlocked.Increment(ref _version)}";

    private static byte[] Meddra()
    {
        var files = new Dictionary<string, string>
        {
            ["soc.asc"] = "90000901$Test class one$TCO$$$$$$$$\n90000902$Test class two$TCT$$$$$$$$\n",
            ["pt.asc"] = "90000101$Test preferred A$$90000901$$$$$$$$\n90000102$Test preferred B$$90000902$$$$$$$$\n",
            ["llt.asc"] = "90000001$Test term A$90000101$$$$$$$Y$$\n90000002$Test term B$90000102$$$$$$$Y$$\n90000003$Test term old$90000102$$$$$$$N$$\n",
        };
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var entry = zip.CreateEntry("MedAscii/" + name).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return buffer.ToArray();
    }

    private Task<HttpResponseMessage> LoadAsync(HttpContent content, string name = "Test dictionary", string? version = null, HttpClient? caller = null) =>
        (caller ?? _host.Admin).PostAsync($"/api/v1/coding/dictionaries?name={Uri.EscapeDataString(name)}&version={version ?? NextVersion()}", content);

    private static StringContent Csv(string text, string type = "text/csv") => new(text, Encoding.UTF8, type);

    private static ByteArrayContent Zip(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    private async Task<Guid> RecordAsync(string code, string term, string onset)
    {
        var ae = await RecordAdverseEventAsync(_investigator, code, AdverseEvent(term) with { OnsetDate = onset });
        return Guid.Parse(ae["id"]!.GetValue<string>());
    }

    private Task<HttpResponseMessage> CodeAsync(Guid id, string? ifMatch, string termCode, string? reason = null, HttpClient? caller = null) =>
        (caller ?? _coder).SendAsync(Put($"/api/v1/adverse-events/{id}/coding", new { dictionaryTermCode = termCode, reason }, ifMatch));

    [Test]
    public async Task Dictionaries_LoadedAsCsvOrMeddraZip_MalformedOrRepeatedRefused()
    {
        var version = NextVersion();
        var csv = await (await LoadAsync(Csv(TwoLevels), version: version)).JsonAsync(HttpStatusCode.Created);
        var malformed = await (await LoadAsync(Csv("termCode,term,socCode,soc\nT001,A,S01,One\nT002,B,S01\n"))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var json = await (await LoadAsync(Csv("{}", "application/json"))).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var again = await (await LoadAsync(Csv(TwoLevels), version: version)).ProblemAsync(HttpStatusCode.Conflict);
        await (await LoadAsync(Csv(TwoLevels), caller: _coder)).ProblemAsync(HttpStatusCode.Forbidden);
        using var withKey = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/coding/dictionaries?name=MedDRA&version={NextVersion()}") { Content = Zip(Meddra()) };
        withKey.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var meddra = await (await _host.Admin.SendAsync(withKey)).JsonAsync(HttpStatusCode.Created);

        Assert.That((csv["source"]!.GetValue<string>(), csv["termCount"]!.GetValue<int>(), csv["version"]!.GetValue<string>()), Is.EqualTo(("csv", 3, version)));
        Assert.That(malformed["errors"]!["file"]![0]!.GetValue<string>(), Is.EqualTo("Line 3: expected 4 columns (termCode,term,socCode,soc), got 3."));
        Assert.That(json["field"]!.GetValue<string>(), Is.EqualTo("Content-Type"));
        Assert.That(again["detail"]!.GetValue<string>(), Does.Contain("a version is loaded once"));
        Assert.That((meddra["source"]!.GetValue<string>(), meddra["termCount"]!.GetValue<int>()), Is.EqualTo(("meddra", 3)));
        var loads = await (await _coder.GetAsync("/api/v1/coding/dictionaries")).JsonArrayAsync();
        Assert.That(loads.Last()!["id"]!.GetValue<string>(), Is.EqualTo(meddra["id"]!.GetValue<string>()));
        Assert.That(loads.Last()!["current"]!.GetValue<bool>(), Is.True);
        Assert.That(loads.Count(l => l!["current"]!.GetValue<bool>()), Is.EqualTo(1));
    }

    /// <summary>A dictionary is far larger than any form: its route takes more than the request limit every other route keeps.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Dictionary_LargerThanTheFormLimit_Loaded(bool withIdempotencyKey)
    {
        var text = new StringBuilder("termCode,term,socCode,soc\n");
        for (var i = 0; i < 20_000; i++) text.Append($"T{i:00000},Test term number {i} of the large made-up dictionary,S{i % 20:00},Test class {i % 20}\n");
        Assert.That(text.Length, Is.GreaterThan(1024 * 1024));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/coding/dictionaries?name=Large&version={NextVersion()}") { Content = Csv(text.ToString()) };
        if (withIdempotencyKey) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var loaded = await (await _host.Admin.SendAsync(request)).JsonAsync(HttpStatusCode.Created);

        Assert.That(loaded["termCount"]!.GetValue<int>(), Is.EqualTo(20_000));
    }

    [Test]
    public async Task Coding_IfMatchAndReason_ThenOffTheCodersList()
    {
        (await LoadAsync(Csv(TwoLevels))).EnsureSuccessStatusCode();
        var code = await EnrolAsync();
        var id = await RecordAsync(code, "Spinning sensation", "2026-03-05");
        var uncoded = await (await _coder.GetAsync("/api/v1/coding/uncoded?limit=1000")).JsonAsync(HttpStatusCode.OK);
        var listed = uncoded["items"]!.AsArray().Single(e => e!["adverseEventId"]!.GetValue<string>() == id.ToString())!;
        Assert.That((listed["participantCode"]!.GetValue<string>(), listed["siteCode"]!.GetValue<string>(), listed["verbatimTerm"]!.GetValue<string>(),
            listed["onsetDate"]!.GetValue<string>(), listed["version"]!.GetValue<int>()), Is.EqualTo((code, "WAW", "Spinning sensation", "2026-03-05", 1)));

        await (await CodeAsync(id, null, "T001")).ProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await CodeAsync(id, "\"5\"", "T001")).ProblemAsync(HttpStatusCode.PreconditionFailed);
        var unknown = await (await CodeAsync(id, "\"1\"", "T404")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await CodeAsync(id, "\"1\"", "T001", caller: _investigator)).ProblemAsync(HttpStatusCode.Forbidden);
        var coded = await CodeAsync(id, "\"1\"", "T001");
        var body = await coded.JsonAsync(HttpStatusCode.OK);
        var noReason = await (await CodeAsync(id, "\"2\"", "T002")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var recoded = await (await CodeAsync(id, "\"2\"", "T002", "A closer term.")).JsonAsync(HttpStatusCode.OK);

        Assert.That(unknown["errors"]!["dictionaryTermCode"], Is.Not.Null);
        Assert.That(coded.Headers.ETag!.Tag, Is.EqualTo("\"2\""));
        Assert.That((body["preferredTerm"]!.GetValue<string>(), body["soc"]!.GetValue<string>(), body["verbatimTerm"]!.GetValue<string>()),
            Is.EqualTo(("Test term A", "Test class one", "Spinning sensation")));
        Assert.That(noReason["errors"]!["reason"], Is.Not.Null);
        Assert.That(recoded["version"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That((await _investigator.GetAsync($"/api/v1/adverse-events/{id}")).Headers.ETag!.Tag, Is.EqualTo("\"3\""));
        var after = await (await _coder.GetAsync("/api/v1/coding/uncoded?limit=1000")).JsonAsync(HttpStatusCode.OK);
        Assert.That(after["items"]!.AsArray().Select(e => e!["adverseEventId"]!.GetValue<string>()), Does.Not.Contain(id.ToString()));
        var trail = await HistoryAsync(code);
        var codings = trail.Where(r => r!["entityType"]!.GetValue<string>() == "adverse-event" && r["role"]!.GetValue<string>() == "coder").ToList();
        Assert.That(codings.Select(r => r!["reason"]?.GetValue<string>()), Is.EqualTo(new[] { null, "A closer term." }));
    }

    [Test]
    public async Task AdverseEventsCsv_CodingColumnsAndTreatmentEmergence_BeforeAndAfterTheFirstInfusion()
    {
        var code = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        await _infusions.InfuseAsync(code, "INF1", Inf1Start);
        var before = await RecordAsync(code, "Restless the evening before", "2026-03-01");
        var sameDay = await RecordAsync(code, "Dizzy during infusion", "2026-03-02");
        var after = await RecordAsync(code, "Headache next day", "2026-03-03");
        var notInfused = await RecordAsync(await EnrolAsync(), "Nausea", "2026-03-04");

        (await LoadAsync(Zip(Meddra()), "MedDRA")).EnsureSuccessStatusCode();
        await (await CodeAsync(before, "\"1\"", "90000002")).JsonAsync(HttpStatusCode.OK);
        var twoLevels = NextVersion();
        (await LoadAsync(Csv(TwoLevels), version: twoLevels)).EnsureSuccessStatusCode();
        await (await CodeAsync(after, "\"1\"", "T003")).JsonAsync(HttpStatusCode.OK);

        var csv = await CsvAsync(_statistician, "adverse-events");
        string[] Of(Guid id, params string[] columns) => [.. columns.Select(c => csv.Single(("AESPID", id.ToString()))[c])];
        string[] columns = ["AEDECOD", "AEBODSYS", "AELLT", "AELLTCD", "AEPTCD", "AESOCCD", "TRTEMFL"];

        Assert.That(Of(before, columns), Is.EqualTo(new[] { "Test preferred B", "Test class two", "Test term B", "90000002", "90000102", "90000902", "" }));
        Assert.That(Of(before, "AEDICT")[0], Does.StartWith("MedDRA v"));
        Assert.That(Of(sameDay, columns), Is.EqualTo(new[] { "", "", "", "", "", "", "Y" }), "uncoded; onset on the first infusion's date");
        Assert.That(Of(after, columns), Is.EqualTo(new[] { "Test term C", "Test class two", "", "", "", "", "Y" }), "a two-level dictionary has no MedDRA codes");
        Assert.That(Of(after, "AEDICT")[0], Is.EqualTo($"Test dictionary {twoLevels}"));
        Assert.That(Of(notInfused, "AEDECOD", "TRTEMFL"), Is.EqualTo(new[] { "", "" }), "no infusion yet");
        Assert.That(csv.Header, Does.Not.Contain("AETERM").And.Not.Contain("AECODSIT"), "the verbatim and the site's own term are free text");
        Assert.That(csv.Text, Does.Not.Contain("Headache next day"));

        var dictionary = await CsvAsync(_statistician, "dictionary");
        foreach (var column in columns.Append("AEDICT"))
        {
            var described = dictionary.Single(("dataset", "adverse-events"), ("name", column));
            Assert.That((described["free_text"], described["meaning"].Length > 20), Is.EqualTo(("FALSE", true)), column);
        }
        var withText = await CsvAsync(_host.Admin, "adverse-events", "?includeFreeText=true");
        Assert.That(withText.Single(("AESPID", after.ToString()))["AETERM"], Is.EqualTo("Headache next day"));
    }
}
