using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// Every read of arm data is in the audit trail: who read whose allocation, the allocations of a site, or a preparation;
/// never the arm, since admins and monitors, who are blinded, read the trail.
/// </summary>
public class ArmReadAuditTests : BlindedStudyFixture
{
    private async Task<List<JsonNode>> ArmReadsAsync()
    {
        var page = await (await _host.Admin.GetAsync("/api/v1/audit?limit=1000")).JsonAsync(HttpStatusCode.OK);
        return [.. page["items"]!.AsArray().Where(r => r!["action"]!.GetValue<string>() == "arm-read").Select(r => r!)];
    }

    [Test]
    public async Task AllocationAllocationsAndPreparationReads_AreAuditedNamingReaderAndParticipant_WithoutTheArm()
    {
        var code = await RandomisedAsync();
        var before = (await ArmReadsAsync()).Count;

        await AllocationAsync(code); // the unblinded statistician
        Assert.That((await _pharmacist.GetAsync($"/api/v1/participants/{code}/allocation")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _pharmacist.GetAsync("/api/v1/randomisation/allocations?site=WAW")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _infusions.PrepareAsync(code, "INF1");
        Assert.That((await _pharmacist.GetAsync($"/api/v1/participants/{code}/visits/INF1/preparation")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var reads = (await ArmReadsAsync()).Skip(before).ToList();
        Assert.That(reads.Select(r => $"{r["role"]} {r["entityType"]} {r["entityId"]} {r["participantCode"]} {r["newValue"]!["read"]}"), Is.EquivalentTo(new[]
        {
            $"unblinded-statistician allocation {code} {code} allocation",
            $"pharmacist allocation {code} {code} allocation",
            $"pharmacist allocation allocations  allocations",
            $"pharmacist allocation {code} {code} allocation", // the preparation begins with the allocation
            $"pharmacist preparation {reads.Single(r => r!["entityType"]!.GetValue<string>() == "preparation")["entityId"]} {code} preparation INF1",
        }));
        var list = reads.Single(r => r["entityId"]!.GetValue<string>() == "allocations");
        Assert.That(list["newValue"]!["participants"]!.AsArray().Select(p => p!.GetValue<string>()), Does.Contain(code));

        var text = string.Join("\n", reads.Select(r => r.ToJsonString()));
        foreach (var arm in _host.Protocol.Design.Arms)
            Assert.That(text, Does.Not.Contain($"\"{arm.Code}\"").And.Not.Contain(arm.Name).IgnoreCase.And.Not.Contain(arm.Drug).IgnoreCase);
        Assert.That(text, Does.Not.Contain("dose").IgnoreCase);

        // The participant's history shows the monitor who read the participant's arm data, and nothing of the arm.
        var history = await HistoryAsync(code);
        Assert.That(history.Count(r => r!["action"]!.GetValue<string>() == "arm-read"), Is.EqualTo(4), "the list names the participant but is not theirs alone");
    }

    [Test]
    public async Task SequenceUnblindedExtractAndReportsByArm_AreArmReads_WhilePooledPullsStayExports()
    {
        var code = await RandomisedAsync(); // MADRS 30: stratum WAW/MADRS<35
        var before = (await ArmReadsAsync()).Count;

        Assert.That((await _unblinded.GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("WAW/MADRS<35") + "&count=8")).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _unblinded.GetAsync("/api/v1/exports/unblinded.zip?site=WAW")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _unblinded.GetAsync("/api/v1/reports/dmc")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _unblinded.GetAsync("/api/v1/reports/blinding-index")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _unblinded.GetAsync("/api/v1/reports/consort")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // Pulls that tell nothing of the arms are exports, not arm reads.
        Assert.That((await _monitor.GetAsync("/api/v1/reports/dmc/open")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _statistician.GetAsync("/api/v1/reports/consort")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _statistician.GetAsync("/api/v1/exports/bundle.zip?site=WAW")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var reads = (await ArmReadsAsync()).Skip(before).ToList();
        Assert.That(reads.Select(r => r["role"]!.GetValue<string>()), Is.All.EqualTo("unblinded-statistician"));
        Assert.That(reads.Select(r => $"{r["entityType"]} {(r["entityType"]!.GetValue<string>() == "extract" && r["newValue"]!["report"] is null ? "unblinded-extract" : r["entityId"])}"),
            Is.EquivalentTo(new[]
            {
                "allocation-list WAW/MADRS<35", "extract unblinded-extract", "extract reports/dmc", "extract reports/blinding-index", "extract reports/consort",
            }));
        var sequence = reads.Single(r => r["entityType"]!.GetValue<string>() == "allocation-list");
        Assert.That(sequence["newValue"]!["participants"]!.AsArray().Select(p => p!.GetValue<string>()), Does.Contain(code),
            "the sequence read names whose places it showed");
        var extract = reads.Single(r => r["entityType"]!.GetValue<string>() == "extract" && r["newValue"]!["report"] is null);
        Assert.That(extract["newValue"]!["unblinded"]!.GetValue<bool>(), Is.True);

        var text = string.Join("\n", reads.Select(r => r.ToJsonString()));
        foreach (var arm in _host.Protocol.Design.Arms)
            Assert.That(text, Does.Not.Contain($"\"{arm.Code}\"").And.Not.Contain(arm.Name).IgnoreCase.And.Not.Contain(arm.Drug).IgnoreCase);
    }
}
