using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The unblinded pharmacy: sees the arms of its own sites' participants, prepares each infusion checked against the
/// allocation and the protocol's dose; the blinded investigator then records the infusion by the preparation's label.
/// </summary>
public class PharmacyTests : BlindedStudyFixture
{
    private static string PreparationUrl(string code, string visit = "INF1") => $"/api/v1/participants/{code}/visits/{visit}/preparation";

    /// <summary>What a careful pharmacist would record for this allocation: the protocol's dose for 61.5 kg, made up to 50 ml.</summary>
    private static Dictionary<string, object?> Preparation(JsonObject allocation, string label)
    {
        var dose = allocation["doseMgPerKg"]!.GetValue<decimal>();
        return new Dictionary<string, object?>
        {
            ["preparationId"] = label, ["arm"] = allocation["arm"]!.GetValue<string>(), ["doseMgPerKg"] = dose,
            ["totalDoseMg"] = Math.Round(dose * 61.5m, 2, MidpointRounding.AwayFromZero), ["volumeMl"] = 50m,
        };
    }

    private static string OtherArm(JsonObject allocation) => allocation["arm"]!.GetValue<string>() == "KET" ? "MDZ" : "KET";

    [Test]
    public async Task Pharmacist_SeesTheArmsOfTheirSitesOnlyAndBlindedRolesNone()
    {
        var waw = await RandomisedAsync();
        var krk = await RandomisedAsync(investigator: _krkInvestigator, site: "KRK");

        var allocation = await (await _pharmacist.GetAsync($"/api/v1/participants/{waw}/allocation")).JsonAsync(HttpStatusCode.OK);
        var arm = allocation["arm"]!.GetValue<string>();
        Assert.That((arm, allocation["drug"]!.GetValue<string>(), allocation["doseMgPerKg"]!.GetValue<decimal>()),
            Is.EqualTo(arm == "KET" ? ("KET", "ketamine", 0.5m) : ("MDZ", "midazolam", 0.045m)));
        Assert.That(allocation["latestWeightKg"]!.GetValue<decimal>(), Is.EqualTo(61.5m));

        await (await _pharmacist.GetAsync($"/api/v1/participants/{krk}/allocation")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _pharmacist.GetAsync("/api/v1/randomisation/allocations?site=KRK")).ProblemAsync(HttpStatusCode.Forbidden);
        var list = await (await _pharmacist.GetAsync("/api/v1/randomisation/allocations")).JsonArrayAsync();
        Assert.That(list.Select(a => a!["siteCode"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "WAW" }));
        Assert.That(list.Select(a => a!["participantCode"]!.GetValue<string>()), Does.Contain(waw).And.Not.Contain(krk));
        foreach (var (role, client) in Blinded())
        {
            await (await client.GetAsync($"/api/v1/participants/{waw}/allocation")).ProblemAsync(HttpStatusCode.Forbidden);
            await (await client.GetAsync("/api/v1/randomisation/allocations")).ProblemAsync(HttpStatusCode.Forbidden);
        }
        // The pharmacy prepares; it does not read the clinical record.
        await (await _pharmacist.GetAsync($"/api/v1/participants/{waw}")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Preparation_Correct_IsStoredForThePharmacyAndAuditedWithoutItsContents()
    {
        var code = await RandomisedAsync();
        var allocation = await AllocationAsync(code);

        var created = await (await PostAsync(_pharmacist, PreparationUrl(code), Preparation(allocation, "P-0001"))).JsonAsync(HttpStatusCode.Created);

        Assert.That(created["arm"]!.GetValue<string>(), Is.EqualTo(allocation["arm"]!.GetValue<string>()));
        Assert.That(created["weightKg"]!.GetValue<decimal>(), Is.EqualTo(61.5m), "the latest weight recorded, by default");
        var read = await (await _unblinded.GetAsync(PreparationUrl(code))).JsonAsync(HttpStatusCode.OK);
        Assert.That(read.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        foreach (var (_, client) in Blinded()) await (await client.GetAsync(PreparationUrl(code))).ProblemAsync(HttpStatusCode.Forbidden);
        var row = (await HistoryAsync(code)).Single(r => r!["entityType"]!.GetValue<string>() == "preparation" && r["action"]!.GetValue<string>() == "create")!;
        Assert.That(row["newValue"]!["preparationId"]!.GetValue<string>(), Is.EqualTo("P-0001"));
        Assert.That(row["newValue"]!.AsObject().Select(p => p.Key), Does.Not.Contain("arm").And.Not.Contain("doseMgPerKg").And.Not.Contain("totalDoseMg"));
        Assert.That(row.ToJsonString(), Does.Not.Contain("KET").And.Not.Contain("MDZ"));

        await (await PostAsync(_pharmacist, PreparationUrl(code), Preparation(allocation, "P-0001b"))).ProblemAsync(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Preparation_NotMatchingTheAllocationOrProtocol_Is422NamingTheField()
    {
        var code = await RandomisedAsync();
        var allocation = await AllocationAsync(code);
        var cases = new (string Field, Action<Dictionary<string, object?>> Change)[]
        {
            ("arm", b => b["arm"] = OtherArm(allocation)),
            ("doseMgPerKg", b => b["doseMgPerKg"] = 0.25m),
            ("totalDoseMg", b => b["totalDoseMg"] = (decimal)b["totalDoseMg"]! * 1.1m),
            ("volumeMl", b => b["volumeMl"] = 20m),
            ("preparationId", b => b["preparationId"] = "KET-0001"),
            ("preparationId", b => b["preparationId"] = "Midazolam-1"),
            ("weightKg", b => b["weightKg"] = 12m),
        };
        foreach (var (field, change) in cases)
        {
            var body = Preparation(allocation, $"P-{code}-{field}");
            change(body);
            var problem = await (await PostAsync(_pharmacist, PreparationUrl(code), body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field), problem.ToJsonString());
        }
        await (await _pharmacist.GetAsync(PreparationUrl(code))).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Preparation_BeforeRandomisationOrAtAnotherSiteOrByTheInvestigator_IsRefused()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        var body = new { preparationId = "P-early", arm = "KET", doseMgPerKg = 0.5m, totalDoseMg = 30.75m, volumeMl = 50m };
        await (await PostAsync(_pharmacist, PreparationUrl(code), body)).ProblemAsync(HttpStatusCode.Conflict);

        await (await PostRandomisationAsync(code)).JsonAsync(HttpStatusCode.Created);
        await (await PostAsync(_krkPharmacist, PreparationUrl(code), body)).ProblemAsync(HttpStatusCode.Forbidden);
        await (await PostAsync(_investigator, PreparationUrl(code), body)).ProblemAsync(HttpStatusCode.Forbidden);
        await (await PostAsync(_pharmacist, PreparationUrl(code, "FU-D7"), body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Test]
    public async Task BlindedInfusion_NamesThePreparationOfItsVisitAndNeverShowsTheDose()
    {
        var code = await RandomisedAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", Inf1Day);
        var url = $"/api/v1/participants/{code}/visits/INF1/infusion";
        var body = _infusions.Body(code, "INF1", Inf1Start);

        var missing = await (await PostAsync(_investigator, url, body)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(missing["missingPreparation"]!.GetValue<string>(), Is.EqualTo("INF1"));

        await _infusions.PrepareAsync(code, "INF1");
        (await (await PostAsync(_investigator, url, body with { PreparationId = "PREP-someone-else" })).ProblemAsync(HttpStatusCode.UnprocessableEntity))
            .AssertField("preparationId");
        (await (await PostAsync(_investigator, url, body with { WeightKg = 75m })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).AssertField("weightKg");
        (await (await PostAsync(_investigator, url, body with { VolumeMl = 60m })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).AssertField("volumeMl");
        (await (await PostAsync(_investigator, url, body with { DoseMgPerKg = 0.5m })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).AssertField("doseMgPerKg");

        var created = await (await PostAsync(_investigator, url, body with { VolumeMl = 48m })).JsonAsync(HttpStatusCode.Created);
        var read = await (await _monitor.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.That(read.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        Assert.That((read["doseMgPerKg"], read["totalDoseMg"]), Is.EqualTo(((JsonNode?)null, (JsonNode?)null)));
        Assert.That(read["volumeMl"]!.GetValue<decimal>(), Is.EqualTo(48m));

        // The syringe was given: nothing more is prepared for that visit.
        var allocation = await AllocationAsync(code);
        await (await PostAsync(_pharmacist, PreparationUrl(code), Preparation(allocation, "P-late"))).ProblemAsync(HttpStatusCode.Conflict);
    }
}

internal static class ProblemFieldAssertions
{
    public static void AssertField(this JsonObject problem, string field) =>
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field), problem.ToJsonString());
}
