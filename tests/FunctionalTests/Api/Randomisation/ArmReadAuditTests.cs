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
}
