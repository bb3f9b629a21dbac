using System.Net;
using System.Net.Http.Json;
using System.Text;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>An allocation list imported by the unblinded statistician: used place by place, frozen once used.</summary>
public class ImportedListTests : ImportedListStudy
{
    [Test]
    public async Task ImportedList_ReplacedUntilFirstUseThenFollowedPlaceByPlaceAndFrozen()
    {
        // A first list, replaced by a second before anyone is randomised: the second is the one used.
        await ImportAsync(Csv("WAW/MADRS<35", "KET", "KET"));
        var json = await (await _unblinded.PostAsJsonAsync("/api/v1/randomisation/list", new
        {
            entries = new[]
            {
                new { stratum = "WAW/MADRS<35", sequenceNumber = 1, arm = "MDZ" },
                new { stratum = "WAW/MADRS<35", sequenceNumber = 2, arm = "KET" },
                new { stratum = "WAW/MADRS<35", sequenceNumber = 3, arm = "MDZ" },
            },
        })).JsonAsync(HttpStatusCode.Created);
        Assert.That(json["entries"]!.GetValue<int>(), Is.EqualTo(3));

        var codes = new List<string>();
        for (var i = 0; i < 3; i++) codes.Add(await RandomisedAsync());
        var arms = new List<string>();
        foreach (var code in codes) arms.Add((await AllocationAsync(code))["arm"]!.GetValue<string>());
        Assert.That(arms, Is.EqualTo(new[] { "MDZ", "KET", "MDZ" }));

        // Used: it can no longer be replaced.
        var frozen = await (await ImportCsvAsync(Csv("WAW/MADRS<35", "KET", "MDZ", "KET", "MDZ"))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(frozen["detail"]!.GetValue<string>(), Does.Contain("no longer be replaced"));

        // A fourth participant finds no place: refused, and no place or number is taken.
        var fourth = await EnrolAsync();
        await ReadyAsync(fourth);
        var exhausted = await (await PostRandomisationAsync(fourth)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(exhausted["stratum"]!.GetValue<string>(), Is.EqualTo("WAW/MADRS<35"));
        Assert.That(exhausted.ToJsonString(), Does.Not.Contain("KET").And.Not.Contain("MDZ"));
        var list = await (await _unblinded.GetAsync("/api/v1/randomisation/list?stratum=" + Uri.EscapeDataString("WAW/MADRS<35"))).JsonAsync(HttpStatusCode.OK);
        Assert.That(list["method"]!.GetValue<string>(), Is.EqualTo("imported-list"));
        Assert.That(list["entries"]!.AsArray().Select(e => e!["participantCode"]?.GetValue<string>()), Is.EqualTo(codes));
        var allocations = await (await _unblinded.GetAsync("/api/v1/randomisation/allocations")).JsonArrayAsync();
        Assert.That(allocations.Select(a => a!["randomisationNumber"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [TestCase("stratum,sequenceNumber,arm\nWAW/MADRS<35,1,KET\nWAW/MADRS<35,3,MDZ\n", "entries")]
    [TestCase("stratum,sequenceNumber,arm\nWAW/MADRS<35,1,PLACEBO\n", "entries[0].arm")]
    [TestCase("stratum,sequenceNumber,arm\nGDA/MADRS<35,1,KET\n", "entries[0].stratum")]
    [TestCase("stratum,sequenceNumber,arm\nWAW/MADRS<35,one,KET\n", "entries[0]")]
    [TestCase("arm,stratum\nKET,WAW/MADRS<35\n", "entries")]
    public async Task ImportList_Malformed_Is422NamingTheEntry(string csv, string field)
    {
        var problem = await (await ImportCsvAsync(csv)).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
    }

    [TestCase("", "body")]
    [TestCase("{\"entries\":", "entries")]
    [TestCase("{\"entries\":[{\"stratum\":\"WAW/MADRS<35\",\"sequenceNumber\":\"one\",\"arm\":\"KET\"}]}", "entries[0].sequenceNumber")]
    [TestCase("{\"entries\":[],\"unexpected\":1}", "unexpected")]
    public async Task ImportList_JsonThatCannotBeRead_Is400NamingTheField(string json, string field)
    {
        var problem = await (await _unblinded.PostAsync("/api/v1/randomisation/list", new StringContent(json, Encoding.UTF8, "application/json")))
            .ProblemAsync(HttpStatusCode.BadRequest);

        Assert.That(problem["field"]?.GetValue<string>(), Is.EqualTo(field), problem.ToJsonString());
    }

    [Test]
    public async Task ImportList_NullEntry_Is422NamingIt()
    {
        var problem = await (await _unblinded.PostAsync("/api/v1/randomisation/list",
                new StringContent("{\"entries\":[{\"stratum\":\"WAW/MADRS<35\",\"sequenceNumber\":1,\"arm\":\"KET\"},null]}", Encoding.UTF8, "application/json")))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        problem.AssertField("entries[1]");
    }

    [Test]
    public async Task ImportList_OtherMediaType_Is415NamingTheContentType()
    {
        var problem = await (await _unblinded.PostAsync("/api/v1/randomisation/list", new StringContent(Csv("WAW/MADRS<35", "KET"), Encoding.UTF8, "text/plain")))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.That(problem["field"]?.GetValue<string>(), Is.EqualTo("Content-Type"));
    }

    [Test]
    public async Task ImportList_WithAStratumOfAnotherSite_Is403AndStoresNothing()
    {
        // The unblinded statistician of the fixture has WAW and KRK; one of WAW alone may not import KRK's places.
        var wawOnly = await _host.UserAsync("unblinded-statistician", "WAW");
        async Task<int> ImportsAsync() =>
            (await (await _host.Admin.GetAsync("/api/v1/audit?entity=allocation-list&limit=1000")).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray()
            .Count(r => r!["action"]!.GetValue<string>() is not ("export" or "arm-read")); // imports, not reads of the list
        var before = await ImportsAsync();

        var problem = await (await wawOnly.PostAsync("/api/v1/randomisation/list",
            new StringContent(Csv("WAW/MADRS<35", "KET", "MDZ") + "KRK/MADRS<35,1,KET\n", Encoding.UTF8, "text/csv"))).ProblemAsync(HttpStatusCode.Forbidden);

        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("KRK"));
        Assert.That(await ImportsAsync(), Is.EqualTo(before), "no list was imported");
    }

    [Test]
    public async Task ImportList_ByBlindedRolesOrPharmacist_Is403()
    {
        foreach (var client in new[] { _investigator, _monitor, _statistician, _pharmacist, _host.Admin })
        {
            await (await client.PostAsync("/api/v1/randomisation/list", new StringContent(Csv("WAW/MADRS<35", "KET", "MDZ"), Encoding.UTF8, "text/csv")))
                .ProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [Test]
    public async Task ImportList_WhenTheProtocolGeneratesItsSequence_Is409()
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(TestProtocols.Blinded));
        await host.CreateSiteAsync("WAW");
        var unblinded = await host.UserAsync("unblinded-statistician", "WAW");

        var problem = await (await unblinded.PostAsync("/api/v1/randomisation/list", new StringContent(Csv("WAW/MADRS<35", "KET", "MDZ"), Encoding.UTF8, "text/csv")))
            .ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("permuted-blocks"));
    }
}
