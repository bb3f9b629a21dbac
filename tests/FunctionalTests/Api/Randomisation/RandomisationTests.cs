using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Core.Randomisation;
using Trial.Db.Infrastructure;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// Randomisation over HTTP: only when eligible, after baseline and before the first infusion, once; the next place of the
/// participant's stratum in the concealed sequence; nothing of the arm to the blinded.
/// </summary>
public class RandomisationTests : BlindedStudyFixture
{
    [Test]
    public async Task Randomise_Eligible_Is201WithTheNumberAndTimeOnly()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code, madrsTotal: 36);

        var response = await PostRandomisationAsync(code);
        var body = await response.JsonAsync(HttpStatusCode.Created);

        Assert.That(body.Select(p => p.Key), Is.EquivalentTo(new[] { "randomisationNumber", "randomisedUtc" }));
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/participants/{code}/randomisation"));
        var read = await (await _monitor.GetAsync($"/api/v1/participants/{code}/randomisation")).JsonAsync(HttpStatusCode.OK);
        Assert.That(read.ToJsonString(), Is.EqualTo(body.ToJsonString()));
        var allocation = await AllocationAsync(code);
        Assert.That(allocation["stratum"]!.GetValue<string>(), Is.EqualTo("WAW/MADRS>=35"), "a baseline MADRS of 36 is in the upper band");
        Assert.That(allocation["arm"]!.GetValue<string>(), Is.AnyOf("KET", "MDZ"));
        Assert.That(allocation["randomisationNumber"]!.GetValue<int>(), Is.EqualTo(body["randomisationNumber"]!.GetValue<int>()));
    }

    [Test]
    public async Task Randomise_BeforeTheBaselineVisit_Is409NamingIt()
    {
        var code = await EnrolAsync();

        var problem = await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["missingVisit"]!.GetValue<string>(), Is.EqualTo("BL"));
        await (await _monitor.GetAsync($"/api/v1/participants/{code}/randomisation")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Randomise_WithoutACompleteBaselineMadrs_Is409()
    {
        var code = await EnrolAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", BaselineDay);
        var none = await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(none["missingAssessment"]!.GetValue<string>(), Is.EqualTo("BL/MADRS"));

        var items = Madrs(30, item10: 2);
        items[3] = null;
        await AssessAtAsync(_investigator, code, "BL", null, "MADRS", items, BaselineDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
        var incomplete = await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(incomplete["detail"]!.GetValue<string>(), Does.Contain("missing items"));
    }

    [Test]
    public async Task Randomise_NoLongerEligibleAsRecorded_Is409NamingTheCriterion()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        // Eligibility as stored after a correction at the source (there is no endpoint that makes a participant ineligible).
        await _host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.ExecuteAsync("UPDATE Participant SET BpdDiagnosis = 0 WHERE Code = @code", new { code }));

        var problem = await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["criteria"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "bpdDiagnosis" }));
    }

    // The order that blocked sites: baseline, the INF1 visit, its pre-infusion ratings and vital signs, then randomisation.
    // Visit records do not block randomisation; the first preparation or infusion does.
    [Test]
    public async Task Randomise_AfterTheInf1VisitItsPreRatingsAndVitals_Is201ThenPreparationAndInfusionFollow()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        var pre = Inf1Start.AddMinutes(-30);
        await AssessAtAsync(_investigator, code, "INF1", "pre", "MADRS", Madrs(28, item10: 2), pre);
        await AssessAtAsync(_investigator, code, "INF1", "pre", "BSL23", Bsl(1), pre);
        await AssessAtAsync(_investigator, code, "INF1", "pre", "CADSS", Cadss(3), pre);
        await AssessAtAsync(_investigator, code, "INF1", "pre", "BPRS", Bprs(), pre);
        await VitalsAsync(_investigator, code, "INF1", "pre", 124, 78, 70, 98);

        await (await PostRandomisationAsync(code)).JsonAsync(HttpStatusCode.Created);
        await _infusions.PrepareAsync(code, "INF1");
        var infusion = await _infusions.InfuseAsync(code, "INF1", Inf1Start);

        Assert.That(infusion["visitCode"]!.GetValue<string>(), Is.EqualTo("INF1"));
        Assert.That((await AllocationAsync(code))["stratum"]!.GetValue<string>(), Is.EqualTo("WAW/MADRS<35"), "stratified on the baseline visit's MADRS (30), not INF1's");
    }

    [Test]
    public async Task Randomise_AfterAnInfusionWasRecorded_Is409NamingIt()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        // An infusion given without randomisation cannot be entered through the API (see the next tests); a row as a migration
        // from another system could leave it stands for it here.
        await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.ExecuteAsync(
            """
            INSERT INTO Infusion (Id, ParticipantId, VisitCode, WeightKg, DoseMgPerKg, TotalDoseMg, PreparationId, VolumeMl, Route, StartUtc, EndUtc, RecordedUtc, RecordedBy, RowVersion)
            SELECT @id, p.Id, 'INF1', 61.5, 0.5, 30.75, NULL, NULL, 'IV', @start, @end, @start, p.Id, 1 FROM Participant p WHERE p.Code = @code
            """, new { id = Guid.NewGuid(), code, start = Inf1Start, end = Inf1Start.AddMinutes(40) }));

        var problem = await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That((problem["recordedStep"]!.GetValue<string>(), problem["visitCode"]!.GetValue<string>()), Is.EqualTo(("infusion", "INF1")));
        await (await _unblinded.GetAsync($"/api/v1/participants/{code}/allocation")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Prepare_NotRandomised_Is409NamingRandomisationAndNothingIsPrepared()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);

        var problem = await (await PostAsync(_pharmacist, $"/api/v1/participants/{code}/visits/INF1/preparation",
            new { preparationId = $"PREP-{code}", arm = "KET", doseMgPerKg = 0.5m, totalDoseMg = 30.75m, volumeMl = 50m, weightKg = 61.5m })).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["missingStep"]!.GetValue<string>(), Is.EqualTo("randomisation"));
        await (await _pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Infuse_NotRandomised_Is409NamingRandomisationAndNothingIsRecorded()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        var url = $"/api/v1/participants/{code}/visits/INF1/infusion";

        var problem = await (await PostAsync(_investigator, url, _infusions.Body(code, "INF1", Inf1Start))).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["missingStep"]!.GetValue<string>(), Is.EqualTo("randomisation"));
        await (await _investigator.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Infuse_RandomisedWithoutPreparation_Is409NamingThePreparation()
    {
        var code = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);

        var problem = await (await PostAsync(_investigator, $"/api/v1/participants/{code}/visits/INF1/infusion", _infusions.Body(code, "INF1", Inf1Start)))
            .ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["missingStep"]!.GetValue<string>(), Is.EqualTo("preparation"));
    }

    [Test]
    public async Task CorrectBaselineMadrs_AcrossTheStratumCutOffAfterRandomisation_MonitorsToldWithStrataOnlyAndTheStratumStays()
    {
        var code = await EnrolAsync();
        var administered = BaselineDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc);
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", BaselineDay);
        var response = await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/visits/BL/assessments",
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = administered, items = Madrs(33, item10: 2) });
        var id = (await response.JsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        await (await PostRandomisationAsync(code)).JsonAsync(HttpStatusCode.Created);
        var before = await AllocationAsync(code);

        var corrected = await _investigator.SendAsync(Put($"/api/v1/assessments/{id}",
            new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = administered, items = Madrs(36, item10: 2), reason = "Item 3 was misread." },
            response.Headers.ETag!.ToString()));
        await corrected.JsonAsync(HttpStatusCode.OK);

        var alert = (await SettledAlertsAsync(_host, _monitor, code)).Single();
        AssertAlert(alert!, "STRATUM_CHANGED", "low", code, "BL", id, "randomised in stratum WAW/MADRS<35", "would now fall in stratum WAW/MADRS>=35");
        Assert.That(alert!.ToJsonString(), Does.Not.Contain(before["arm"]!.GetValue<string>()));
        Assert.That((await AllocationAsync(code))["stratum"]!.GetValue<string>(), Is.EqualTo("WAW/MADRS<35"), "the stratum as randomised stays");
    }

    [Test]
    public async Task Randomise_Twice_Is409WithTheFirstNumberAndTakesNoSecondPlace()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        var first = await (await PostRandomisationAsync(code)).JsonAsync(HttpStatusCode.Created);
        var before = await AllocationAsync(code);

        var problem = await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["randomisationNumber"]!.GetValue<int>(), Is.EqualTo(first["randomisationNumber"]!.GetValue<int>()));
        Assert.That((await AllocationAsync(code)).ToJsonString(), Is.EqualTo(before.ToJsonString()));
        Assert.That(problem.ToJsonString(), Does.Not.Contain(before["arm"]!.GetValue<string>()));
    }

    [Test]
    public async Task Randomise_WithdrawnParticipant_Is409()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        await (await PostAsync(_investigator, $"/api/v1/participants/{code}/withdrawal", new { date = "2026-03-05", reasonCode = "WITHDRAWAL BY SUBJECT", reason = "Consent withdrawn." }))
            .JsonAsync(HttpStatusCode.OK);

        await (await PostRandomisationAsync(code)).ProblemAsync(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Randomise_ByOtherRolesOrSites_Is403()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);

        await (await PostRandomisationAsync(code, _krkInvestigator)).ProblemAsync(HttpStatusCode.Forbidden);
        foreach (var client in new[] { _monitor, _statistician, _pharmacist, _unblinded, _host.Admin })
            await (await PostRandomisationAsync(code, client)).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Randomise_AuditRow_NamesNumberAndStratumButNeverTheArm()
    {
        var code = await RandomisedAsync();
        var arm = (await AllocationAsync(code))["arm"]!.GetValue<string>();

        var row = (await HistoryAsync(code)).Single(r => r!["entityType"]!.GetValue<string>() == "allocation" && r["action"]!.GetValue<string>() == "create")!;

        Assert.That(row["role"]!.GetValue<string>(), Is.EqualTo("investigator"));
        Assert.That(row["newValue"]!["randomisationNumber"], Is.Not.Null);
        Assert.That(row["newValue"]!["stratum"]!.GetValue<string>(), Is.EqualTo("WAW/MADRS<35"));
        Assert.That(row.ToJsonString(), Does.Not.Contain(arm).And.Not.Contain("KET").And.Not.Contain("MDZ"));
    }

    [Test]
    public async Task Randomise_ParallelRequestsInOneStratum_TakeDistinctConsecutivePlacesOfTheSequence()
    {
        await using var host = TrialHost.Start(settings: Settings);
        await host.CreateSiteAsync("WAW");
        var investigators = new[] { await host.UserAsync("investigator", "WAW"), await host.UserAsync("investigator", "WAW") };
        var unblinded = await host.UserAsync("unblinded-statistician", "WAW");
        var codes = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            var code = await TrialHost.EnrolAsync(investigators[0], "WAW");
            await AssessAtAsync(investigators[0], code, "BL", null, "MADRS", Madrs(30, item10: 2), BaselineDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));
            codes.Add(code);
        }

        // Two investigators of the site randomise all at once.
        var responses = await Task.WhenAll(codes.Select((code, i) => investigators[i % 2].PostAsync($"/api/v1/participants/{code}/randomisation", null)));

        var numbers = new List<int>();
        foreach (var r in responses) numbers.Add((await r.JsonAsync(HttpStatusCode.Created))["randomisationNumber"]!.GetValue<int>());
        Assert.That(numbers.Order(), Is.EqualTo(Enumerable.Range(1, 16)), "randomisation numbers: distinct, gap-free");
        var allocations = await (await unblinded.GetAsync("/api/v1/randomisation/allocations")).JsonArrayAsync();
        Assert.That(allocations.Select(a => a!["stratum"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "WAW/MADRS<35" }));
        Assert.That(allocations.Select(a => a!["sequenceNumber"]!.GetValue<int>()).Order(), Is.EqualTo(Enumerable.Range(1, 16)),
            "no place of the stratum's sequence taken twice or skipped");
        // Each participant got the arm at their place of the concealed sequence.
        var sequence = await (await unblinded.GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("WAW/MADRS<35") + "&count=16"))
            .JsonAsync(HttpStatusCode.OK);
        var byPlace = sequence["entries"]!.AsArray().ToDictionary(e => e!["sequenceNumber"]!.GetValue<int>());
        foreach (var a in allocations)
        {
            var place = byPlace[a!["sequenceNumber"]!.GetValue<int>()]!;
            Assert.That(place["arm"]!.GetValue<string>(), Is.EqualTo(a["arm"]!.GetValue<string>()));
            Assert.That(place["participantCode"]!.GetValue<string>(), Is.EqualTo(a["participantCode"]!.GetValue<string>()));
        }
        var ket = allocations.Count(a => a!["arm"]!.GetValue<string>() == "KET");
        Assert.That(Math.Abs(ket - (16 - ket)), Is.LessThanOrEqualTo(2), "blocks of 4 and 6 close on even places: an even count is never more than 2 apart");
    }

    [Test]
    public async Task Sequence_RegeneratedByTheUnblindedStatistician_IsTheOneTheSecretGivesAndItsReadingIsAudited()
    {
        const string secret = "a-secret-the-unblinded-statistician-keeps-offline";
        var settings = new Dictionary<string, string?>(Settings) { ["Randomisation:Secret"] = secret };
        await using var host = TrialHost.Start(settings: settings);
        await host.CreateSiteAsync("WAW");
        var unblinded = await host.UserAsync("unblinded-statistician", "WAW");
        var monitor = await host.UserAsync("monitor", "WAW");

        var served = await (await unblinded.GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("WAW/MADRS>=35") + "&count=30"))
            .JsonAsync(HttpStatusCode.OK);

        // What the statistician computes offline from the secret and the protocol file, without the system.
        var offline = AllocationSequence.For(host.Protocol, Encoding.UTF8.GetBytes(secret)).Of("WAW/MADRS>=35").Take(30).ToList();
        Assert.That(served["entries"]!.AsArray().Select(e => (e!["sequenceNumber"]!.GetValue<int>(), e["blockSize"]!.GetValue<int>(), e["arm"]!.GetValue<string>())),
            Is.EqualTo(offline.Select(s => (s.SequenceNumber, s.BlockSize, s.Arm))));
        var audit = await (await monitor.GetAsync("/api/v1/audit?entity=allocation-list")).JsonAsync(HttpStatusCode.OK);
        var row = audit["items"]!.AsArray().Single()!;
        Assert.That(row["action"]!.GetValue<string>(), Is.EqualTo("arm-read"));
        Assert.That(row["role"]!.GetValue<string>(), Is.EqualTo("unblinded-statistician"));
        Assert.That((row["newValue"]!["read"]!.GetValue<string>(), row["newValue"]!["places"]!.GetValue<int>()), Is.EqualTo(("sequence", 30)));
        Assert.That(row.ToJsonString(), Does.Not.Contain("KET").And.Not.Contain("MDZ"));
    }

    [Test]
    public async Task Sequence_StratumOfAnotherSiteIs403_UnknownOrMissingIs422_AndBlindedRolesAre403()
    {
        await using var host = TrialHost.Start(settings: Settings);
        await host.CreateSiteAsync("WAW");
        await host.CreateSiteAsync("KRK");
        var unblinded = await host.UserAsync("unblinded-statistician", "WAW");

        // Another site's stratum is refused as another site's records and lists are; one the study does not have is a mistake to correct.
        var other = await (await unblinded.GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("KRK/MADRS<35"))).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(other["detail"]!.GetValue<string>(), Does.Contain("KRK"));
        var unknown = await (await unblinded.GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("GDA/MADRS<35"))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(unknown["errors"]!["stratum"], Is.Not.Null);
        await (await unblinded.GetAsync("/api/v1/randomisation/list")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        foreach (var role in new[] { "investigator", "monitor", "statistician", "pharmacist" })
        {
            await (await (await host.UserAsync(role, "WAW")).GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("WAW/MADRS<35")))
                .ProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [Test]
    public async Task Randomise_OpenLabelProtocol_Is409()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.OpenLabel));
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        var code = await TrialHost.EnrolAsync(investigator, "WAW");

        var problem = await (await investigator.PostAsync($"/api/v1/participants/{code}/randomisation", null)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("does not randomise"));
    }
}
