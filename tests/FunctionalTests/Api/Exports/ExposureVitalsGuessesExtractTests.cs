using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Tests.Api.Randomisation;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// exposure.csv, vital-signs.csv and blinding-guesses.csv of a double-blind study entered through the API, read back as the
/// blinded statistician, the admin and the unblinded statistician and compared value by value with what was entered.
/// GDA keeps Warsaw's time (UTC+1 in March): its participant's INF1 starts at 00:05 there, 23:05 UTC the evening
/// before, so the files must date it 2 March (INF1's day, study day 1), not 1 March. WAW keeps UTC.
/// </summary>
public class ExposureVitalsGuessesExtractTests : BlindedStudyFixture
{
    private static readonly string[] ArmColumnNames = ["ARMCD", "ARM", "STRATUM", "RANDNO"];
    private static readonly string[] DoseColumnNames = ["EXTRT", "EXDOSE", "EXDOSU", "EXDOSPKG"];

    private static readonly string[] ExposureHeader =
    [
        "STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXSPID", "VISITNUM", "VISIT", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY", "EXDUR", "EXDURMIN", "EXROUTE",
        "EXVAMT", "EXVAMTU", "EXWTKG", "EXREFID", "EXREVNUM",
    ];

    private static readonly string[] VitalSignsHeader =
    [
        "STUDYID", "DOMAIN", "USUBJID", "VSSEQ", "VSSPID", "VSTESTCD", "VSTEST", "VSORRES", "VSORRESU", "VSSTRESC", "VSSTRESN", "VSSTRESU", "VSBLFL",
        "VISITNUM", "VISIT", "VSTPT", "VSTPTNUM", "VSELTM", "VSTPTREF", "VSRFTDTC", "VSDTC", "VSDY", "VSREVNUM",
    ];

    private static readonly string[] GuessesHeader =
    [
        "guess_id", "participant_code", "site", "visit_code", "visit_num", "guesser", "guess", "infusion_number", "minutes_after_infusion_end",
        "guessed_utc", "guessed_local", "study_day", "recorded_utc",
    ];

    // GDA's participant: INF1 just after local midnight; INF2 stopped at 45 of the 50 ml after 45 minutes, weighed again.
    private static readonly DateTime GdaInf1Start = new(2026, 3, 1, 23, 5, 0, DateTimeKind.Utc);
    private static readonly DateTime GdaInf2Start = new(2026, 3, 5, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime GdaRaterGuess = new(2026, 3, 1, 23, 55, 0, DateTimeKind.Utc);
    private static readonly DateTime GdaParticipantGuess = new(2026, 3, 2, 1, 15, 0, DateTimeKind.Utc);

    private HttpClient _statisticianOfAll = null!, _unblindedOfAll = null!, _gdaInvestigator = null!;
    private InfusionKit _gdaInfusions = null!;
    private string _gda = "", _waw = "";
    private readonly Dictionary<string, Guid> _vitalIds = [];
    private readonly Dictionary<string, JsonObject> _given = [];
    private readonly Dictionary<string, JsonObject> _guesses = [];

    [OneTimeSetUp]
    public async Task EnterStudyAsync()
    {
        (await _host.Admin.PostAsJsonAsync("/api/v1/sites", new { code = "GDA", name = "Gdansk", timeZone = "Europe/Warsaw" })).EnsureSuccessStatusCode();
        _gdaInvestigator = await _host.UserAsync("investigator", "GDA");
        _gdaInfusions = new InfusionKit(_host, _gdaInvestigator, "GDA");
        _statisticianOfAll = await _host.UserAsync("statistician", "WAW", "GDA");
        _unblindedOfAll = await _host.UserAsync("unblinded-statistician", "WAW", "GDA");

        _gda = await RandomisedAsync(30, _gdaInvestigator, "GDA");
        await TrialHost.RecordVisitAsync(_gdaInvestigator, _gda, "INF1", Inf1Day);
        _given[$"{_gda} INF1"] = await _gdaInfusions.InfuseAsync(_gda, "INF1", GdaInf1Start);
        _vitalIds[$"{_gda} INF1 pre"] = await VitalsAsync(_gdaInvestigator, _gda, "INF1", "pre", 128, 82, 76, 97);
        _vitalIds[$"{_gda} INF1 t40"] = await VitalsAsync(_gdaInvestigator, _gda, "INF1", "t40", 141, 88, 84, 96);
        _vitalIds[$"{_gda} INF1 t120"] = await VitalsAsync(_gdaInvestigator, _gda, "INF1", "t120", 131, 80, 78, 98);
        _guesses[$"{_gda} rater"] = await GuessAsync(_gdaInvestigator, _gda, "rater", "KET", GdaRaterGuess);
        _guesses[$"{_gda} participant"] = await GuessAsync(_gdaInvestigator, _gda, "participant", "unknown", GdaParticipantGuess);
        await TrialHost.RecordVisitAsync(_gdaInvestigator, _gda, "INF2", new DateOnly(2026, 3, 5));
        var inf2 = await _gdaInfusions.PreparedBodyAsync(_gda, "INF2", GdaInf2Start, weightKg: 62.4m) with { EndUtc = GdaInf2Start.AddMinutes(45), VolumeMl = 45m };
        _given[$"{_gda} INF2"] = await (await _gdaInvestigator.PostAsJsonAsync($"/api/v1/participants/{_gda}/visits/INF2/infusion", inf2)).JsonAsync(HttpStatusCode.Created);
        // Recorded before INF2's pre-infusion vitals, though measured after them: the file puts them in the order of the study.
        _vitalIds[$"{_gda} INF2 t40"] = await VitalsAsync(_gdaInvestigator, _gda, "INF2", "t40", 125, 79, 70, 99);
        _vitalIds[$"{_gda} INF2 pre"] = await VitalsAsync(_gdaInvestigator, _gda, "INF2", "pre", 120, 76, 68, 98);

        _waw = await RandomisedAsync(26);
        await TrialHost.RecordVisitAsync(_investigator, _waw, "INF1", Inf1Day);
        _given[$"{_waw} INF1"] = await _infusions.InfuseAsync(_waw, "INF1", Inf1Start);
        _vitalIds[$"{_waw} INF1 pre"] = await VitalsAsync(_investigator, _waw, "INF1", "pre", 118, 74, 66, 99);
        _guesses[$"{_waw} participant"] = await GuessAsync(_investigator, _waw, "participant", "MDZ", Inf1Start.AddMinutes(70));
        foreach (var code in new[] { _gda, _waw }) await WaitEvaluatedAsync(_host, code);
    }

    private static async Task<JsonObject> GuessAsync(HttpClient investigator, string code, string guesser, string guess, DateTime guessedUtc) =>
        await (await investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/blinding-guess", new { guesser, guess, guessedUtc }))
            .JsonAsync(HttpStatusCode.Created);

    private IEnumerable<(string Role, HttpClient Client)> BlindedReaders() => [("statistician", _statisticianOfAll), ("admin", _host.Admin)];

    private async Task<JsonObject> PreparationAsync(string code, string visit)
    {
        var pharmacist = code == _gda ? await _gdaInfusions.PharmacistAsync() : _pharmacist;
        return await (await pharmacist.GetAsync($"/api/v1/participants/{code}/visits/{visit}/preparation")).JsonAsync(HttpStatusCode.OK);
    }

    private async Task<JsonObject> AllocationOfAsync(string code) =>
        await (await _unblindedOfAll.GetAsync($"/api/v1/participants/{code}/allocation")).JsonAsync(HttpStatusCode.OK);

    private static string Text(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task Exposure_BlindedReaders_EveryInfusionAsEntered_NothingOfTheSyringesContents()
    {
        var volume = Text(_host.Protocol.Design.Preparation!.VolumeMl);
        foreach (var (role, client) in BlindedReaders())
        {
            var csv = await CsvAsync(client, "exposure");
            Assert.That(csv.Header, Is.EqualTo(ExposureHeader), role);
            Assert.That(Entered(csv, "USUBJID").Select(r => (r["USUBJID"], r["EXSEQ"], r["VISIT"])),
                Is.EqualTo(new[] { (_gda, "1", "INF1"), (_gda, "2", "INF2"), (_waw, "1", "INF1") }), $"{role}: site, participant, then start");
            Assert.That(csv.Rows.Select(r => (r["STUDYID"], r["DOMAIN"])).Distinct(), Is.EqualTo(new[] { (_host.Protocol.ProtocolId, "EX") }), role);

            // 23:05 UTC on 1 March is 00:05 on 2 March in Gdansk: INF1's own date, study day 1 (a UTC date would make it day -1).
            var gda1 = csv.Single(("USUBJID", _gda), ("VISIT", "INF1"));
            Assert.That(Values(gda1, "EXSPID", "VISITNUM", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY", "EXDUR", "EXDURMIN", "EXROUTE", "EXVAMT", "EXVAMTU", "EXWTKG", "EXREFID", "EXREVNUM"),
                Is.EqualTo(new[]
                {
                    _given[$"{_gda} INF1"]["id"]!.GetValue<string>(), "3", "2026-03-02T00:05:00+01:00", "2026-03-02T00:45:00+01:00", "1", "1", "PT40M", "40",
                    "INTRAVENOUS", volume, "mL", "61.5", InfusionKit.Label(_gda, "INF1"), "1",
                }), role);
            var gda2 = csv.Single(("USUBJID", _gda), ("VISIT", "INF2"));
            Assert.That(Values(gda2, "EXSPID", "VISITNUM", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY", "EXDUR", "EXDURMIN", "EXVAMT", "EXWTKG", "EXREFID"),
                Is.EqualTo(new[]
                {
                    _given[$"{_gda} INF2"]["id"]!.GetValue<string>(), "5", "2026-03-05T09:00:00+01:00", "2026-03-05T09:45:00+01:00", "4", "4", "PT45M", "45",
                    "45", "62.4", InfusionKit.Label(_gda, "INF2"),
                }), role);
            var waw = csv.Single(("USUBJID", _waw));
            Assert.That(Values(waw, "EXSTDTC", "EXENDTC", "EXSTDY", "EXDUR", "EXVAMT", "EXWTKG", "EXREFID"),
                Is.EqualTo(new[] { "2026-03-02T08:10:00+00:00", "2026-03-02T08:50:00+00:00", "1", "PT40M", volume, "61.5", InfusionKit.Label(_waw, "INF1") }),
                $"{role}: a UTC site's offset is +00:00");
        }
    }

    [Test]
    public async Task Exposure_UnblindedStatistician_AddsTheDrugAndDoseThePharmacyPrepared_ThenTheArm()
    {
        var blinded = await CsvAsync(_statisticianOfAll, "exposure");
        var csv = await CsvAsync(_unblindedOfAll, "exposure");
        Assert.That(csv.Header, Is.EqualTo(ExposureHeader.Concat(DoseColumnNames).Concat(ArmColumnNames)));
        Assert.That(csv.Rows, Has.Count.EqualTo(blinded.Rows.Count));
        foreach (var (b, u) in blinded.Rows.Zip(csv.Rows))
            Assert.That(ExposureHeader.Select(h => u[h]), Is.EqualTo(ExposureHeader.Select(h => b[h])), "the blinded columns as they are");
        foreach (var row in csv.Rows)
        {
            var (code, visit) = (row["USUBJID"], row["VISIT"]);
            var preparation = await PreparationAsync(code, visit);
            var allocation = await AllocationOfAsync(code);
            var arm = _host.Protocol.Design.FindArm(allocation["arm"]!.GetValue<string>())!;
            Assert.That(Values(row, "EXTRT", "EXDOSE", "EXDOSU", "EXDOSPKG"), Is.EqualTo(new[]
            {
                arm.Drug, Text(preparation["totalDoseMg"]!.GetValue<decimal>()), "mg", Text(preparation["doseMgPerKg"]!.GetValue<decimal>()),
            }), $"{code} {visit}");
            Assert.That(Values(row, "ARMCD", "ARM", "STRATUM", "RANDNO"), Is.EqualTo(new[]
            {
                arm.Code, arm.Name, allocation["stratum"]!.GetValue<string>(), Number(allocation["randomisationNumber"]!.GetValue<int>()),
            }), $"{code} {visit}");
        }
    }

    [Test]
    public async Task VitalSigns_EveryMeasurementAndTimepoint_AsEntered_BaselineOnInf1Pre()
    {
        (string Key, int Systolic, int Diastolic, int HeartRate, int Spo2)[] entered =
        [
            ($"{_gda} INF1 pre", 128, 82, 76, 97), ($"{_gda} INF1 t40", 141, 88, 84, 96), ($"{_gda} INF1 t120", 131, 80, 78, 98),
            ($"{_gda} INF2 pre", 120, 76, 68, 98), ($"{_gda} INF2 t40", 125, 79, 70, 99), ($"{_waw} INF1 pre", 118, 74, 66, 99),
        ];
        var expected = entered.SelectMany(e =>
        {
            var (code, visit, timepoint) = (e.Key.Split(' ')[0], e.Key.Split(' ')[1], e.Key.Split(' ')[2]);
            // GDA's INF1 started at 00:05 local (23:05 UTC the day before); its INF2 at 09:00 local; WAW keeps UTC.
            var (visitNum, date, day, start) = code != _gda ? ("3", "2026-03-02", "1", "2026-03-02T08:10:00+00:00")
                : visit == "INF1" ? ("3", "2026-03-02", "1", "2026-03-02T00:05:00+01:00")
                : ("5", "2026-03-05", "4", "2026-03-05T09:00:00+01:00");
            var (tptNum, elapsed) = timepoint switch { "pre" => ("1", ""), "t40" => ("2", "PT40M"), _ => ("3", "PT120M") };
            var baseline = visit == "INF1" && timepoint == "pre" ? "Y" : "";
            return new (string Code, string Unit, int Value)[] { ("SYSBP", "mmHg", e.Systolic), ("DIABP", "mmHg", e.Diastolic), ("HR", "beats/min", e.HeartRate), ("OXYSAT", "%", e.Spo2) }
                .Select(t => new[]
                {
                    _host.Protocol.ProtocolId, "VS", code, _vitalIds[e.Key].ToString(), t.Code, t.Unit, Number(t.Value), Number(t.Value), t.Unit, baseline, visitNum, visit,
                    timepoint, tptNum, elapsed, "INFUSION START", start, date, day, "1",
                });
        }).ToList();
        string[] compared = ["STUDYID", "DOMAIN", "USUBJID", "VSSPID", "VSTESTCD", "VSORRESU", "VSORRES", "VSSTRESN", "VSSTRESU", "VSBLFL", "VISITNUM", "VISIT",
            "VSTPT", "VSTPTNUM", "VSELTM", "VSTPTREF", "VSRFTDTC", "VSDTC", "VSDY", "VSREVNUM"];

        foreach (var (role, client) in BlindedReaders().Append(("unblinded-statistician", _unblindedOfAll)))
        {
            var csv = await CsvAsync(client, "vital-signs");
            Assert.That(csv.Header, Is.EqualTo(role == "unblinded-statistician" ? VitalSignsHeader.Concat(ArmColumnNames) : VitalSignsHeader), role);
            // In the order of the study: visit, timepoint, then test, whatever order they were entered in.
            Assert.That(Entered(csv, "USUBJID").Select(r => Values(r, compared)), Is.EqualTo(expected), role);
            foreach (var subject in csv.Rows.GroupBy(r => r["USUBJID"]))
                Assert.That(subject.Select(r => r["VSSEQ"]), Is.EqualTo(Enumerable.Range(1, subject.Count()).Select(Number)), $"{role}: {subject.Key}");
            Assert.That(csv.Rows.Select(r => (r["VSTESTCD"], r["VSTEST"])).Distinct(), Is.EqualTo(new[]
            {
                ("SYSBP", "Systolic Blood Pressure"), ("DIABP", "Diastolic Blood Pressure"), ("HR", "Heart Rate"), ("OXYSAT", "Oxygen Saturation"),
            }), role);
            Assert.That(csv.Rows.Select(r => r["VSSTRESC"]), Is.EqualTo(csv.Rows.Select(r => r["VSORRES"])), role);
            Assert.That(Entered(csv, "USUBJID").Count(r => r["VSBLFL"] == "Y"), Is.EqualTo(2 * 4), $"{role}: one baseline per participant and test");
        }
    }

    [Test]
    public async Task VitalSigns_ACorrection_RaisesTheRevisionAndComesBackInAnIncrementalPull()
    {
        // A participant of its own, so the other tests' expectations stay as entered.
        var code = await RandomisedAsync(28);
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        await _infusions.InfuseAsync(code, "INF1", Inf1Start.AddHours(2));
        var id = await VitalsAsync(_investigator, code, "INF1", "t40", 130, 85, 80, 97);
        _host.Clock.Advance(TimeSpan.FromMinutes(10));
        var since = _host.Clock.GetUtcNow().UtcDateTime;
        var url = $"/api/v1/participants/{code}/visits/INF1/vitals/t40";
        var current = await _investigator.GetAsync(url);
        var corrected = await _investigator.SendAsync(Put(url, new { timepoint = "t40", systolic = 132, diastolic = 85, heartRate = 80, spo2 = 97, reason = "Misread." },
            current.Headers.ETag!.Tag));
        await corrected.JsonAsync(HttpStatusCode.OK);

        var pulled = await CsvAsync(_statisticianOfAll, "vital-signs", $"?since={since:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        Assert.That(pulled.Rows.Select(r => (r["USUBJID"], r["VSSPID"], r["VSTESTCD"], r["VSORRES"], r["VSREVNUM"])), Is.EqualTo(new[]
        {
            (code, id.ToString(), "SYSBP", "132", "2"), (code, id.ToString(), "DIABP", "85", "2"), (code, id.ToString(), "HR", "80", "2"), (code, id.ToString(), "OXYSAT", "97", "2"),
        }));
        Assert.That(pulled.Rows.Select(r => r["VSBLFL"]), Is.All.Empty, "t40 is not the baseline");
    }

    [Test]
    public async Task Exposure_ACorrection_RaisesTheRevisionAndComesBackInAnIncrementalPull()
    {
        // A participant of its own, so the other tests' expectations stay as entered.
        var code = await RandomisedAsync(27);
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        var body = await _infusions.PreparedBodyAsync(code, "INF1", Inf1Start.AddHours(3));
        var given = await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/INF1/infusion", body)).JsonAsync(HttpStatusCode.Created);
        _host.Clock.Advance(TimeSpan.FromMinutes(10));
        var since = _host.Clock.GetUtcNow().UtcDateTime;
        Assert.That((await CsvAsync(_statisticianOfAll, "exposure", $"?since={since:yyyy-MM-dd'T'HH:mm:ss'Z'}")).Rows, Is.Empty, "nothing changed since");

        var url = $"/api/v1/participants/{code}/visits/INF1/infusion";
        var current = await _investigator.GetAsync(url);
        var corrected = await _investigator.SendAsync(Put(url, body with { VolumeMl = 48m, Reason = "Volume misread." }, current.Headers.ETag!.Tag));
        await corrected.JsonAsync(HttpStatusCode.OK);

        var pulled = await CsvAsync(_statisticianOfAll, "exposure", $"?since={since:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        Assert.That(pulled.Rows.Select(r => (r["USUBJID"], r["EXSPID"], r["EXVAMT"], r["EXREVNUM"])),
            Is.EqualTo(new[] { (code, given["id"]!.GetValue<string>(), "48", "2") }));
    }

    [Test]
    public async Task BlindingGuesses_BlindedReaders_EveryGuessAsEntered_NeverWhetherItWasRight()
    {
        foreach (var (role, client) in BlindedReaders())
        {
            var csv = await CsvAsync(client, "blinding-guesses");
            Assert.That(csv.Header, Is.EqualTo(GuessesHeader), role);
            Assert.That(csv.Rows, Has.Count.EqualTo(_guesses.Count), role);
            foreach (var (key, guess) in _guesses)
            {
                var row = csv.Single(("guess_id", guess["id"]!.GetValue<string>()));
                var code = key.Split(' ')[0];
                var guessed = guess["guessedUtc"]!.GetValue<DateTime>().ToUniversalTime();
                Assert.That(Values(row, "participant_code", "site", "visit_code", "visit_num", "guesser", "guess", "infusion_number", "minutes_after_infusion_end", "guessed_utc"),
                    Is.EqualTo(new[]
                    {
                        code, code[..3], "INF1", "3", guess["guesser"]!.GetValue<string>(), guess["guess"]!.GetValue<string>(), Number(guess["infusionNumber"]!.GetValue<int>()),
                        Number(guess["minutesAfterInfusionEnd"]!.GetValue<int>()), guessed.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    }), $"{role}: {key}");
                Assert.That(row["recorded_utc"], Is.EqualTo(guess["recordedUtc"]!.GetValue<DateTime>().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
            }
            // 23:55 UTC on 1 March is 00:55 on 2 March in Gdansk: INF1's day, study day 1.
            var gdaRater = csv.Single(("participant_code", _gda), ("guesser", "rater"));
            Assert.That(Values(gdaRater, "guess", "infusion_number", "minutes_after_infusion_end", "guessed_utc", "guessed_local", "study_day"),
                Is.EqualTo(new[] { "KET", "1", "10", "2026-03-01T23:55:00Z", "2026-03-02T00:55:00+01:00", "1" }), role);
            var wawParticipant = csv.Single(("participant_code", _waw));
            Assert.That(Values(wawParticipant, "guessed_local", "study_day", "minutes_after_infusion_end"), Is.EqualTo(new[] { "2026-03-02T09:20:00+00:00", "1", "30" }), role);
            Assert.That(csv.Header.Where(h => h.Contains("correct", StringComparison.OrdinalIgnoreCase) || h.Contains("arm", StringComparison.OrdinalIgnoreCase)), Is.Empty, role);
        }
    }

    [Test]
    public async Task BlindingGuesses_UnblindedStatistician_TheSameRowsWithTheArmToCompareWith()
    {
        var blinded = await CsvAsync(_statisticianOfAll, "blinding-guesses");
        var csv = await CsvAsync(_unblindedOfAll, "blinding-guesses");
        Assert.That(csv.Header, Is.EqualTo(GuessesHeader.Concat(ArmColumnNames)));
        Assert.That(csv.Rows.Select(r => Values(r, GuessesHeader)), Is.EqualTo(blinded.Rows.Select(r => Values(r, GuessesHeader))));
        foreach (var row in csv.Rows)
        {
            var allocation = await AllocationOfAsync(row["participant_code"]);
            Assert.That(Values(row, "ARMCD", "STRATUM", "RANDNO"), Is.EqualTo(new[]
            {
                allocation["arm"]!.GetValue<string>(), allocation["stratum"]!.GetValue<string>(), Number(allocation["randomisationNumber"]!.GetValue<int>()),
            }));
        }
    }

    [Test]
    public async Task Dictionary_DescribesEachNewFileAsItsReaderGetsIt()
    {
        foreach (var (role, client) in BlindedReaders().Append(("unblinded-statistician", _unblindedOfAll)))
        {
            var dictionary = await CsvAsync(client, "dictionary");
            foreach (var dataset in new[] { "exposure", "vital-signs", "blinding-guesses" })
            {
                var rows = dictionary.Where("dataset", dataset).ToList();
                Assert.That(rows.Select(r => r["name"]), Is.EqualTo((await CsvAsync(client, dataset)).Header), $"{role}: {dataset}");
                Assert.That(rows.Where(r => r["meaning"].Length == 0 || r["source"].Length == 0 || r["label"].Length == 0), Is.Empty, $"{role}: {dataset}");
            }
            var exposure = dictionary.Where("dataset", "exposure").ToDictionary(r => r["name"]);
            Assert.That(exposure["EXVAMT"]["meaning"], Does.Contain("Blind-safe"));
            Assert.That(exposure["EXSTDTC"]["type"], Is.EqualTo("datetime"));
            Assert.That(exposure.Values.Where(r => r["unblinded_only"] == "TRUE").Select(r => r["name"]),
                Is.EqualTo(role == "unblinded-statistician" ? DoseColumnNames.Concat(ArmColumnNames) : []), role);
        }
    }

    /// <summary>The rows of the participants entered for these tests (a test may add one of its own).</summary>
    private IEnumerable<IReadOnlyDictionary<string, string>> Entered(Csv csv, string participant) => csv.Rows.Where(r => r[participant] == _gda || r[participant] == _waw);

    private static string[] Values(IReadOnlyDictionary<string, string> row, params string[] columns) => [.. columns.Select(c => row[c])];
}

/// <summary>
/// exposure.csv of the single-arm, open-label protocol: the investigator records the dose, there is no preparation, so no
/// volume or label; the drug and the dose are still the unblinded statistician's columns, read from the infusion itself.
/// </summary>
public class OpenLabelExposureExtractTests
{
    [Test]
    public async Task Exposure_OpenLabel_TheDoseRecordedByTheInvestigator_ForTheUnblindedStatistician()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.OpenLabel));
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var statistician = await host.UserAsync("statistician", "WAW");
        var unblinded = await host.UserAsync("unblinded-statistician", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");
        await TrialHost.RecordVisitAsync(investigator, code, "INF1", BlindedStudyFixture.Inf1Day);
        var infusion = await new InfusionKit(host, investigator).InfuseAsync(code, "INF1", BlindedStudyFixture.Inf1Start, weightKg: 70m);

        var blinded = (await CsvAsync(statistician, "exposure")).Single(("USUBJID", code));
        Assert.That(blinded.Keys, Has.None.StartWith("EXDOS").And.None.EqualTo("EXTRT"));
        Assert.That((blinded["EXSPID"], blinded["EXSTDTC"], blinded["EXSTDY"], blinded["EXWTKG"], blinded["EXVAMT"], blinded["EXVAMTU"], blinded["EXREFID"]),
            Is.EqualTo((infusion["id"]!.GetValue<string>(), "2026-03-02T08:10:00+00:00", "1", "70", "", "", "")));

        var row = (await CsvAsync(unblinded, "exposure")).Single(("USUBJID", code));
        var arm = host.Protocol.Design.Arms.Single();
        Assert.That((row["EXTRT"], row["EXDOSE"], row["EXDOSU"], row["EXDOSPKG"]), Is.EqualTo((arm.Drug, "35", "mg", "0.5")), "0.5 mg/kg for 70 kg");
        Assert.That(row["ARMCD"], Is.Empty, "nobody is randomised in a single-arm study");
    }
}
