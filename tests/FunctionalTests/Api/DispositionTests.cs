using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Tests.Api.Randomisation;
using static Trial.Tests.Api.Exports.ExportTestKit;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api;

/// <summary>
/// Disposition over HTTP on the double-blind protocol: coded reasons on discontinuation and withdrawal (the site's words
/// for admins only), lost to follow-up as a withdrawal so coded, completion when FU-M6 is recorded, and disposition.csv
/// read back against what was entered, for the blinded, the admin with free text and the unblinded statistician.
/// Four randomised participants, INF1 on 2 March: one whose infusions stopped after INF2, one withdrawn, one lost to
/// follow-up and one who completed (INF4 on 12 March, FU-M6 on 10 September).
/// </summary>
public class DispositionTests : BlindedStudyFixture
{
    private const string StopWords = "Severe dissociation at INF2", WithdrawWords = "Consent withdrawn by phone", LostWords = "No answer to calls since INF1";
    private static readonly DateOnly Inf4 = new(2026, 3, 12), FuM6 = new(2026, 9, 10);

    private string _discontinued = "", _withdrawn = "", _lost = "", _completed = "";

    [OneTimeSetUp]
    public async Task EnterAsync()
    {
        _discontinued = await RandomisedAsync();
        _withdrawn = await RandomisedAsync();
        _lost = await RandomisedAsync();
        _completed = await RandomisedAsync();
        foreach (var code in new[] { _discontinued, _withdrawn, _lost, _completed }) await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        foreach (var code in new[] { _discontinued, _completed }) await TrialHost.RecordVisitAsync(_investigator, code, "INF2", new DateOnly(2026, 3, 5));
        await TrialHost.RecordVisitAsync(_investigator, _completed, "INF3", new DateOnly(2026, 3, 9));

        await (await PostAsync(_investigator, $"/api/v1/participants/{_discontinued}/discontinuation",
            new { date = "2026-03-06", reasonCode = "ADVERSE EVENT", reason = StopWords })).JsonAsync(HttpStatusCode.OK);
        await (await PostAsync(_investigator, $"/api/v1/participants/{_withdrawn}/withdrawal",
            new { date = "2026-03-04", reasonCode = "WITHDRAWAL BY SUBJECT", reason = WithdrawWords })).JsonAsync(HttpStatusCode.OK);
        await (await PostAsync(_investigator, $"/api/v1/participants/{_lost}/withdrawal",
            new { date = "2026-03-09", reasonCode = "LOST TO FOLLOW-UP", reason = LostWords })).JsonAsync(HttpStatusCode.OK);

        // Six months on: the last infusion and the last follow-up visit.
        _host.Clock.Advance(TimeSpan.FromDays(190));
        await TrialHost.RecordVisitAsync(_investigator, _completed, "INF4", Inf4);
        await TrialHost.RecordVisitAsync(_investigator, _completed, "FU-M6", FuM6);
    }

    private async Task<JsonObject> ParticipantAsync(HttpClient client, string code) =>
        await (await client.GetAsync($"/api/v1/participants/{code}")).JsonAsync(HttpStatusCode.OK);

    [Test]
    public async Task Participant_CodesForEveryReader_TheSitesWordsForAdminsOnly()
    {
        foreach (var (role, client) in new[] { ("investigator", _investigator), ("monitor", _monitor) })
        {
            var lost = await ParticipantAsync(client, _lost);
            Assert.That((lost["status"]!.GetValue<string>(), lost["withdrawalReasonCode"]!.GetValue<string>(), lost["withdrawnDate"]!.GetValue<string>()),
                Is.EqualTo(("withdrawn", "LOST TO FOLLOW-UP", "2026-03-09")), role);
            Assert.That(lost["withdrawalReason"], Is.Null, role);
            var stopped = await ParticipantAsync(client, _discontinued);
            Assert.That((stopped["discontinuationReasonCode"]!.GetValue<string>(), stopped["discontinuationReason"]), Is.EqualTo(("ADVERSE EVENT", (JsonNode?)null)), role);
        }
        var asAdmin = await ParticipantAsync(_host.Admin, _lost);
        Assert.That(asAdmin["withdrawalReason"]!.GetValue<string>(), Is.EqualTo(LostWords));
        Assert.That((await ParticipantAsync(_host.Admin, _discontinued))["discontinuationReason"]!.GetValue<string>(), Is.EqualTo(StopWords));
    }

    [Test]
    public async Task Completed_WhenFuM6IsRecorded_AuditedAndNoLongerWithdrawable()
    {
        await WaitSettledAsync(_host, _completed);
        var completed = await ParticipantAsync(_investigator, _completed);
        Assert.That(completed["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        var history = await HistoryAsync(_completed);
        var completion = history.Last(r => r!["entityType"]!.GetValue<string>() == "participant")!;
        Assert.That(completion["action"]!.GetValue<string>(), Is.EqualTo("state-change"));
        Assert.That(completion["newValue"]!["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(completion["reason"]!.GetValue<string>(), Does.Contain("FU-M6"));

        var refused = await (await PostAsync(_investigator, $"/api/v1/participants/{_completed}/withdrawal",
            new { date = "2026-09-12", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Late." })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("completed"));
        Assert.That((await ParticipantAsync(_investigator, _completed))["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(await HistoryAsync(_completed), Has.Count.EqualTo(history.Count), "nothing written");
    }

    [Test]
    public async Task WrongOrMissingReasonCode_Is422NamingReasonCodeWithTheAllowedValues_AndStoresNothing()
    {
        var code = await EnrolAsync();
        await WaitSettledAsync(_host, code);
        var before = await HistoryAsync(code);
        foreach (var (url, body) in new (string, object)[]
        {
            ($"/api/v1/participants/{code}/withdrawal", new { date = "2026-09-16", reasonCode = "Lost to follow-up", reason = "x" }),
            ($"/api/v1/participants/{code}/withdrawal", new { date = "2026-09-16", reason = "x" }),
            ($"/api/v1/participants/{code}/discontinuation", new { date = "2026-09-16", reasonCode = "AE", reason = "x" }),
            ($"/api/v1/participants/{code}/discontinuation", new { date = "2026-09-16", reason = "x" }),
        })
        {
            var problem = await (await PostAsync(_investigator, url, body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "reasonCode" }), url);
            var message = problem["errors"]!["reasonCode"]![0]!.GetValue<string>();
            foreach (var allowed in new[] { "ADVERSE EVENT", "LACK OF EFFICACY", "WITHDRAWAL BY SUBJECT", "LOST TO FOLLOW-UP", "PHYSICIAN DECISION", "PROTOCOL DEVIATION", "DEATH", "OTHER" })
                Assert.That(message, Does.Contain($"\"{allowed}\""), url);
        }
        var participant = await ParticipantAsync(_investigator, code);
        Assert.That((participant["status"]!.GetValue<string>(), participant["withdrawnDate"], participant["infusionsDiscontinuedDate"]),
            Is.EqualTo(("enrolled", (JsonNode?)null, (JsonNode?)null)));
        Assert.That(await HistoryAsync(code), Has.Count.EqualTo(before.Count));
    }

    [Test]
    public async Task DispositionCsv_Blinded_OneRowPerMilestoneAsEntered_NoArmNoFreeText()
    {
        var csv = await CsvAsync(_statistician, "disposition");

        Assert.That(csv.Header, Is.EqualTo(new[] { "STUDYID", "DOMAIN", "USUBJID", "DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "DSSCAT", "EPOCH", "DSSTDTC", "DSSTDY" }));
        foreach (var (code, expected) in Expected())
        {
            var rows = csv.Where("USUBJID", code).Select(r => (r["DSSEQ"], r["DSTERM"], r["DSDECOD"], r["DSCAT"], r["DSSCAT"], r["EPOCH"], r["DSSTDTC"], r["DSSTDY"])).ToList();
            Assert.That(rows, Is.EqualTo(expected.Select((e, i) => ((i + 1).ToString(), e.Decod, e.Decod, e.Cat, e.Scat, e.Epoch, e.Date, e.Day))), code);
        }
        Assert.That(csv.Rows.Select(r => r["STUDYID"]).Distinct().Single(), Is.EqualTo(_host.Protocol.ProtocolId));
        Assert.That(csv.Rows.Select(r => r["DOMAIN"]).Distinct().Single(), Is.EqualTo("DS"));
        Assert.That(csv.Text, Does.Not.Contain(StopWords).And.Not.Contain(WithdrawWords).And.Not.Contain(LostWords));
    }

    [Test]
    public async Task DispositionCsv_AdminWithFreeText_HasTheSitesWords_UnblindedHasTheArms()
    {
        var withText = await CsvAsync(_host.Admin, "disposition", "?includeFreeText=true");
        Assert.That(withText.Header.Last(), Is.EqualTo("DSREASTX"));
        Assert.That(withText.Where("USUBJID", _discontinued).Select(r => r["DSREASTX"]), Is.EqualTo(new[] { "", "", StopWords }));
        Assert.That(withText.Where("USUBJID", _lost).Select(r => r["DSREASTX"]), Is.EqualTo(new[] { "", "", LostWords, LostWords }));
        Assert.That(withText.Where("USUBJID", _completed).Select(r => r["DSREASTX"]), Is.All.Empty);

        var unblinded = await CsvAsync(_unblinded, "disposition");
        Assert.That(unblinded.Header, Does.Not.Contain("DSREASTX"));
        foreach (var code in new[] { _discontinued, _withdrawn, _lost, _completed })
        {
            var arm = (await AllocationAsync(code))["arm"]!.GetValue<string>();
            Assert.That(unblinded.Where("USUBJID", code).Select(r => r["ARMCD"]), Is.All.EqualTo(arm), code);
        }
    }

    [Test]
    public async Task SubjectsCsv_EndOfTreatmentAndOfStudy_AsEntered_AndAsDispositionCsvHasThem()
    {
        var subjects = await CsvAsync(_statistician, "subjects");
        var disposition = await CsvAsync(_statistician, "disposition");
        var expected = new Dictionary<string, (string, string, string, string, string, string)>
        {
            [_discontinued] = ("DISCONTINUED", "ADVERSE EVENT", "2026-03-06", "ONGOING", "", ""),
            [_withdrawn] = ("DISCONTINUED", "WITHDRAWAL BY SUBJECT", "2026-03-04", "DISCONTINUED", "WITHDRAWAL BY SUBJECT", "2026-03-04"),
            [_lost] = ("DISCONTINUED", "LOST TO FOLLOW-UP", "2026-03-09", "DISCONTINUED", "LOST TO FOLLOW-UP", "2026-03-09"),
            [_completed] = ("COMPLETED", "", "2026-03-12", "COMPLETED", "", "2026-09-10"),
        };
        foreach (var (code, (eot, eotReason, eotDate, eos, eosReason, eosDate)) in expected)
        {
            var row = subjects.Single(("USUBJID", code));
            Assert.That((row["EOTSTT"], row["DCTREAS"], row["EOTDT"], row["EOSSTT"], row["DCSREAS"], row["EOSDT"]),
                Is.EqualTo((eot, eotReason, eotDate, eos, eosReason, eosDate)), code);
            // Visits recorded without their infusions: randomised, so in the ITT population, but not in the safety population.
            Assert.That((row["ITTFL"], row["SAFFL"], row["NUMINF"], row["PPROTFL"]), Is.EqualTo(("Y", "N", "0", "N")), code);
            foreach (var (category, status, date) in new[] { ("STUDY TREATMENT", eot, eotDate), ("STUDY PARTICIPATION", eos, eosDate) })
            {
                var ds = disposition.Where("USUBJID", code).Where(r => r["DSSCAT"] == category).Select(r => (r["DSDECOD"] == "COMPLETED" ? "COMPLETED" : "DISCONTINUED", r["DSSTDTC"]));
                Assert.That(ds, Is.EqualTo(status == "ONGOING" ? [] : new[] { (status, date) }), $"{code}: {category} as in disposition.csv");
            }
        }
    }

    [Test]
    public async Task ParticipantsCsv_HasTheReasonCodesAndTheCompletedStatus()
    {
        var csv = await CsvAsync(_statistician, "participants");

        Assert.That(csv.Header, Does.Contain("discontinuation_reason_code").And.Contain("withdrawal_reason_code").And.Not.Contain("withdrawal_reason"));
        var rows = new[] { _discontinued, _withdrawn, _lost, _completed }
            .Select(code => csv.Single(("participant_code", code)))
            .Select(r => (r["status"], r["discontinuation_reason_code"], r["withdrawal_reason_code"]));
        Assert.That(rows, Is.EqualTo(new[]
        {
            ("enrolled", "ADVERSE EVENT", ""), ("withdrawn", "", "WITHDRAWAL BY SUBJECT"), ("withdrawn", "", "LOST TO FOLLOW-UP"), ("completed", "", ""),
        }));
        var withText = await CsvAsync(_host.Admin, "participants", "?includeFreeText=true");
        Assert.That(withText.Single(("participant_code", _lost))["withdrawal_reason"], Is.EqualTo(LostWords));
    }

    private static string Day(DateOnly date) => (date.DayNumber - Inf1Day.DayNumber + 1).ToString();

    /// <summary>What each participant's rows must say, in DSSEQ order (DSTERM is DSDECOD: no free text in the term).</summary>
    private Dictionary<string, (string Decod, string Cat, string Scat, string Epoch, string Date, string Day)[]> Expected()
    {
        // Randomised on the host's first day (10 March, noon UTC: 10 March in Warsaw), after INF1 was dated: entered late.
        var randomised = ("RANDOMIZED", "PROTOCOL MILESTONE", "", "SCREENING", "2026-03-10", Day(new DateOnly(2026, 3, 10)));
        var first = ("FIRST INFUSION", "PROTOCOL MILESTONE", "", "TREATMENT", "2026-03-02", "1");
        return new()
        {
            [_discontinued] = [randomised, first, ("ADVERSE EVENT", "DISPOSITION EVENT", "STUDY TREATMENT", "TREATMENT", "2026-03-06", "5")],
            [_withdrawn] =
            [
                randomised, first,
                ("WITHDRAWAL BY SUBJECT", "DISPOSITION EVENT", "STUDY TREATMENT", "TREATMENT", "2026-03-04", "3"),
                ("WITHDRAWAL BY SUBJECT", "DISPOSITION EVENT", "STUDY PARTICIPATION", "TREATMENT", "2026-03-04", "3"),
            ],
            [_lost] =
            [
                randomised, first,
                ("LOST TO FOLLOW-UP", "DISPOSITION EVENT", "STUDY TREATMENT", "TREATMENT", "2026-03-09", "8"),
                ("LOST TO FOLLOW-UP", "DISPOSITION EVENT", "STUDY PARTICIPATION", "TREATMENT", "2026-03-09", "8"),
            ],
            [_completed] =
            [
                randomised, first,
                ("COMPLETED", "DISPOSITION EVENT", "STUDY TREATMENT", "TREATMENT", "2026-03-12", "11"),
                ("COMPLETED", "DISPOSITION EVENT", "STUDY PARTICIPATION", "FOLLOW-UP", "2026-09-10", Day(FuM6)),
            ],
        };
    }
}
