using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Tests.Api.Randomisation;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// The allocation list a page at a time, for the unblinded only: participants randomised at two sites in turn, read a few at a
/// time; each page's read is in the audit trail, naming that page's participants.
/// </summary>
public class AllocationPagingTests : BlindedStudyFixture
{
    private List<(string Code, string Site)> _randomised = null!;

    [OneTimeSetUp]
    public async Task RandomiseAsync()
    {
        _randomised = [];
        for (var i = 0; i < 17; i++)
        {
            var site = i % 3 == 2 ? "KRK" : "WAW";
            _randomised.Add((await RandomisedAsync(investigator: site == "KRK" ? _krkInvestigator : _investigator, site: site), site));
        }
    }

    private static List<(int Number, string Code)> Listed(List<JsonNode> rows) =>
        rows.Select(r => (r["randomisationNumber"]!.GetValue<int>(), r["participantCode"]!.GetValue<string>())).ToList();

    /// <summary>The randomised participants in the order they were randomised (numbered from 1), of the site when given.</summary>
    private List<(int Number, string Code)> Expected(string? site) =>
        _randomised.Select((r, i) => (Number: i + 1, r.Code, r.Site)).Where(r => site is null || r.Site == site).Select(r => (r.Number, r.Code)).ToList();

    [Test]
    public async Task List_PagesOfFour_GiveEveryAllocationOnceInTheOrderOfRandomisation()
    {
        var rows = await PageReader.AllAsync(_unblinded, "/api/v1/randomisation/allocations?limit=4", 4);
        Assert.That(Listed(rows), Is.EqualTo(Expected(null)));
    }

    [Test]
    public async Task List_SiteFilter_HoldsOnEveryPage()
    {
        var rows = await PageReader.AllAsync(_unblinded, "/api/v1/randomisation/allocations?site=KRK&limit=2", 2);
        Assert.That(Listed(rows), Is.EqualTo(Expected("KRK")));
    }

    [Test]
    public async Task List_PharmacistOfWaw_NeverSeesKrkOnAnyPage()
    {
        var rows = await PageReader.AllAsync(_pharmacist, "/api/v1/randomisation/allocations?limit=3", 3);
        Assert.That(Listed(rows), Is.EqualTo(Expected("WAW")));
    }

    [Test]
    public async Task List_EachPageRead_IsAuditedNamingThatPagesParticipants()
    {
        var pages = await PageReader.PagesAsync(_krkPharmacist, "/api/v1/randomisation/allocations?limit=2", 2);

        var trail = await (await _host.Admin.GetAsync("/api/v1/audit?entity=allocation&limit=1000")).JsonAsync(HttpStatusCode.OK);
        var reads = trail["items"]!.AsArray().Where(r => r!["entityId"]!.GetValue<string>() == "allocations" && r["action"]!.GetValue<string>() == "arm-read")
            .Select(r => r!["newValue"]!["participants"]!.AsArray().Select(p => p!.GetValue<string>()).ToList()).TakeLast(pages.Count).ToList();
        Assert.That(reads, Is.EqualTo(pages.Select(p => p.Select(r => r!["participantCode"]!.GetValue<string>()).ToList()).ToList()));
    }

    [Test]
    public async Task List_BlindedRoles_AreRefusedOnEveryPage()
    {
        var next = PageReader.Next(await _unblinded.GetAsync("/api/v1/randomisation/allocations?limit=1"))!;
        foreach (var (role, client) in Blinded())
        {
            await (await client.GetAsync("/api/v1/randomisation/allocations?limit=1")).ProblemAsync(HttpStatusCode.Forbidden);
            await (await client.GetAsync(next)).ProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _unblinded.GetAsync($"/api/v1/randomisation/allocations?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _unblinded.GetAsync("/api/v1/randomisation/allocations?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("participants", "WAW", "1");
        foreach (var bad in new[] { tampered, foreign, "3", Trial.Application.Paging.Pages.Encode("allocations", "three") })
        {
            var problem = await (await _unblinded.GetAsync($"/api/v1/randomisation/allocations?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
