using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The unblinded statistician's reports, on a study whose arms the test knows from the list it imports: five
/// participants on KET, then four on MDZ. Each had INF1, then stopped infusions. (The blinding index has its own
/// fixture, BlindingIndexReportTests.)
/// </summary>
public class UnblindedReportTests : ImportedListStudy
{
    private readonly List<string> _ket = [], _mdz = [];

    [OneTimeSetUp]
    public async Task BuildStudyAsync()
    {
        await ImportAsync(Csv("WAW/MADRS<35", "KET", "KET", "KET", "KET", "KET", "MDZ", "MDZ", "MDZ", "MDZ"));
        for (var i = 0; i < 9; i++)
        {
            var code = await RandomisedAsync();
            (i < 5 ? _ket : _mdz).Add(code);
            await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reason = "Stopped after one infusion." }))
                .JsonAsync(HttpStatusCode.OK);
        }

        // Safety and efficacy: a serious adverse event on KET, a mild one on MDZ; POST24 MADRS halved on KET, barely moved on MDZ.
        await RecordAdverseEventAsync(_investigator, _ket[0], AdverseEvent("Hypertensive crisis") with
        {
            Serious = true, SeriousCriteria = ["hospitalisation"], Severity = "severe", SponsorReportedUtc = new DateTime(2026, 3, 10, 8, 0, 0, DateTimeKind.Utc),
        });
        await RecordAdverseEventAsync(_investigator, _mdz[0], AdverseEvent("Drowsiness") with { Severity = "mild" });
        var post24 = new DateTime(2026, 3, 3, 9, 0, 0, DateTimeKind.Utc);
        await AssessAtAsync(_investigator, _ket[0], "POST24", null, "MADRS", Madrs(15, item10: 1), post24);
        await AssessAtAsync(_investigator, _mdz[0], "POST24", null, "MADRS", Madrs(27, item10: 2), post24);
        foreach (var code in _ket.Concat(_mdz)) await WaitEvaluatedAsync(_host, code);
    }

    [Test]
    public async Task DmcReport_CountsParticipantsEventsAlertsAndEfficacyByArm()
    {
        var report = await (await _unblinded.GetAsync("/api/v1/reports/dmc")).JsonAsync(HttpStatusCode.OK);

        Assert.That(report["participants"]!.AsArray().Select(p => (p!["arm"]!.GetValue<string>(), p["randomised"]!.GetValue<int>(), p["infusionsDiscontinued"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("KET", 5, 5), ("MDZ", 4, 4) }));
        Assert.That(report["adverseEvents"]!.AsArray().Select(e => (e!["arm"]!.GetValue<string>(), e["events"]!.GetValue<int>(), e["seriousEvents"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("KET", 1, 1), ("MDZ", 1, 0) }));
        Assert.That(report["efficacy"]!.AsArray().Select(e => (e!["visitCode"]!.GetValue<string>(), e["arm"]!.GetValue<string>(), e["participants"]!.GetValue<int>(),
                e["meanChange"]!.GetValue<decimal>(), e["responders"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("POST24", "KET", 1, -15m, 1), ("POST24", "MDZ", 1, -3m, 0) }));

        // Alerts by rule and arm: the same alerts the monitors see, each counted under its participant's arm.
        var armOf = _ket.ToDictionary(c => c, _ => "KET").Concat(_mdz.ToDictionary(c => c, _ => "MDZ")).ToDictionary();
        var seen = await (await _monitor.GetAsync("/api/v1/safety-alerts")).JsonArrayAsync();
        var expected = seen.GroupBy(a => (Rule(a), armOf[a!["participantCode"]!.GetValue<string>()])).Select(g => (g.Key.Item1, g.Key.Item2, g.Count())).Order();
        var reported = report["safetyAlerts"]!.AsArray().Select(a => (a!["rule"]!.GetValue<string>(), a["arm"]!.GetValue<string>(), a["alerts"]!.GetValue<int>())).Order();
        Assert.That(reported, Is.EqualTo(expected));
        Assert.That(reported, Does.Contain(("SAE_REPORTED", "KET", 1)));
    }

    [Test]
    public async Task RandomisationList_OfAnImportedList_IsTheListAsAllocated_WithTheArmsTheDmcReportCounts()
    {
        var list = await Exports.ExportTestKit.CsvAsync(_unblinded, "randomisation-list");
        Assert.That(list.Rows.Select(r => (r["STRATUM"], r["sequence_number"], r["ARMCD"], r["participant_code"])),
            Is.EqualTo(_ket.Concat(_mdz).Select((code, i) => ("WAW/MADRS<35", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), i < 5 ? "KET" : "MDZ", code))));
        Assert.That(list.Rows.Select(r => (r["method"], r["block_index"], r["block_size"], r["position_in_block"])).Distinct(),
            Is.EqualTo(new[] { ("imported-list", "", "", "") }), "an imported list has no blocks");

        var participants = await Exports.ExportTestKit.CsvAsync(_unblinded, "participants");
        Assert.That(participants.Rows.GroupBy(r => r["ARMCD"]).Select(g => (g.Key, g.Count())).Order(), Is.EqualTo(new[] { ("KET", 5), ("MDZ", 4) }));
    }

    [Test]
    public async Task Reports_ForBlindedRolesAndThePharmacist_Are403()
    {
        foreach (var client in Blinded().Select(b => b.Client).Append(_pharmacist))
        {
            await (await client.GetAsync("/api/v1/reports/dmc")).ProblemAsync(HttpStatusCode.Forbidden);
            await (await client.GetAsync("/api/v1/reports/blinding-index")).ProblemAsync(HttpStatusCode.Forbidden);
        }
    }
}
