using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace Trial.Tests.Api;

public class AssessmentTests : WawSiteFixture
{
    private static readonly DateTime Administered = new(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>A participant whose BL, INF1 and POST24 visits took place on the day of <see cref="Administered"/>, so assessments can be entered at them.</summary>
    private async Task<string> NewParticipantAsync()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        foreach (var visit in new[] { "BL", "INF1", "POST24" })
            await TrialHost.RecordVisitAsync(_investigator, code, visit, DateOnly.FromDateTime(Administered));
        return code;
    }

    private static string Url(string code, string visit) => $"/api/v1/participants/{code}/visits/{visit}/assessments";

    private static object Body(string instrument, string? timepoint, IEnumerable<decimal?> items, bool? unscheduled = null) =>
        new { instrument, timepoint, administeredUtc = Administered, items, unscheduled };

    [Test]
    public async Task Post_Madrs_ScoresTotalAndBandAndStoresItems()
    {
        var code = await NewParticipantAsync();
        var created = await (await _investigator.PostAsJsonAsync(Url(code, "BL"), Body("MADRS", null, [3, 4, 2, 3, 1, 3, 2, 3, 4, 2])))
            .JsonAsync(HttpStatusCode.Created);
        Assert.That(created["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(27m));
        Assert.That(created["severityBand"]!.GetValue<string>(), Is.EqualTo("moderate"));
        Assert.That(created["complete"]!.GetValue<bool>(), Is.True);
        Assert.That(created["definitionVersion"]!.GetValue<string>(), Does.StartWith("MADRS"));
        Assert.That(created["protocolVersion"]!.GetValue<string>(), Is.EqualTo(_host.Protocol.Version));
        Assert.That(created["timepoint"], Is.Null);

        var list = await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync();
        Assert.That(list, Has.Count.EqualTo(1));
        Assert.That(list[0]!["items"]!.AsArray().Select(i => i!.GetValue<decimal>()), Is.EqualTo(new decimal[] { 3, 4, 2, 3, 1, 3, 2, 3, 4, 2 }));
        Assert.That(list[0]!["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(27m));
    }

    [Test]
    public async Task Post_MadrsWithMissingItem_IsStoredIncompleteWithoutTotal()
    {
        var code = await NewParticipantAsync();
        var created = await (await _investigator.PostAsJsonAsync(Url(code, "BL"), Body("MADRS", null, [3, 4, null, 3, 1, 3, 2, 3, 4, 2])))
            .JsonAsync(HttpStatusCode.Created);
        Assert.That(created["complete"]!.GetValue<bool>(), Is.False);
        Assert.That(created["scores"]!.AsObject().ContainsKey("total"), Is.False);
        var stored = await (await _investigator.GetAsync($"/api/v1/assessments/{created["id"]}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(stored["items"]![2], Is.Null);
    }

    [Test]
    public async Task Post_Bsl23_GivesMeanAndSum()
    {
        var code = await NewParticipantAsync();
        var items = ItemBuilder.Filled(23, 1);
        items[0] = 4;
        var created = await (await _investigator.PostAsJsonAsync(Url(code, "BL"), Body("BSL23", null, items))).JsonAsync(HttpStatusCode.Created);
        Assert.That(created["scores"]!["sum"]!.GetValue<decimal>(), Is.EqualTo(26m));
        Assert.That(created["scores"]!["mean"]!.GetValue<decimal>(), Is.EqualTo(1.1304m)); // 26 / 23 = 1.130434…
        Assert.That(created["severityBand"]!.GetValue<string>(), Is.EqualTo("moderate"));
    }

    [Test]
    public async Task Post_BprsAndCadssAtInfusionTimepoints_AreScored()
    {
        var code = await NewParticipantAsync();
        decimal?[] bprs = [1, 2, 1, 3, 1, 2, 1, 1, 4, 1, 2, 2, 1, 1, 3, 1, 1, 1];
        var b = await (await _investigator.PostAsJsonAsync(Url(code, "INF1"), Body("BPRS", "t40", bprs))).JsonAsync(HttpStatusCode.Created);
        Assert.That(b["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(29m));
        Assert.That(b["scores"]!["positive"]!.GetValue<decimal>(), Is.EqualTo(10m)); // items 4, 11, 12, 15: 3 + 2 + 2 + 3
        Assert.That(b["timepoint"]!.GetValue<string>(), Is.EqualTo("t40"));

        var cadss = ItemBuilder.Filled(23, 0);
        cadss[2] = 2; cadss[0] = 1; cadss[13] = 3;
        var c = await (await _investigator.PostAsJsonAsync(Url(code, "INF1"), Body("CADSS", "t40", cadss))).JsonAsync(HttpStatusCode.Created);
        Assert.That(c["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(6m));
        Assert.That(c["scores"]!["depersonalization"]!.GetValue<decimal>(), Is.EqualTo(2m));
        Assert.That(c["scores"]!["derealization"]!.GetValue<decimal>(), Is.EqualTo(1m));
        Assert.That(c["scores"]!["amnesia"]!.GetValue<decimal>(), Is.EqualTo(3m));
    }

    [Test]
    public async Task Post_Asc5D_GivesDimensionMeans()
    {
        var code = await NewParticipantAsync();
        var items = ItemBuilder.Filled(94, 10m);
        items[0] = 37.5m; // item 1 belongs to OB (27 items): (26 * 10 + 37.5) / 27 = 11.0185…
        var created = await (await _investigator.PostAsJsonAsync(Url(code, "INF1"), Body("ASC5D", "t240", items))).JsonAsync(HttpStatusCode.Created);
        var scores = created["scores"]!.AsObject();
        Assert.That(scores["OB"]!.GetValue<decimal>(), Is.EqualTo(11.0185m));
        Assert.That(scores["DED"]!.GetValue<decimal>(), Is.EqualTo(10m));
        Assert.That(scores.Count, Is.EqualTo(16));
    }

    [Test]
    public async Task Post_SecondForSameSlot_Is409PointingAtTheFirst()
    {
        var code = await NewParticipantAsync();
        var first = await (await _investigator.PostAsJsonAsync(Url(code, "BL"), Body("MADRS", null, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))).JsonAsync(HttpStatusCode.Created);
        var problem = await (await _investigator.PostAsJsonAsync(Url(code, "BL"), Body("MADRS", null, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2])))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(problem["existingId"]!.GetValue<string>(), Is.EqualTo(first["id"]!.GetValue<string>()));
        var list = await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync();
        Assert.That(list.Single()!["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(10m));
    }

    [Test]
    public async Task Post_RetriedWithIdempotencyKey_ReturnsTheFirstResult()
    {
        var code = await NewParticipantAsync();
        async Task<HttpResponseMessage> PostAsync(string key, decimal value)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Url(code, "BL")) { Content = JsonContent.Create(Body("MADRS", null, ItemBuilder.Filled(10, value))) };
            request.Headers.Add("Idempotency-Key", key);
            return await _investigator.SendAsync(request);
        }
        var first = await (await PostAsync("retry-1", 2)).JsonAsync(HttpStatusCode.Created);
        var again = await (await PostAsync("retry-1", 2)).JsonAsync(HttpStatusCode.Created);
        Assert.That(again["id"]!.GetValue<string>(), Is.EqualTo(first["id"]!.GetValue<string>()));
        Assert.That(again["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(20m));

        var reused = await (await PostAsync("retry-1", 3)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(reused["detail"]!.GetValue<string>(), Does.Contain("different request"));
        Assert.That(await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Post_NotScheduledAtVisit_Is422UnlessMarkedUnscheduled()
    {
        var code = await NewParticipantAsync();
        var problem = await (await _investigator.PostAsJsonAsync(Url(code, "POST24"), Body("BPRS", null, ItemBuilder.Filled(18, 1))))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("does not schedule BPRS at POST24"));
        // BSL-23 is scheduled before INF1 and INF3 only.
        await (await _investigator.PostAsJsonAsync(Url(code, "INF2"), Body("BSL23", "pre", ItemBuilder.Filled(23, 1))))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);

        var created = await (await _investigator.PostAsJsonAsync(Url(code, "POST24"), Body("BPRS", null, ItemBuilder.Filled(18, 1), unscheduled: true)))
            .JsonAsync(HttpStatusCode.Created);
        Assert.That(created["unscheduled"]!.GetValue<bool>(), Is.True);
    }

    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1] }""", "items")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1,7] }""", "items[10]")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1,-1] }""", "items[10]")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,2.5,1,1,1,1,1,1,1] }""", "items[3]")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,"two",1,1,1,1,1,1,1] }""", "items[3]")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,true,1,1,1,1,1,1,1] }""", "items[3]")]
    [TestCase("""{ "instrument": "HAMD", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1] }""", "instrument")]
    [TestCase("""{ "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1] }""", "instrument")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": "t40", "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1,1] }""", "timepoint")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "items": [1,1,1,1,1,1,1,1,1,1] }""", "administeredUtc")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-11T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1,1] }""", "administeredUtc")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z" }""", "items")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00", "items": [1,1,1,1,1,1,1,1,1,1] }""", "administeredUtc")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-01-05T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1,1] }""", "administeredUtc")]
    public async Task Post_WithInvalidField_Is422NamingItAndStoresNothing(string json, string field)
    {
        var code = await NewParticipantAsync();
        var problem = await (await _investigator.PostJsonAsync(Url(code, "BL"), json)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
        Assert.That(await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task Post_Asc5DWithTwoDecimals_Is422NamingTheItem()
    {
        var code = await NewParticipantAsync();
        var items = ItemBuilder.Filled(94, 10m);
        items[4] = 12.25m;
        var problem = await (await _investigator.PostAsJsonAsync(Url(code, "INF1"), Body("ASC5D", "t240", items))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "items[5]" }));
    }

    [TestCase("""{ "instrument": "MADRS", "items": [1,1,1,1,1,1,1,1,1,1], "administeredUtc": "yesterday" }""")]
    [TestCase("""{ "instrument": "MADRS", "items": {"1": 2} }""")]
    [TestCase("""[1, 2, 3]""")]
    [TestCase("""{ "instrument": "MADRS", "timepoint": null, "administeredUtc": "2026-03-10T09:00:00Z", "items": [1,1,1,1,1,1,1,1,1,1], "total": 10 }""")]
    public async Task Post_WithUnreadableBody_Is400Problem(string json)
    {
        var code = await NewParticipantAsync();
        await (await _investigator.PostJsonAsync(Url(code, "BL"), json)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task Post_ToUnknownVisitOrParticipant_Is404()
    {
        var code = await NewParticipantAsync();
        await (await _investigator.PostAsJsonAsync(Url(code, "INF9"), Body("MADRS", null, ItemBuilder.Filled(10, 1)))).ProblemAsync(HttpStatusCode.NotFound);
        await (await _investigator.PostAsJsonAsync(Url("WAW-9999", "BL"), Body("MADRS", null, ItemBuilder.Filled(10, 1)))).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Get_UnknownAssessment_Is404AndMalformedIdIs404()
    {
        await (await _investigator.GetAsync($"/api/v1/assessments/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.That((await _investigator.GetAsync("/api/v1/assessments/not-a-guid")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Instruments_ListsAllFiveWithProvisionalNotes()
    {
        var list = await (await _investigator.GetAsync("/api/v1/instruments")).JsonArrayAsync();
        Assert.That(list.Select(i => i!["code"]!.GetValue<string>()), Is.EquivalentTo(new[] { "MADRS", "BSL23", "CADSS", "BPRS", "ASC5D" }));
        var cadss = list.Single(i => i!["code"]!.GetValue<string>() == "CADSS")!;
        Assert.That(cadss["provisionalNotes"]!.AsArray(), Is.Not.Empty);
    }
}
