using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;
using Trial.Tests.Api.Exports;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The CONSORT flow over HTTP on the double-blind protocol, for a small trial entered through the API at WAW: three screen
/// failures (one failing two criteria), an eligible candidate never enrolled, a participant enrolled from an eligible screening
/// and never randomised, and six
/// randomised in one stratum (so both arms are among them): one given all four infusions and followed to FU-M6 (completed), one
/// whose infusions were stopped after INF2 (ADVERSE EVENT) and who stays in follow-up, one withdrawn after INF1 (WITHDRAWAL BY
/// SUBJECT), one lost to follow-up after INF1, one given INF1 and still in the study, and one withdrawn before any infusion
/// (PHYSICIAN DECISION). KRK has one screen failure, which WAW's readers never count. Every number is checked against what was
/// entered and against the extracts (screening.csv, participants.csv, disposition.csv, exposure.csv, subjects.csv), pooled and arm
/// by arm. Adverse events (one coded, one not), a medication, vital signs and a guess complete the trial: every new dataset is
/// read back against what was entered, with study days either side of the first infusion.
/// </summary>
public class ConsortReportTests : BlindedStudyFixture
{
    private string _completed = "", _discontinued = "", _withdrawn = "", _lost = "", _ongoing = "", _withdrawnBeforeInfusion = "", _notRandomised = "";
    private readonly List<string> _randomised = [];

    [OneTimeSetUp]
    public async Task EnterTrialAsync()
    {
        await ScreenAsync(_investigator, "WAW", trials: 1);
        await ScreenAsync(_investigator, "WAW", trials: 1, bpd: false);
        await ScreenAsync(_investigator, "WAW", psychotic: true);
        await ScreenAsync(_investigator, "WAW");
        await ScreenAsync(_krkInvestigator, "KRK", bpd: false);

        foreach (var _ in Enumerable.Range(0, 6)) _randomised.Add(await RandomisedAsync());
        (_completed, _discontinued, _withdrawn, _lost, _ongoing, _withdrawnBeforeInfusion) =
            (_randomised[0], _randomised[1], _randomised[2], _randomised[3], _randomised[4], _randomised[5]);
        // Enrolled from a screening recorded on its own, as a site does when consent follows screening.
        var screened = await ScreenAsync(_investigator, "WAW");
        _notRandomised = (await (await _investigator.PostAsJsonAsync("/api/v1/participants", new
        {
            siteCode = "WAW", sex = "M", birthYear = 1988, weightKg = 72.5m, enrolledDate = "2026-02-16", screeningNumber = screened["screeningNumber"]!.GetValue<string>(),
        })).JsonAsync(HttpStatusCode.Created))["code"]!.GetValue<string>();

        foreach (var code in _randomised.Take(5))
        {
            await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
            await _infusions.InfuseAsync(code, "INF1", Inf1Start);
        }
        foreach (var code in new[] { _completed, _discontinued }) await InfuseAsync(code, "INF2", new DateOnly(2026, 3, 5));
        await InfuseAsync(_completed, "INF3", new DateOnly(2026, 3, 9));

        await Expect(PostAsync(_investigator, $"/api/v1/participants/{_discontinued}/discontinuation",
            new { date = "2026-03-06", reasonCode = "ADVERSE EVENT", reason = "Severe dissociation." }));
        await Expect(PostAsync(_investigator, $"/api/v1/participants/{_withdrawn}/withdrawal",
            new { date = "2026-03-04", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Consent withdrawn." }));
        await Expect(PostAsync(_investigator, $"/api/v1/participants/{_lost}/withdrawal",
            new { date = "2026-03-09", reasonCode = "LOST TO FOLLOW-UP", reason = "No answer." }));
        await Expect(PostAsync(_investigator, $"/api/v1/participants/{_withdrawnBeforeInfusion}/withdrawal",
            new { date = "2026-03-03", reasonCode = "PHYSICIAN DECISION", reason = "Not fit for infusions." }));

        await EnterClinicalDataAsync();

        // INF4 on 12 March (after the host's first day), then six months on, the last follow-up visit: completed.
        _host.Clock.Advance(TimeSpan.FromDays(3));
        await InfuseAsync(_completed, "INF4", new DateOnly(2026, 3, 12));
        _host.Clock.Advance(TimeSpan.FromDays(185));
        await TrialHost.RecordVisitAsync(_investigator, _completed, "FU-M6", new DateOnly(2026, 9, 10));
        foreach (var code in _randomised.Append(_notRandomised)) await WaitSettledAsync(_host, code);
    }

    private Guid _codedEvent, _uncodedEvent, _medication;

    /// <summary>
    /// The rest of what a site and a coder enter: an adverse event on INF1's day coded to a term of a (made-up) dictionary and one
    /// the day before left uncoded, a medication started the day before INF1, vital signs before and 40 minutes into INF1 and a
    /// guess of the arm after it.
    /// </summary>
    private async Task EnterClinicalDataAsync()
    {
        var dictionary = new StringContent("termCode,term,socCode,soc\nT001,Test term A,S01,Test class one\n", System.Text.Encoding.UTF8, "text/csv");
        (await _host.Admin.PostAsync("/api/v1/coding/dictionaries?name=Test%20dictionary&version=consort-1", dictionary)).EnsureSuccessStatusCode();
        _codedEvent = Guid.Parse((await RecordAdverseEventAsync(_investigator, _completed, AdverseEvent("Spinning sensation") with { OnsetDate = "2026-03-02" }))["id"]!.GetValue<string>());
        await (await _coder.SendAsync(Put($"/api/v1/adverse-events/{_codedEvent}/coding", new { dictionaryTermCode = "T001" }, "\"1\""))).JsonAsync(HttpStatusCode.OK);
        _uncodedEvent = Guid.Parse((await RecordAdverseEventAsync(_investigator, _ongoing, AdverseEvent("Headache") with { OnsetDate = "2026-03-01" }))["id"]!.GetValue<string>());
        _medication = Guid.Parse((await (await PostAsync(_investigator, $"/api/v1/participants/{_ongoing}/concomitant-medications", new
        {
            name = "Paracetamol", atcCode = "N02BE01", dose = "1 g", route = "oral", startDate = "2026-03-01", ongoing = true, indication = "Headache",
        })).JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>());
        await VitalsAsync(_investigator, _completed, "INF1", "pre", 124, 78, 70, 98);
        await VitalsAsync(_investigator, _completed, "INF1", "t40", 138, 86, 82, 97);
        await Expect(PostAsync(_investigator, $"/api/v1/participants/{_completed}/visits/INF1/blinding-guess", new { guesser = "participant", guess = "unknown", guessedUtc = Inf1Start.AddHours(4) }), HttpStatusCode.Created);
    }

    [Test]
    public async Task EndToEnd_EveryNewDataset_ParsedBack_AsEntered_WithStudyDaysAroundTheFirstInfusion()
    {
        var subjects = await CsvAsync(_statistician, "subjects");
        (string Code, string Itt, string Safety, string Infusions, string EndOfTreatment, string TreatmentReason, string EndOfStudy, string StudyReason)[] expected =
        [
            (_completed, "Y", "Y", "4", "COMPLETED", "", "COMPLETED", ""),
            (_discontinued, "Y", "Y", "2", "DISCONTINUED", "ADVERSE EVENT", "ONGOING", ""),
            (_withdrawn, "Y", "Y", "1", "DISCONTINUED", "WITHDRAWAL BY SUBJECT", "DISCONTINUED", "WITHDRAWAL BY SUBJECT"),
            (_lost, "Y", "Y", "1", "DISCONTINUED", "LOST TO FOLLOW-UP", "DISCONTINUED", "LOST TO FOLLOW-UP"),
            (_ongoing, "Y", "Y", "1", "ONGOING", "", "ONGOING", ""),
            // Left before any infusion: treatment never began, so it has no end.
            (_withdrawnBeforeInfusion, "Y", "N", "0", "", "", "DISCONTINUED", "PHYSICIAN DECISION"),
            // Still in the study and may yet be randomised and treated: treatment has not ended.
            (_notRandomised, "N", "N", "0", "ONGOING", "", "ONGOING", ""),
        ];
        Assert.That(subjects.Rows.Select(r => r["USUBJID"]), Is.EquivalentTo(expected.Select(e => e.Code)), "one row per participant enrolled at WAW");
        foreach (var e in expected)
        {
            var row = subjects.Single(("USUBJID", e.Code));
            Assert.That((row["ITTFL"], row["SAFFL"], row["NUMINF"], row["EOTSTT"], row["DCTREAS"], row["EOSSTT"], row["DCSREAS"]),
                Is.EqualTo((e.Itt, e.Safety, e.Infusions, e.EndOfTreatment, e.TreatmentReason, e.EndOfStudy, e.StudyReason)), e.Code);
        }
        var completed = subjects.Single(("USUBJID", _completed));
        Assert.That((completed["TRTSDT"], completed["TRTEDT"], completed["RFSTDTC"]), Is.EqualTo(("2026-03-02", "2026-03-12", "2026-03-02T08:10:00+00:00")));

        // One exposure row per infusion given, day 1 on INF1's date.
        var exposure = await CsvAsync(_statistician, "exposure");
        foreach (var e in expected)
            Assert.That(exposure.Where("USUBJID", e.Code).Count(), Is.EqualTo(int.Parse(e.Infusions, System.Globalization.CultureInfo.InvariantCulture)), e.Code);
        Assert.That(exposure.Rows.Where(r => r["VISIT"] == "INF1").Select(r => r["EXSTDY"]).Distinct(), Is.EqualTo(new[] { "1" }));
        Assert.That(exposure.Single(("USUBJID", _completed), ("VISIT", "INF2"))["EXSTDY"], Is.EqualTo("4"), "5 March, three days after day 1");

        var vitals = await CsvAsync(_statistician, "vital-signs");
        Assert.That(vitals.Rows.Select(r => $"{r["USUBJID"]} {r["VSTPT"]} {r["VSTESTCD"]} {r["VSORRES"]} {r["VSBLFL"]} {r["VSDY"]}"), Is.EquivalentTo(new[]
        {
            $"{_completed} pre SYSBP 124 Y 1", $"{_completed} pre DIABP 78 Y 1", $"{_completed} pre HR 70 Y 1", $"{_completed} pre OXYSAT 98 Y 1",
            $"{_completed} t40 SYSBP 138  1", $"{_completed} t40 DIABP 86  1", $"{_completed} t40 HR 82  1", $"{_completed} t40 OXYSAT 97  1",
        }));

        var guesses = await CsvAsync(_statistician, "blinding-guesses");
        Assert.That(guesses.Rows.Select(r => $"{r["participant_code"]} {r["visit_code"]} {r["guesser"]} {r["guess"]}"), Is.EqualTo(new[] { $"{_completed} INF1 participant unknown" }));

        var events = await CsvAsync(_statistician, "adverse-events");
        var coded = events.Single(("AESPID", _codedEvent.ToString()));
        Assert.That((coded["USUBJID"], coded["AEDECOD"], coded["AEBODSYS"], coded["AESTDY"], coded["TRTEMFL"]), Is.EqualTo((_completed, "Test term A", "Test class one", "1", "Y")));
        var uncoded = events.Single(("AESPID", _uncodedEvent.ToString()));
        Assert.That((uncoded["USUBJID"], uncoded["AEDECOD"], uncoded["AEBODSYS"], uncoded["AESTDY"], uncoded["TRTEMFL"]), Is.EqualTo((_ongoing, "", "", "-1", "")),
            "the day before INF1 is day -1 (there is no day 0), and an onset before the first infusion is not treatment-emergent (ADaM: Y or empty)");

        var medications = await CsvAsync(_statistician, "concomitant-medications");
        var medication = medications.Single(("CMSPID", _medication.ToString()));
        Assert.That((medication["USUBJID"], medication["CMTRT"], medication["CMSTDTC"], medication["CMSTDY"], medication["CMENRTPT"]),
            Is.EqualTo((_ongoing, "Paracetamol", "2026-03-01", "-1", "ONGOING")));

        // The blinded files hold none of the arms' codes, names or drugs.
        foreach (var file in new[] { subjects, exposure, vitals, guesses, events, medications })
        {
            foreach (var arm in _host.Protocol.Design.Arms)
                Assert.That(file.Text, Does.Not.Contain(arm.Name).IgnoreCase.And.Not.Contain(arm.Drug).IgnoreCase);
        }
    }

    private async Task InfuseAsync(string code, string visit, DateOnly date)
    {
        await TrialHost.RecordVisitAsync(_investigator, code, visit, date);
        await _infusions.InfuseAsync(code, visit, date.ToDateTime(new TimeOnly(8, 10), DateTimeKind.Utc));
    }

    private static async Task<JsonObject> ScreenAsync(HttpClient investigator, string site, int trials = 2, bool bpd = true, bool psychotic = false) =>
        await (await investigator.PostAsJsonAsync("/api/v1/screenings", new
        {
            siteCode = site, date = "2026-02-10",
            eligibility = new { failedAntidepressantTrials = trials, psychotherapyWithoutResponse = true, bpdDiagnosis = bpd, psychoticPersonalityOrganisation = psychotic, highSuicideRisk = false },
        })).JsonAsync(HttpStatusCode.Created);

    private static async Task Expect(Task<HttpResponseMessage> sent, HttpStatusCode status = HttpStatusCode.OK) => await (await sent).JsonAsync(status);

    private SortedDictionary<string, int> InfusionsFromExposure(Csv exposure, Csv disposition) =>
        ConsortCounts.InfusionsFromExposure(exposure, disposition, "INF1", _host.Protocol.InfusionVisits.Count());

    private static async Task<JsonObject> ConsortAsync(HttpClient client, string query = "") =>
        await (await client.GetAsync($"/api/v1/reports/consort{query}")).JsonAsync(HttpStatusCode.OK);

    /// <summary>What was entered at WAW, as the report's counts (see <see cref="ConsortCounts.Of"/> for the keys).</summary>
    private static readonly SortedDictionary<string, int> EnteredAtWaw = new(StringComparer.Ordinal)
    {
        ["screening.assessedForEligibility"] = 11, // 3 failures, 1 eligible not enrolled, 7 enrolled (6 with their enrolment, 1 from its screening)
        ["screening.excluded.total"] = 3,
        ["screening.excluded.byCriterion.failedAntidepressantTrials"] = 2,
        ["screening.excluded.byCriterion.psychotherapyWithoutResponse"] = 0,
        ["screening.excluded.byCriterion.bpdDiagnosis"] = 1,
        ["screening.excluded.byCriterion.psychoticPersonalityOrganisation"] = 1,
        ["screening.eligible"] = 8,
        ["screening.eligibleNotEnrolled"] = 1,
        ["enrolled"] = 7,
        ["enrolledNotRandomised"] = 1,
        ["flow.randomised"] = 6,
        ["flow.receivedFirstInfusion"] = 5,
        ["flow.receivedAllInfusions"] = 1,
        // The participant who left during the infusions without a recorded discontinuation ended treatment with the withdrawal's reason.
        ["flow.discontinuedInfusions.total"] = 3,
        ["flow.discontinuedInfusions.byReason.ADVERSE EVENT"] = 1,
        ["flow.discontinuedInfusions.byReason.WITHDRAWAL BY SUBJECT"] = 1,
        ["flow.discontinuedInfusions.byReason.LOST TO FOLLOW-UP"] = 1,
        ["flow.lostToFollowUp"] = 1,
        ["flow.withdrawn.total"] = 2,
        ["flow.withdrawn.byReason.WITHDRAWAL BY SUBJECT"] = 1,
        ["flow.withdrawn.byReason.PHYSICIAN DECISION"] = 1,
        ["flow.completed"] = 1,
        ["flow.ongoing"] = 2,
        ["flow.analysed.intentionToTreat"] = 6,
        ["flow.analysed.safety"] = 5,
    };

    [Test]
    public async Task Consort_BlindedReaders_EveryNumberAsEntered_PooledWithNoArmAnywhere()
    {
        foreach (var (role, client) in new[] { ("statistician", _statistician), ("admin", _host.Admin) })
        {
            var report = await ConsortAsync(client, "?site=WAW");

            Assert.That(ConsortCounts.Of(report).Where(c => c.Value != 0), Is.EqualTo(EnteredAtWaw.Where(c => c.Value != 0)), role);
            Assert.That(ConsortCounts.Of(report).Keys, Is.SupersetOf(EnteredAtWaw.Keys), $"{role}: every reason is listed, zero or not");
            Assert.That(ConsortCounts.Keys(report), Has.None.Contains("arm").IgnoreCase, $"{role}: no key that could hold an arm");
            var text = report.ToJsonString();
            foreach (var arm in _host.Protocol.Design.Arms)
            {
                Assert.That(text, Does.Not.Contain(arm.Code).And.Not.Contain(arm.Name).IgnoreCase.And.Not.Contain(arm.Drug).IgnoreCase, role);
            }
            Assert.That(report.ContainsKey("protocolId"), Is.False, $"{role}: the study's identifier names a drug");
            Assert.That(report["screening"]!["excluded"]!["note"]!.GetValue<string>(), Does.Contain("each criterion"), role);
        }
    }

    [Test]
    public async Task Consort_Pooled_EqualsWhatTheExtractsGive()
    {
        var report = ConsortCounts.Of(await ConsortAsync(_statistician));
        var fromExtracts = ConsortCounts.FromExtracts(
            await CsvAsync(_statistician, "screening"), await CsvAsync(_statistician, "participants"), await CsvAsync(_statistician, "disposition"));

        Assert.That(report.Where(c => c.Value != 0), Is.EqualTo(fromExtracts.Where(c => c.Value != 0)));
        foreach (var (key, count) in InfusionsFromExposure(await CsvAsync(_statistician, "exposure"), await CsvAsync(_statistician, "disposition")))
            Assert.That(report[key], Is.EqualTo(count), $"{key}, as exposure.csv has the infusions");
        foreach (var (key, count) in ConsortCounts.FromSubjects(await CsvAsync(_statistician, "subjects"), _host.Protocol.InfusionVisits.Count()))
            Assert.That(report[key], Is.EqualTo(count), $"{key}, as subjects.csv flags it");
        Assert.That(report.Where(c => c.Value != 0), Is.EqualTo(EnteredAtWaw.Where(c => c.Value != 0)), "the statistician of WAW reads WAW only");
    }

    [Test]
    public async Task Consort_UnblindedStatistician_ArmsSumToThePooledFlow_EachAsItsExtractsAndTheRandomisationListSay()
    {
        var report = await ConsortAsync(_unblinded, "?site=WAW");
        var pooled = ConsortCounts.Of(report);
        Assert.That(pooled.Where(c => c.Value != 0), Is.EqualTo(EnteredAtWaw.Where(c => c.Value != 0)), "the total is the blinded readers' flow");
        Assert.That(report["protocolId"]!.GetValue<string>(), Is.EqualTo(_host.Protocol.ProtocolId));

        var arms = report["arms"]!.AsArray().Select(a => a!.AsObject()).ToList();
        Assert.That(arms.Select(a => a["arm"]!.GetValue<string>()), Is.EqualTo(_host.Protocol.Design.Arms.Select(a => a.Code)));
        var flows = arms.ToDictionary(a => a["arm"]!.GetValue<string>(), a => ConsortCounts.Of(a["flow"]!.AsObject(), "flow"));
        foreach (var (key, total) in pooled.Where(c => c.Key.StartsWith("flow.", StringComparison.Ordinal)))
            Assert.That(flows.Values.Sum(f => f[key]), Is.EqualTo(total), key);

        var disposition = await CsvAsync(_unblinded, "disposition", "?site=WAW");
        var exposure = await CsvAsync(_unblinded, "exposure", "?site=WAW");
        var subjects = await CsvAsync(_unblinded, "subjects", "?site=WAW");
        var list = await CsvAsync(_unblinded, "randomisation-list");
        foreach (var (arm, flow) in flows)
        {
            var armOnly = disposition with { Rows = [.. disposition.Where("ARMCD", arm)] };
            Assert.That(flow.Where(c => c.Value != 0), Is.EqualTo(ConsortCounts.FlowFromDisposition(armOnly).Where(c => c.Value != 0)), arm);
            foreach (var (key, count) in InfusionsFromExposure(exposure with { Rows = [.. exposure.Where("ARMCD", arm)] }, armOnly))
                Assert.That(flow[key], Is.EqualTo(count), $"{arm}: {key}, as exposure.csv has the infusions");
            var armSubjects = subjects with { Rows = [.. subjects.Where("ARMCD", arm)] };
            foreach (var (key, count) in ConsortCounts.FromSubjects(armSubjects, _host.Protocol.InfusionVisits.Count()).Where(c => c.Key.StartsWith("flow.", StringComparison.Ordinal)))
                Assert.That(flow[key], Is.EqualTo(count), $"{arm}: {key}, as subjects.csv flags it");
            var allocated = _randomised.Count(c => list.Rows.Any(r => r["participant_code"] == c && r["ARMCD"] == arm));
            Assert.That(flow["flow.randomised"], Is.EqualTo(allocated), $"{arm}: as the randomisation list allocates");
            Assert.That(flow["flow.randomised"], Is.GreaterThan(0), $"{arm}: both arms are in the trial");
        }
        foreach (var code in _randomised)
        {
            var arm = (await AllocationAsync(code))["arm"]!.GetValue<string>();
            Assert.That(disposition.Where("USUBJID", code).Select(r => r["ARMCD"]), Is.All.EqualTo(arm), code);
        }
    }

    [Test]
    public async Task Consort_EverySite_CountsKrksScreenFailure_OneSiteOnlyItsOwn()
    {
        var all = ConsortCounts.Of(await ConsortAsync(_host.Admin));
        var krk = ConsortCounts.Of(await ConsortAsync(_host.Admin, "?site=KRK"));
        // Every site there is (another test of this fixture adds one), each read on its own.
        var sites = (await (await _host.Admin.GetAsync("/api/v1/sites")).JsonArrayAsync()).Select(s => s!["code"]!.GetValue<string>()).ToList();
        var bySite = new List<SortedDictionary<string, int>>();
        foreach (var site in sites) bySite.Add(ConsortCounts.Of(await ConsortAsync(_host.Admin, $"?site={site}")));

        Assert.That((krk["screening.assessedForEligibility"], krk["screening.excluded.byCriterion.bpdDiagnosis"], krk["enrolled"], krk["flow.randomised"]),
            Is.EqualTo((1, 1, 0, 0)));
        Assert.That(all["screening.excluded.total"], Is.EqualTo(EnteredAtWaw["screening.excluded.total"] + 1), "WAW's and KRK's screen failures");
        foreach (var key in all.Keys) Assert.That(bySite.Sum(s => s[key]), Is.EqualTo(all[key]), key);
    }

    [Test]
    public async Task ConsortQueries_AnEnrolmentCommittedAfterTheCutOff_IsNotCounted()
    {
        await _host.CreateSiteAsync("GDA");
        var gda = await _host.UserAsync("investigator", "GDA");
        var db = _host.Services.GetRequiredService<Database>();
        var visits = new ConsortVisits("INF1", ["INF1", "INF2", "INF3", "INF4"], "INF4", "FU-M6");

        // The clock is read once the snapshot is fixed: an enrolment committed then is after the cut-off, so not in this read.
        var (_, screenings, participants) = await db.ReadAsync(c => ConsortQueries.ReadAsync(c, ["GDA"], visits, () =>
        {
            TrialHost.EnrolAsync(gda, "GDA").GetAwaiter().GetResult();
            return _host.Clock.GetUtcNow().UtcDateTime;
        }));
        var (_, screeningsAfter, participantsAfter) = await db.ReadAsync(c => ConsortQueries.ReadAsync(c, ["GDA"], visits, () => _host.Clock.GetUtcNow().UtcDateTime));

        Assert.That((screenings.Count, participants.Count), Is.EqualTo((0, 0)));
        Assert.That((screeningsAfter.Count, participantsAfter.Count), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task Consort_Refusals_AreProblemJson_NamingTheSiteOrTheRole()
    {
        var otherSite = await (await _statistician.GetAsync("/api/v1/reports/consort?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(otherSite["detail"]!.GetValue<string>(), Does.Contain("KRK"));
        var unknown = await (await _host.Admin.GetAsync("/api/v1/reports/consort?site=NOPE")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(unknown["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "site" }));
        foreach (var client in new[] { _investigator, _monitor, _pharmacist, _coder })
            await (await client.GetAsync("/api/v1/reports/consort")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _host.Client().GetAsync("/api/v1/reports/consort")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Consort_Pull_IsAuditedWithoutItsContents_CutOffIsTheSnapshotTime()
    {
        var report = await ConsortAsync(_unblinded);
        var now = _host.Clock.GetUtcNow().UtcDateTime;
        Assert.That(report["cutoffUtc"]!.GetValue<DateTime>(), Is.EqualTo(now));

        var page = await (await _host.Admin.GetAsync("/api/v1/audit?entity=extract&id=reports/consort")).JsonAsync(HttpStatusCode.OK);
        var pull = page["items"]!.AsArray().Last()!;
        Assert.That((pull["action"]!.GetValue<string>(), pull["role"]!.GetValue<string>()), Is.EqualTo(("arm-read", "unblinded-statistician")), "a report by arm is a read of arm data");
        Assert.That(pull["newValue"]!.AsObject().Select(p => p.Key).Order(), Is.EqualTo(new[] { "byArm", "cutoffUtc", "generatedUtc", "report", "sites" }));
        Assert.That(pull["newValue"]!["byArm"]!.GetValue<bool>(), Is.True);
    }
}
