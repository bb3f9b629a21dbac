using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// The flows where the two engines differ most (codes from a counter, a unique constraint answered 409, dates, the audit
/// chain from its first row), on the suite's database: SQLite, or in the SQL Server pass (TRIAL_TEST_PROVIDER=sqlserver
/// with TRIAL_TEST_SQLSERVER) a fresh SQL Server database, as every other test of that pass.
/// </summary>
public class DatabaseProviderTests
{
    private TrialHost _host = null!;
    private HttpClient _investigator = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Enrol_AssignsCodesInOrder()
    {
        var first = await TrialHost.EnrolAsync(_investigator, "WAW");
        var second = await TrialHost.EnrolAsync(_investigator, "WAW");
        Assert.That(int.Parse(second[4..]), Is.EqualTo(int.Parse(first[4..]) + 1));
    }

    [Test]
    public async Task Assessment_IsScoredStoredAndUnique()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", new DateOnly(2026, 3, 10));
        var url = $"/api/v1/participants/{code}/visits/BL/assessments";
        var body = new { instrument = "MADRS", timepoint = (string?)null, administeredUtc = "2026-03-10T09:00:00Z", items = new[] { 3, 4, 2, 3, 1, 3, 2, 3, 4, 2 } };
        var created = await (await _investigator.PostAsJsonAsync(url, body)).JsonAsync(HttpStatusCode.Created);
        Assert.That(created["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(27m));
        await (await _investigator.PostAsJsonAsync(url, body)).ProblemAsync(HttpStatusCode.Conflict);
        var stored = await (await _investigator.GetAsync($"/api/v1/assessments/{created["id"]}")).JsonAsync(HttpStatusCode.OK);
        Assert.That(stored["items"]!.AsArray().Select(i => i!.GetValue<decimal>()), Is.EqualTo(new decimal[] { 3, 4, 2, 3, 1, 3, 2, 3, 4, 2 }));
    }

    [Test]
    public async Task Visit_MovesTheSchedule()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        (await _investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/INF1", new { actualDate = "2026-03-02" })).EnsureSuccessStatusCode();
        var schedule = await (await _investigator.GetAsync($"/api/v1/participants/{code}/visits")).JsonArrayAsync();
        Assert.That(schedule.Single(v => v!["visitCode"]!.GetValue<string>() == "INF2")!["targetDate"]!.GetValue<string>(), Is.EqualTo("2026-03-05"));
    }

    [Test]
    public async Task AuditTrail_VerifiesIntact_FromItsFirstRow()
    {
        // The first row's link is empty: a fixed-length column would give it back padded, and the chain would never verify.
        await TrialHost.EnrolAsync(_investigator, "WAW");
        var verified = await (await _host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK);
        Assert.That(verified["intact"]!.GetValue<bool>(), Is.True, verified.ToJsonString());
        Assert.That(verified["rows"]!.GetValue<long>(), Is.GreaterThan(0));
    }
}
