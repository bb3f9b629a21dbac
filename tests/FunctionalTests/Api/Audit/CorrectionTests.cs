using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Audit;

/// <summary>
/// No silent overwrite: every update of data entered by people names the version it replaces (If-Match: 428 without,
/// 412 when stale) and gives a reason; a lost race changes nothing. Run against both designs (the infusion differs).
/// </summary>
[TestFixture(TestProtocols.Blinded)]
[TestFixture(TestProtocols.OpenLabel)]
public class CorrectionTests(string protocol) : WawSiteFixture(protocol)
{
    private static readonly DateTime Inf1Start = new(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc);

    /// <summary>One record of every kind that can be corrected, each with the URL its correction goes to and a valid correction body.</summary>
    private async Task<IReadOnlyList<(string What, string Url, object Body)>> CorrectableAsync()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var visit = $"/api/v1/participants/{code}/visits/INF1";
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", new DateOnly(2026, 3, 1));
        await _infusions.RandomiseAsync(code, new DateOnly(2026, 3, 1));
        await TrialHost.RecordVisitAsync(_investigator, code, "INF1", DateOnly.FromDateTime(Inf1Start));
        var infusion = await _infusions.PreparedBodyAsync(code, "INF1", Inf1Start) with { Reason = "Corrected." };
        await (await _investigator.PostAsJsonAsync($"{visit}/infusion", infusion with { Reason = null })).JsonAsync(HttpStatusCode.Created);
        await VitalsAsync(_investigator, code, "INF1", "pre", 130, 80, 70, 98);
        var assessment = await AssessAtAsync(_investigator, code, "INF1", "pre", "MADRS", Madrs(20, item10: 1), Inf1Start.AddMinutes(-10));
        var ae = await RecordAdverseEventAsync(_investigator, code, AdverseEvent("Nausea"));
        await (await _investigator.PostAsJsonAsync($"/api/v1/participants/{code}/discontinuation", new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Dissociation." }))
            .JsonAsync(HttpStatusCode.OK);
        return
        [
            ("visit", $"/api/v1/participants/{code}/visits/BL", new { actualDate = "2026-02-28", reason = "Corrected." }),
            ("infusion", $"{visit}/infusion", infusion with { WeightKg = 60m }),
            ("vitals", $"{visit}/vitals/pre", new { systolic = 131, diastolic = 80, heartRate = 70, spo2 = 98, reason = "Corrected." }),
            ("assessment", $"/api/v1/assessments/{assessment}", new
            {
                instrument = "MADRS", timepoint = "pre", administeredUtc = Inf1Start.AddMinutes(-10), items = Madrs(21, item10: 1), reason = "Corrected.",
            }),
            ("adverse event", $"/api/v1/adverse-events/{ae["id"]}", AdverseEvent("Nausea") with { Severity = "mild", Reason = "Corrected." }),
        ];
    }

    [Test]
    public async Task Update_WithoutIfMatch_Is428AndChangesNothing()
    {
        foreach (var (what, url, body) in await CorrectableAsync())
        {
            var before = await (await _investigator.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
            var problem = await (await _investigator.SendAsync(Put(url, body, ifMatch: null))).ProblemAsync(HttpStatusCode.PreconditionRequired);
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("If-Match"), what);
            var after = await (await _investigator.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
            Assert.That(after.ToJsonString(), Is.EqualTo(before.ToJsonString()), what);
        }
    }

    [Test]
    public async Task Visit_RecordedThenCorrected_EachMovesTheParticipantsDataVersion()
    {
        // Assessment entry reads the visit records before its write and uses them inside it only while this version stands.
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        Task<int> DataVersionAsync() => _host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.ExecuteScalarAsync<int>("SELECT DataVersion FROM Participant WHERE Code = @code", new { code }));
        var enrolled = await DataVersionAsync();
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", new DateOnly(2026, 3, 1));
        var recorded = await DataVersionAsync();
        var url = $"/api/v1/participants/{code}/visits/BL";
        var etag = (await _investigator.GetAsync(url)).Headers.ETag!.ToString();

        await (await _investigator.SendAsync(Put(url, new { actualDate = "2026-02-28", reason = "Corrected." }, etag))).JsonAsync(HttpStatusCode.OK);

        Assert.That(recorded, Is.GreaterThan(enrolled));
        Assert.That(await DataVersionAsync(), Is.GreaterThan(recorded));
    }

    [Test]
    public async Task Update_WithStaleETag_Is412AndChangesNothing()
    {
        foreach (var (what, url, body) in await CorrectableAsync())
        {
            var before = await (await _investigator.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
            await (await _investigator.SendAsync(Put(url, body, ifMatch: "\"7\""))).ProblemAsync(HttpStatusCode.PreconditionFailed);
            var after = await (await _investigator.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
            Assert.That(after.ToJsonString(), Is.EqualTo(before.ToJsonString()), what);
        }
    }

    [Test]
    public async Task Update_WithCurrentETagButNoReason_Is422NamingReason()
    {
        foreach (var (what, url, body) in await CorrectableAsync())
        {
            var etag = (await _investigator.GetAsync(url)).Headers.ETag!.ToString();
            var withoutReason = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body, System.Text.Json.JsonSerializerOptions.Web))!.AsObject();
            withoutReason.Remove("reason");
            var problem = await (await _investigator.SendAsync(Put(url, withoutReason, etag))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Does.Contain("reason"), what);
        }
    }

    [Test]
    public async Task Update_WithCurrentETagAndReason_IsStoredWithTheNextETag()
    {
        foreach (var (what, url, body) in await CorrectableAsync())
        {
            var etag = (await _investigator.GetAsync(url)).Headers.ETag!.ToString();
            var response = await _investigator.SendAsync(Put(url, body, etag));
            await response.JsonAsync(HttpStatusCode.OK);
            Assert.That(response.Headers.ETag!.ToString(), Is.Not.EqualTo(etag), what);
            Assert.That((await _investigator.GetAsync(url)).Headers.ETag!.ToString(), Is.EqualTo(response.Headers.ETag!.ToString()), what);
        }
    }

    [Test]
    public async Task Discontinuation_CorrectedWithoutIfMatch_Is428_WithStaleETag_Is412_WithCurrent_IsStored()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var url = $"/api/v1/participants/{code}/discontinuation";
        await (await _investigator.PostAsJsonAsync(url, new { date = "2026-03-03", reasonCode = "ADVERSE EVENT", reason = "Dissociation." })).JsonAsync(HttpStatusCode.OK);
        var correction = new { date = "2026-03-04", reasonCode = "ADVERSE EVENT", reason = "The date was the day after." };
        await (await _investigator.PostAsJsonAsync(url, correction)).ProblemAsync(HttpStatusCode.PreconditionRequired);
        var stale = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(correction) };
        stale.Headers.IfMatch.ParseAdd("\"1\"");
        await (await _investigator.SendAsync(stale)).ProblemAsync(HttpStatusCode.PreconditionFailed);

        var etag = (await _investigator.GetAsync($"/api/v1/participants/{code}")).Headers.ETag!;
        var current = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(correction) };
        current.Headers.IfMatch.Add(etag);
        var corrected = await (await _investigator.SendAsync(current)).JsonAsync(HttpStatusCode.OK);
        Assert.That(corrected["infusionsDiscontinuedDate"]!.GetValue<string>(), Is.EqualTo("2026-03-04"));
    }

    [Test]
    public async Task Visit_FirstRecordingNeedsNoIfMatch_RecordingTheSameDateAgainChangesNothing()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var url = $"/api/v1/participants/{code}/visits/INF1";
        var first = await _investigator.PutJsonAsync(url, new { actualDate = "2026-03-02" });
        await first.JsonAsync(HttpStatusCode.OK);
        var again = await _investigator.SendAsync(Put(url, new { actualDate = "2026-03-02", reason = "Same." }, first.Headers.ETag!.ToString()));
        await again.JsonAsync(HttpStatusCode.OK);
        Assert.That(again.Headers.ETag!.ToString(), Is.EqualTo(first.Headers.ETag!.ToString()));
        var visitRows = (await (await _monitor.GetAsync($"/api/v1/participants/{code}/history")).JsonArrayAsync())
            .Count(r => r!["entityType"]!.GetValue<string>() == "visit");
        Assert.That(visitRows, Is.EqualTo(1), "a correction that changes nothing is not a change");
    }

    [Test]
    public async Task TwoConcurrentCorrections_OneWinsTheOtherIs412_AndTheHistoryStaysClean()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var id = await AssessAsync(_investigator, code, "BL", null, "MADRS", Madrs(20, item10: 1));
        var url = $"/api/v1/assessments/{id}";
        var etag = (await _investigator.GetAsync(url)).Headers.ETag!.ToString();
        object Correction(int total) => new { instrument = "MADRS", administeredUtc = At("BL", null), items = Madrs(total, item10: 1), reason = $"Total {total}." };

        for (var round = 0; round < 5; round++)
        {
            var responses = await Task.WhenAll(
                _investigator.SendAsync(Put(url, Correction(21 + round), etag)),
                _investigator.SendAsync(Put(url, Correction(31 + round), etag)));
            var statuses = responses.Select(r => r.StatusCode).Order().ToList();
            Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.PreconditionFailed }), $"round {round}");
            etag = responses.Single(r => r.StatusCode == HttpStatusCode.OK).Headers.ETag!.ToString();
        }

        var revisions = await (await _investigator.GetAsync($"{url}/revisions")).JsonArrayAsync();
        Assert.That(revisions.Select(r => r!["version"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
        var stored = await (await _investigator.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.That(stored["version"]!.GetValue<int>(), Is.EqualTo(6));
        var updates = (await (await _monitor.GetAsync($"/api/v1/participants/{code}/history")).JsonArrayAsync())
            .Count(r => r!["entityType"]!.GetValue<string>() == "assessment" && r["action"]!.GetValue<string>() == "update");
        Assert.That(updates, Is.EqualTo(5), "one audit row per correction that won, none for those that lost");
    }
}
