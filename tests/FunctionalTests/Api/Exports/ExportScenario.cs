using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using Trial.Tests.Api.Safety;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Exports;

/// <summary>
/// A small study entered through the API, whose extracts the tests compare with what was entered:
/// WAW-0001 with a full course of MADRS (baseline at BL), a BSL-23 with a missing item, a corrected CADSS,
/// a 5D-ASC with decimals and a serious adverse event whose term holds a comma, quotes and a line break;
/// WAW-0002 without BL (baseline INF1 pre), infusions discontinued; KRK-0001 with one MADRS and no baseline.
/// </summary>
public abstract class ExportScenario
{
    public const string AeTerm = "Headache, \"throbbing\"\nthen nausea";
    public const string DiscontinuationReason = "Moved away, \"far\"";
    public const string CorrectionReason = "Typo: 12, not 10";

    protected TrialHost Host = null!;
    protected HttpClient Investigator = null!;
    protected HttpClient Statistician = null!;
    protected Guid BslId, CadssId, AscId;
    protected Guid AdverseEventId;

    [OneTimeSetUp]
    public async Task EnterStudyAsync()
    {
        Host = TrialHost.Start();
        await Host.CreateSiteAsync("WAW");
        await Host.CreateSiteAsync("KRK");
        Investigator = await Host.UserAsync("investigator", "WAW");
        var krk = await Host.UserAsync("investigator", "KRK");
        Statistician = await Host.UserAsync("statistician", "WAW", "KRK");

        var p1 = await TrialHost.EnrolAsync(Investigator, "WAW");
        foreach (var (visit, date) in new[] { ("BL", "2026-03-01"), ("INF1", "2026-03-02"), ("POST24", "2026-03-03"), ("INF2", "2026-03-05") })
            await ExportTestKit.RecordVisitAsync(Investigator, p1, visit, date);
        await AssessAsync(Investigator, p1, "BL", null, "MADRS", Madrs(30, 1));
        await AssessAsync(Investigator, p1, "INF1", "pre", "MADRS", Madrs(24, 1));
        await AssessAsync(Investigator, p1, "POST24", null, "MADRS", Madrs(14, 4));
        await AssessAsync(Investigator, p1, "INF2", "pre", "MADRS", Madrs(9, 1));
        var bsl = Bsl(2);
        bsl[2] = null;
        BslId = await AssessAsync(Investigator, p1, "BL", null, "BSL23", bsl);
        CadssId = await AssessAsync(Investigator, p1, "INF1", "t40", "CADSS", Cadss(10));
        var asc = Asc5D();
        asc[0] = 33.3m;
        AscId = await AssessAsync(Investigator, p1, "INF1", "t240", "ASC5D", asc);
        var correction = await Investigator.SendAsync(Put($"/api/v1/assessments/{CadssId}",
            new { instrument = "CADSS", timepoint = "t40", administeredUtc = At("INF1", "t40"), items = Cadss(12), reason = CorrectionReason }, "\"1\""));
        await correction.JsonAsync(HttpStatusCode.OK);
        var ae = await RecordAdverseEventAsync(Investigator, p1, new AdverseEventBody(
            AeTerm, null, "2026-03-03", null, "moderate", true, ["hospitalisation"], "possible", false, "none", "recovering", "2026-03-04", null, null, null));
        AdverseEventId = Guid.Parse(ae["id"]!.GetValue<string>());

        var p2 = await TrialHost.EnrolAsync(Investigator, "WAW");
        await ExportTestKit.RecordVisitAsync(Investigator, p2, "INF1", "2026-03-02");
        await AssessAsync(Investigator, p2, "INF1", "pre", "MADRS", Madrs(20, 1));
        await AssessAsync(Investigator, p2, "POST24", null, "MADRS", Madrs(12, 1));
        var stop = await Investigator.PostAsJsonAsync($"/api/v1/participants/{p2}/discontinuation", new { date = "2026-03-04", reasonCode = "ADVERSE EVENT", reason = DiscontinuationReason });
        await stop.JsonAsync(HttpStatusCode.OK);
        await AssessAtAsync(Investigator, p2, "FU-D7", null, "MADRS", Madrs(10, 1), new DateTime(2026, 3, 9, 10, 0, 0, DateTimeKind.Utc));

        var p3 = await TrialHost.EnrolAsync(krk, "KRK");
        await ExportTestKit.RecordVisitAsync(krk, p3, "INF1", "2026-03-02");
        await AssessAsync(krk, p3, "POST24", null, "MADRS", Madrs(8, 1));

        foreach (var code in new[] { p1, p2, p3 }) await WaitEvaluatedAsync(Host, code);
        Assert.That(new[] { p1, p2, p3 }, Is.EqualTo(new[] { "WAW-0001", "WAW-0002", "KRK-0001" }));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await Host.DisposeAsync();
}
