using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The blind holds everywhere: every GET the API publishes (found in its OpenAPI document, so a new endpoint is swept
/// the day it is added), called by every blinded role for randomised participants with every kind of data (infusions
/// from the pharmacy's preparations, guesses of the arm, an emergency unblinding), never answers with an arm's code,
/// name or drug, a dose per kg, or a total dose; and answers for a participant on one arm and one on the other, with the
/// same data, are the same size. The one place a blinded reader may read an arm's code is the guess column of the
/// blinding-guesses extract: a guess names the arm the rater or the participant thought of, never the arm (a guess is
/// blinded data); that column is checked to hold only guesses, and the rest of the file is swept like every other.
/// </summary>
public partial class BlindingSweepTests : BlindedStudyFixture
{
    private readonly List<string> _codes = [];
    private readonly Dictionary<string, string> _armOf = [];
    private readonly List<string> _assessmentIds = [], _adverseEventIds = [], _alertIds = [], _medicationIds = [];

    // Each participant's medication: a route naming the participant and the medication is compared with the other arm's own.
    private readonly Dictionary<string, string> _medicationOf = [];
    private readonly HashSet<decimal> _totalDoses = [];
    private string _unblindedCode = "";

    // A parameter anywhere in a path segment: {code}, and {dataset} in {dataset}.csv.
    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();

    private IReadOnlyList<string> _datasets = [];
    private IReadOnlyList<string> _screeningNumbers = [];

    [OneTimeSetUp]
    public async Task BuildStudyAsync()
    {
        // Four in one stratum: whatever the block sizes drawn, both arms are among them.
        for (var i = 0; i < 4; i++)
        {
            var code = await RandomisedAsync();
            _codes.Add(code);
            _armOf[code] = (await AllocationAsync(code))["arm"]!.GetValue<string>();
            await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
            // Today is past INF2's window, so the evaluation after this visit raises VISIT_MISSED for INF2, which the
            // discontinuation below supersedes. Waiting for it makes every participant's trail the same; otherwise
            // whether that evaluation ran before the discontinuation is a race, and the trails' sizes differ by chance.
            await WaitEvaluatedAsync(_host, code);
            var infusion = await _infusions.InfuseAsync(code, "INF1", Inf1Start);
            var preparation = await (await _pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).JsonAsync(HttpStatusCode.OK);
            _totalDoses.Add(preparation["totalDoseMg"]!.GetValue<decimal>());
            Assert.That(infusion["doseMgPerKg"], Is.Null);
            await VitalsAsync(_investigator, code, "INF1", "pre", 124, 79, 72, 98);
            _assessmentIds.Add((await AssessAtAsync(_investigator, code, "INF1", "pre", "MADRS", Madrs(24, item10: 2), Inf1Start.AddMinutes(-10))).ToString());
            _assessmentIds.Add((await AssessAtAsync(_investigator, code, "INF1", "t40", "CADSS", Cadss(30), Inf1Start.AddMinutes(40))).ToString());
            _adverseEventIds.Add((await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Dissociation")))["id"]!.GetValue<string>());
            // A benzodiazepine the day before INF1: CONMED_PROHIBITED names the medication and the infusion, never the arm.
            _medicationIds.Add((await (await PostAsync(_investigator, $"/api/v1/participants/{code}/concomitant-medications", new
            {
                name = "Lorazepam", atcCode = "N05BA06", dose = "1 mg", route = "oral", startDate = "2026-03-01", endDate = "2026-03-01", ongoing = false,
            })).JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>());
            _medicationOf[code] = _medicationIds[^1];
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Stopped after one infusion." }))
                .JsonAsync(HttpStatusCode.OK);
            // Guesses that name arms, which the blinded must never read back.
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/visits/INF1/blinding-guess", new { guesser = "rater", guess = "KET" })).JsonAsync(HttpStatusCode.Created);
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/visits/INF1/blinding-guess", new { guesser = "participant", guess = "MDZ" })).JsonAsync(HttpStatusCode.Created);
        }
        Assert.That(_armOf.Values.Distinct().Count(), Is.EqualTo(2), "both arms are in the sweep");
        // Every event coded to a dictionary, so the coding's routes and columns are swept with data in them.
        (await _host.Admin.PostAsync("/api/v1/coding/dictionaries?name=Test&version=1",
            new StringContent("termCode,term,socCode,soc\nT001,Test term A,S01,Test class one\n", Encoding.UTF8, "text/csv"))).EnsureSuccessStatusCode();
        foreach (var id in _adverseEventIds)
        {
            var read = await _investigator.GetAsync($"/api/v1/adverse-events/{id}");
            using var coding = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/adverse-events/{id}/coding") { Content = JsonContent.Create(new { dictionaryTermCode = "T001" }) };
            coding.Headers.IfMatch.Add(read.Headers.ETag!);
            await (await _coder.SendAsync(coding)).JsonAsync(HttpStatusCode.OK);
        }
        // One participant of an arm that has two or more of the four is unblinded, so both arms stay among the other three
        // (with blocks of 6 the first three can all be on one arm).
        _unblindedCode = _codes.Last(c => _codes.Count(o => _armOf[o] == _armOf[c]) >= 2);
        var unblinded = await (await PostAsync(_investigator, $"/api/v1/participants/{_unblindedCode}/unblinding", new { reason = "Emergency surgery." })).JsonAsync(HttpStatusCode.Created);
        Assert.That(unblinded["arm"]!.GetValue<string>(), Is.EqualTo(_armOf[_unblindedCode]));
        _screeningNumbers = [.. (await (await _investigator.GetAsync("/api/v1/screenings")).JsonArrayAsync()).Select(s => s!["screeningNumber"]!.GetValue<string>())];
        Assert.That(_screeningNumbers, Is.Not.Empty, "every participant has a screening");
        foreach (var code in _codes)
        {
            await WaitEvaluatedAsync(_host, code);
            _alertIds.AddRange((await AlertsAsync(_monitor, code, includeSuperseded: true)).Select(a => a!["id"]!.GetValue<string>()));
        }
        Assert.That(_alertIds, Is.Not.Empty);
        // Every dataset there is, as the unblinded statistician's dictionary lists them (the blinded are refused the unblinded ones).
        _datasets = [.. (await Exports.ExportTestKit.CsvAsync(_unblinded, "dictionary")).Rows.Select(r => r["dataset"]).Distinct()];
        Assert.That(_datasets, Does.Contain("randomisation-list").And.Contain("participants"));
    }

    /// <summary>What would tell the arm: its code, name or drug, its dose per kg, or a total dose prepared.</summary>
    private IReadOnlyList<string> Leaks(string body)
    {
        // The study's identifier (STUDYID in the SDTM-shaped datasets) is the same for every participant and tells no one's
        // arm, though the default one, KET-TRD-BPD, contains an arm code.
        body = body.Replace(_host.Protocol.ProtocolId, "", StringComparison.Ordinal);
        var leaks = new List<string>();
        foreach (var arm in _host.Protocol.Design.Arms)
        {
            // As a substring: glued to other text ("...35KET") it still tells the arm. Codes are capitals, nothing else in the API spells them so.
            if (body.Contains(arm.Code, StringComparison.Ordinal)) leaks.Add($"arm code {arm.Code}");
            foreach (var word in new[] { arm.Name, arm.Drug })
                if (body.Contains(word, StringComparison.OrdinalIgnoreCase)) leaks.Add($"'{word}'");
        }
        var doses = _host.Protocol.Design.Arms.Select(a => a.DoseMgPerKg).Concat(_totalDoses).ToHashSet();
        JsonNode? json = null;
        try { json = JsonNode.Parse(body); } catch (JsonException) { }
        foreach (var number in Numbers(json).Where(doses.Contains)) leaks.Add($"the number {number} (a dose)");
        return leaks;
    }

    private static IEnumerable<decimal> Numbers(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Numbers(p.Value)),
        JsonArray a => a.SelectMany(Numbers),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => [v.GetValue<decimal>()],
        _ => [],
    };

    /// <summary>Every GET path of the served OpenAPI document, with its parameters filled in every way the study's data allows.</summary>
    private async Task<IReadOnlyList<(string Template, string Url, string? Code)>> GetRequestsAsync()
    {
        var document = JsonNode.Parse(await (await _host.Client().GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync())!;
        var requests = new List<(string, string, string?)>();
        foreach (var (template, item) in document["paths"]!.AsObject().Where(p => p.Value!.AsObject().ContainsKey("get")))
        {
            IEnumerable<(string Url, string? Code)> urls = [(template, null)];
            foreach (var segment in template.Split('/'))
            {
                if (Parameter().Match(segment) is not { Success: true } match) continue;
                var values = ValuesOf(match.Groups[1].Value, template);
                urls = urls.SelectMany(u => values.Select(v => (u.Url.Replace(match.Value, Uri.EscapeDataString(v), StringComparison.Ordinal),
                    match.Groups[1].Value == "code" ? v : u.Code)));
            }
            foreach (var (url, code) in urls)
            {
                foreach (var query in QueriesOf(template))
                    requests.Add((template, url + query, code));
            }
        }
        return requests;
    }

    private IReadOnlyList<string> ValuesOf(string parameter, string template) => parameter switch
    {
        "code" => _codes,
        "visitCode" => ["BL", "INF1", "POST24"],
        "timepoint" => ["pre", "t40"],
        "id" when template.Contains("/assessments/", StringComparison.Ordinal) => _assessmentIds,
        "id" when template.Contains("/adverse-events/", StringComparison.Ordinal) => _adverseEventIds,
        "id" when template.Contains("/concomitant-medications/", StringComparison.Ordinal) => _medicationIds,
        "id" when template.Contains("/safety-alerts/", StringComparison.Ordinal) => _alertIds,
        "dataset" => _datasets,
        "screeningNumber" => _screeningNumbers,
        _ => throw new AssertionException($"The sweep does not know how to fill {{{parameter}}} in GET {template}: teach it, so the new endpoint is swept too."),
    };

    private static IReadOnlyList<string> QueriesOf(string template) => template switch
    {
        "/api/v1/audit" => ["?limit=1000", "?entity=allocation", "?entity=preparation", "?entity=unblinding", "?entity=blinding-guess", "?entity=safety-alert&limit=1000"],
        // A small page, so the sweep follows the Link header through later pages as a client would.
        "/api/v1/safety-alerts" => ["", "?includeSuperseded=true&limit=2", "?rule=UNBLINDED"],
        "/api/v1/visits/due" => ["", "?days=60&limit=1"],
        "/api/v1/participants/{code}/assessments" => ["?limit=1"],
        "/api/v1/participants/{code}/history" => ["?limit=5"],
        "/api/v1/users" => ["?limit=1"],
        "/api/v1/screenings" => ["?limit=2"],
        "/api/v1/participants/{code}/concomitant-medications" => ["?limit=1"],
        "/api/v1/randomisation/allocations" => ["?limit=1"],
        "/api/v1/randomisation/list" => ["?stratum=" + Uri.EscapeDataString("WAW/MADRS<35")],
        _ => [""],
    };

    private int _laterPages;

    /// <summary>The text of every later page of a paged list, following its Link header as a client would (empty for the rest).</summary>
    private async Task<string> LaterPagesAsync(HttpClient client, HttpResponseMessage response, bool asPage)
    {
        var text = new StringBuilder();
        for (var next = Paging.PageReader.Next(response); next is not null;)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            if (asPage) request.Headers.Accept.ParseAdd("text/html");
            var page = await client.SendAsync(request);
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), next);
            text.Append('\n').Append(await TextOfAsync(page));
            next = Paging.PageReader.Next(page);
            _laterPages++;
        }
        return text.ToString();
    }

    /// <summary>
    /// What a response says, as text: a zip (the extract bundles) is opened and every file in it read, not its compressed bytes.
    /// The blinding-guesses file, alone or in a zip, is read without its guess column (see <see cref="WithoutGuesses"/>).
    /// </summary>
    private async Task<string> TextOfAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/zip")
        {
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && response.RequestMessage!.RequestUri!.AbsolutePath.EndsWith("/exports/blinding-guesses.csv", StringComparison.Ordinal)
                ? WithoutGuesses(body)
                : body;
        }
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var text = new StringBuilder();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            var file = await reader.ReadToEndAsync();
            text.Append(entry.FullName).Append('\n').Append(entry.FullName == "blinding-guesses.csv" ? WithoutGuesses(file) : file).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// The blinding-guesses file without its guess column, after checking that the column holds guesses only (an arm code
    /// or unknown, as the rater and the participant answered): the guess names the arm they thought of, not the arm, and
    /// the study's guesses name both arms for participants of either. Every other column is swept as it is.
    /// </summary>
    private string WithoutGuesses(string csvText)
    {
        var csv = Exports.ExportTestKit.Parse(csvText);
        Assert.That(csv.Rows.Select(r => r["guess"]).Distinct(), Is.SubsetOf(Trial.Core.Randomisation.BlindingGuesses.Answers(_host.Protocol.Design)));
        var kept = csv.Header.Where(h => h != "guess").ToList();
        return string.Join("\n", csv.Rows.Select(r => string.Join(",", kept.Select(h => r[h]))).Prepend(string.Join(",", kept)));
    }

    /// <summary>The GET paths whose 200 the OpenAPI document also declares as text/html (a printable page): swept as pages too.</summary>
    private async Task<IReadOnlySet<string>> HtmlTemplatesAsync()
    {
        var document = JsonNode.Parse(await (await _host.Client().GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync())!;
        return document["paths"]!.AsObject()
            .Where(p => p.Value!["get"]?["responses"]?["200"]?["content"]?.AsObject().ContainsKey("text/html") == true)
            .Select(p => p.Key).ToHashSet();
    }

    [Test]
    public async Task EveryGet_ForEveryBlindedRole_NeverShowsArmDrugOrDose()
    {
        var requests = await GetRequestsAsync();
        var pages = await HtmlTemplatesAsync();
        var (answered, answeredAsPage) = (0, 0);
        var failures = new List<string>();
        var followed = new HashSet<string>();
        foreach (var (role, client) in Blinded())
        {
            foreach (var (template, url, _) in requests)
            {
                foreach (var asPage in pages.Contains(template) ? new[] { false, true } : [false])
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    if (asPage) request.Headers.Accept.ParseAdd("text/html");
                    var response = await client.SendAsync(request);
                    var later = await LaterPagesAsync(client, response, asPage);
                    if (later.Length > 0) followed.Add(template);
                    var body = await TextOfAsync(response) + later;
                    if (response.StatusCode == HttpStatusCode.OK) answered++;
                    if (response.StatusCode == HttpStatusCode.OK && asPage) answeredAsPage++;
                    foreach (var leak in Leaks(body)) failures.Add($"{role} GET {url}{(asPage ? " as text/html" : "")} ({(int)response.StatusCode}): {leak}");
                }
            }
        }

        Assert.That(failures, Is.Empty);
        Assert.That(requests.Select(r => r.Template).Distinct().Count(), Is.GreaterThan(25), "the sweep reads the whole OpenAPI document");
        Assert.That(requests.Select(r => r.Url), Does.Contain("/api/v1/exports/participants.csv").And.Contain("/api/v1/exports/bundle.zip")
                .And.Contain("/api/v1/exports/exposure.csv").And.Contain("/api/v1/exports/vital-signs.csv").And.Contain("/api/v1/exports/blinding-guesses.csv")
                .And.Contain("/api/v1/exports/subjects.csv").And.Contain("/api/v1/exports/odm.xml"),
            "the datasets are swept one by one, the bundle and the ODM document");
        Assert.That(requests.Select(r => r.Url), Does.Contain("/api/v1/reports/consort").And.Contain("/api/v1/exports"),
            "the CONSORT flow (pooled for the blinded) and the list of datasets are swept");
        Assert.That(answered, Is.GreaterThan(100), "the blinded roles were answered, not only refused");
        Assert.That(_laterPages, Is.GreaterThan(0), "later pages of the paged lists were swept too");
        Assert.That(followed, Is.SupersetOf(new[]
        {
            "/api/v1/safety-alerts", "/api/v1/participants/{code}/assessments", "/api/v1/participants/{code}/history", "/api/v1/visits/due", "/api/v1/users",
            "/api/v1/screenings",
        }), "the later pages of each paged list a blinded role may read were swept");
        Assert.That(pages, Does.Contain("/api/v1/reports/dmc/open"));
        Assert.That(answeredAsPage, Is.GreaterThan(0), "a blinded role read a page (the open DMC report's, as monitor and admin)");
    }

    /// <summary>
    /// A pharmacist or unblinded statistician whose access awaits a second admin's approval reads like a blinded role: every
    /// GET the API publishes is swept for them too. What the request, the approval and a change of access answer (the user,
    /// their access and the request) never tells an arm either.
    /// </summary>
    [TestCase("pharmacist")]
    [TestCase("unblinded-statistician")]
    public async Task EveryGet_ForAnUnblindedRoleAwaitingApproval_NeverShowsArmDrugOrDose_NorDoTheAccessAnswers(string role)
    {
        var created = await (await PostAsync(_host.Admin, "/api/v1/users", new { name = $"Awaiting {role}", role, sites = new[] { "WAW", "KRK" } })).JsonAsync(HttpStatusCode.Created);
        var (client, id) = (_host.Client(await _host.ActivateAsync(created["activationCode"]!.GetValue<string>())), created["id"]!.GetValue<string>());
        var failures = new List<string>();
        var refused = 0;
        foreach (var (_, url, _) in await GetRequestsAsync())
        {
            var response = await client.GetAsync(url);
            var body = await TextOfAsync(response) + await LaterPagesAsync(client, response, false);
            if (response.StatusCode == HttpStatusCode.Forbidden && body.Contains("awaits a second admin's approval", StringComparison.Ordinal)) refused++;
            foreach (var leak in Leaks(body)) failures.Add($"{role} awaiting approval GET {url} ({(int)response.StatusCode}): {leak}");
        }

        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("the change", await _host.Admin.PutJsonAsync($"/api/v1/users/{id}/access", new { role, sites = new[] { "WAW" }, reason = "WAW only." })),
            ("the approval", await (await _host.SecondAdminAsync()).PostAsync($"/api/v1/users/{id}/approval", null)),
            ("the users", await _host.Admin.GetAsync("/api/v1/users")),
        };
        foreach (var (what, response) in answers)
        {
            Assert.That((int)response.StatusCode, Is.InRange(200, 299), what);
            foreach (var leak in Leaks(await response.Content.ReadAsStringAsync())) failures.Add($"{what}: {leak}");
        }

        Assert.That(failures, Is.Empty);
        Assert.That(refused, Is.GreaterThan(0), "the arm routes were refused for want of approval");
    }

    [Test]
    public async Task EveryGetForAParticipant_ForEveryBlindedRole_SameSizeForEitherArm()
    {
        // Two participants with the same data, one on each arm (the one unblinded has more data and is left out).
        var ket = _codes.First(c => c != _unblindedCode && _armOf[c] == "KET");
        var mdz = _codes.First(c => c != _unblindedCode && _armOf[c] == "MDZ");
        var requests = (await GetRequestsAsync()).Where(r => r.Code == ket).ToList();
        var differing = new List<string>();
        foreach (var (role, client) in Blinded())
        {
            foreach (var (_, url, _) in requests)
            {
                var a = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
                // The two participants' medications swap places too, so each is read under its own participant.
                var other = url.Replace(ket, mdz, StringComparison.Ordinal).Replace(_medicationOf[ket], "\0", StringComparison.Ordinal)
                    .Replace(_medicationOf[mdz], _medicationOf[ket], StringComparison.Ordinal).Replace("\0", _medicationOf[mdz], StringComparison.Ordinal);
                var b = await (await client.GetAsync(other)).Content.ReadAsStringAsync();
                (a, b) = (WithoutSequenceNumbers(a), WithoutSequenceNumbers(b));
                if (a.Length != b.Length) differing.Add($"{role} GET {url}: {a.Length} against {b.Length} characters");
            }
        }

        Assert.That(requests, Is.Not.Empty);
        Assert.That(differing, Is.Empty);
    }

    /// <summary>
    /// The audit trail's row numbers ("id":987 against "id":1003) are the order in which the whole study's writes landed,
    /// background jobs' included: one participant's can cross a power of ten and the other's not, whatever their arms.
    /// </summary>
    private static string WithoutSequenceNumbers(string json) => SequenceNumber().Replace(json, "\"id\":0");

    [System.Text.RegularExpressions.GeneratedRegex("\"id\":[0-9]+")]
    private static partial System.Text.RegularExpressions.Regex SequenceNumber();

    [Test]
    public async Task ExportsListAndConsort_ForEveryBlindedRole_NeverNameTheRandomisationListNorAnArmKey()
    {
        foreach (var (role, client) in Blinded())
        {
            var datasets = await (await client.GetAsync("/api/v1/exports")).Content.ReadAsStringAsync();
            Assert.That(datasets, Does.Not.Contain("randomisation-list").And.Not.Contain("ARMCD"), role);
            var consort = await client.GetAsync("/api/v1/reports/consort");
            if (consort.StatusCode != HttpStatusCode.OK) continue;
            var keys = Keys(JsonNode.Parse(await consort.Content.ReadAsStringAsync()));
            Assert.That(keys, Has.None.Contains("arm").IgnoreCase, role);
        }
    }

    private static IEnumerable<string> Keys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Keys(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Keys),
        _ => [],
    };

    public async Task ExposureVitalsAndGuesses_ForTheBlinded_ParticipantsOnEitherArmWithTheSameData_HaveTheSameRows()
    {
        // The datasets' every blinded column: nothing in them may differ with the arm. Only the participant's own code (in the
        // preparation's label too) and the records' ids differ between two participants.
        var ket = _codes.First(c => c != _unblindedCode && _armOf[c] == "KET");
        var mdz = _codes.First(c => c != _unblindedCode && _armOf[c] == "MDZ");
        (string Dataset, string Participant, string Id)[] datasets = [("exposure", "USUBJID", "EXSPID"), ("vital-signs", "USUBJID", "VSSPID"), ("blinding-guesses", "participant_code", "guess_id")];
        foreach (var (role, client) in new[] { ("statistician", _statistician), ("admin", _host.Admin) })
        {
            foreach (var (dataset, participant, id) in datasets)
            {
                var csv = await Exports.ExportTestKit.CsvAsync(client, dataset);
                List<string> RowsOf(string code) =>
                    [.. csv.Where(participant, code).Select(r => string.Join(",", csv.Header.Select(h => h == id ? "" : r[h].Replace(code, "{code}", StringComparison.Ordinal))))];
                Assert.That(RowsOf(ket), Is.Not.Empty, $"{role}: {dataset}");
                Assert.That(RowsOf(mdz), Is.EqualTo(RowsOf(ket)), $"{role}: {dataset}");
            }
        }
    }

    [Test]
    public async Task SubjectsCsv_ForEveryBlindedRole_TwoParticipantsWithTheSameDataOnEitherArm_DifferOnlyInWhoTheyAre()
    {
        // subjects.csv derives flags and dates from randomisation, infusions, medications and disposition: with the same data on
        // either arm, no column but the identifiers may tell the two apart (a dose, a volume, a label or an arm would).
        var ket = _codes.First(c => c != _unblindedCode && _armOf[c] == "KET");
        var mdz = _codes.First(c => c != _unblindedCode && _armOf[c] == "MDZ");
        var read = 0;
        foreach (var (role, client) in Blinded())
        {
            var response = await client.GetAsync("/api/v1/exports/subjects.csv");
            if (response.StatusCode == HttpStatusCode.Forbidden) continue;
            var csv = Exports.ExportTestKit.ParseBytes(await response.Content.ReadAsByteArrayAsync());
            var (a, b) = (csv.Single(("USUBJID", ket)), csv.Single(("USUBJID", mdz)));
            Assert.That(csv.Header.Where(column => a[column] != b[column]), Is.EqualTo(new[] { "USUBJID", "SCRNNO" }), role);
            Assert.That((a["ITTFL"], a["SAFFL"], a["NUMINF"], a["EOTSTT"], a["DCTREAS"]), Is.EqualTo(("Y", "Y", "1", "DISCONTINUED", "ADVERSE EVENT")), role);
            Assert.That(csv.Single(("USUBJID", _unblindedCode))["UNBLNDFL"], Is.EqualTo("Y"), role);
            read++;
        }

        Assert.That(read, Is.EqualTo(2), "the statistician and the admin read it");
    }

    [Test]
    public async Task Leaks_InWhatTheUnblindedRead_AreFound()
    {
        // The detector itself: the unblinded statistician's view of the same participant is full of what the sweep looks for.
        var code = _codes[0];
        var allocation = await (await _unblinded.GetAsync($"/api/v1/participants/{code}/allocation")).Content.ReadAsStringAsync();
        var preparation = await (await _pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).Content.ReadAsStringAsync();

        var unblindedBundle = await TextOfAsync(await _unblinded.GetAsync("/api/v1/exports/unblinded.zip"));
        var consortByArm = await (await _unblinded.GetAsync("/api/v1/reports/consort")).Content.ReadAsStringAsync();
        var datasets = await (await _unblinded.GetAsync("/api/v1/exports")).Content.ReadAsStringAsync();

        Assert.That(Leaks(allocation), Has.Some.StartsWith("arm code").And.Some.StartsWith("the number"));
        Assert.That(Leaks(preparation), Has.Some.Contains("a dose"));
        Assert.That(Leaks(unblindedBundle), Has.Some.StartsWith("arm code"), "a zip is read file by file");
        Assert.That(Leaks(consortByArm), Has.Some.StartsWith("arm code"), "the CONSORT flow by arm");
        Assert.That(datasets, Does.Contain("randomisation-list"), "the unblinded list of datasets names the randomisation list");
    }
}
