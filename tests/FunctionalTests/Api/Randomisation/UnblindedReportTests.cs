using System.Net;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

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
            await (await PostAsync(_investigator, $"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Stopped after one infusion." }))
                .JsonAsync(HttpStatusCode.OK);
        }

        foreach (var code in _ket.Concat(_mdz)) await WaitEvaluatedAsync(_host, code);
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
