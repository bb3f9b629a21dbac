using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.SqlClient;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// The main flows against a real SQL Server, when TRIAL_TEST_SQLSERVER holds a connection string
/// to a server where the login may create databases. Each run creates its own database and drops it.
/// Without the variable the suite is reported as skipped with the reason.
/// </summary>
[NonParallelizable]
public class SqlServerSuite
{
    public const string Variable = "TRIAL_TEST_SQLSERVER";
    private TrialHost _host = null!;
    private string _master = "";
    private string _database = "";
    private HttpClient _investigator = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(configured))
            Assert.Ignore($"{Variable} is not set: no SQL Server to test against on this machine (the T-SQL parse and schema-parity tests still ran).");
        _database = "trial_test_" + Guid.NewGuid().ToString("N")[..12];
        _master = configured;
        var builder = new SqlConnectionStringBuilder(configured) { InitialCatalog = _database };
        _host = TrialHost.StartOnSqlServer(builder.ConnectionString);
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_database.Length == 0) return;
        await _host.DisposeAsync();
        SqlConnection.ClearAllPools();
        await using var c = new SqlConnection(_master);
        await c.OpenAsync();
        await using var drop = new SqlCommand($"ALTER DATABASE [{_database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_database}];", c);
        await drop.ExecuteNonQueryAsync();
    }

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
