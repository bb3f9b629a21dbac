using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api;

/// <summary>
/// The real API on Kestrel, listening on a loopback port, over a SQLite file in a temporary
/// folder, with a clock the test moves.
/// </summary>
public sealed class TrialHost : IAsyncDisposable
{
    public const string AdminToken = "trial_test-admin-token-4f9c2e7a81d3b605";
    public static readonly DateTimeOffset StartTime = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly WebApplicationFactory<Program> _factory;
    private readonly TempFolder _folder = new();
    private readonly Lazy<Task<HttpClient>> _secondAdmin;

    private readonly string? _sqlServerConnectionString;

    private TrialHost(Action<IServiceCollection>? services, IDictionary<string, string?>? settings, string? sqlServerConnectionString, DateTimeOffset? startTime = null)
    {
        _sqlServerConnectionString = sqlServerConnectionString;
        _secondAdmin = new(CreateSecondAdminAsync);
        Clock = new FakeTimeProvider(startTime ?? StartTime);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseUrls("http://127.0.0.1:0");
            if (sqlServerConnectionString is null)
            {
                b.UseSetting("ConnectionStrings:Trial", $"Data Source={SqliteFile}");
                b.UseSetting("Database:Provider", "Sqlite");
            }
            else
            {
                b.UseSetting("ConnectionStrings:Trial", sqlServerConnectionString);
                b.UseSetting("Database:Provider", "SqlServer");
                b.UseSetting("Database:MigrateAtStart", "true");
                b.UseSetting("Database:CreateIfMissing", "true");
            }
            b.UseSetting("Database:DataFolder", _folder.Path);
            b.UseSetting("TRIAL_BOOTSTRAP_ADMIN_TOKEN", AdminToken);
            if (!string.IsNullOrWhiteSpace(SuiteProtocol)) b.UseSetting("Protocol:Path", SuiteProtocol);
            // Several processes share one SQL Server, so the secret of the allocation sequence must be configured there.
            if (sqlServerConnectionString is not null) b.UseSetting("Randomisation:Secret", "sql-server-suite-randomisation-secret-0123456789");
            // And the audit chain's key, which SQL Server requires configured (32 bytes, base64).
            if (sqlServerConnectionString is not null) b.UseSetting("Audit:ChainKey", "c3FsLXNlcnZlci1zdWl0ZS1hdWRpdC1jaGFpbi1rZXktMDEyMzQ1Njc4OQ==");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) b.UseSetting(key, value);
            b.ConfigureTestServices(s =>
            {
                s.RemoveAll<TimeProvider>();
                s.AddSingleton<TimeProvider>(Clock);
                services?.Invoke(s);
            });
        });
        _factory.UseKestrel();
        _factory.StartServer();
        Admin = Client(AdminToken);
    }

    /// <summary>
    /// The protocol every host runs unless a test chooses one: TRIAL_TEST_PROTOCOL (a built-in name such as open-label,
    /// or a file), else the default protocol. Running the suite once with TRIAL_TEST_PROTOCOL=open-label runs every test
    /// that does not pin its protocol against the open-label design.
    /// </summary>
    public static string? SuiteProtocol => Environment.GetEnvironmentVariable("TRIAL_TEST_PROTOCOL");

    public FakeTimeProvider Clock { get; }
    public HttpClient Admin { get; }
    /// <summary>The SQLite file; a test that reads or changes it is skipped (with why) in the SQL Server pass.</summary>
    public string DatabasePath
    {
        get
        {
            RequireSqlite("the test reads or changes the SQLite file itself.");
            return SqliteFile;
        }
    }

    private string SqliteFile => _folder.File("trial.db");
    public string DataFolder => _folder.Path;
    public IServiceProvider Services => _factory.Services;

    /// <summary>The protocol this host serves.</summary>
    public ProtocolDefinition Protocol => Services.GetRequiredService<ProtocolDefinition>();

    public const string SqlServerVariable = "TRIAL_TEST_SQLSERVER", ProviderVariable = "TRIAL_TEST_PROVIDER";

    /// <summary>
    /// The database every host of this run uses: SQLite files unless TRIAL_TEST_PROVIDER=sqlserver, which runs the same
    /// suite with each host on a fresh database of the SQL Server in TRIAL_TEST_SQLSERVER (a login that may create
    /// databases), created at start and dropped at dispose. .ci/run runs that pass when TRIAL_TEST_SQLSERVER is set.
    /// </summary>
    public static DatabaseProvider SuiteProvider =>
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "sqlserver", StringComparison.OrdinalIgnoreCase)
            ? DatabaseProvider.SqlServer
            : DatabaseProvider.Sqlite;

    /// <summary>For a test that reads or changes the SQLite file itself (or runs the API as a process on one): skipped, with why, on another provider.</summary>
    public static void RequireSqlite(string why)
    {
        if (SuiteProvider != DatabaseProvider.Sqlite) Assert.Ignore($"SQLite only: {why}");
    }

    /// <param name="services">Replacements of the application's services.</param>
    /// <param name="settings">Configuration settings on top of the test defaults.</param>
    /// <param name="startTime">Where the clock starts (it only moves forward); <see cref="StartTime"/> by default.</param>
    public static TrialHost Start(Action<IServiceCollection>? services = null, IDictionary<string, string?>? settings = null, DateTimeOffset? startTime = null) =>
        new(services, settings, SuiteProvider == DatabaseProvider.SqlServer ? FreshSqlServerDatabase() : null, startTime);

    // A database of its own for each host: its name in the connection string of TRIAL_TEST_SQLSERVER; the migrator creates it.
    private static string FreshSqlServerDatabase()
    {
        var server = Environment.GetEnvironmentVariable(SqlServerVariable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException($"{ProviderVariable}=sqlserver needs {SqlServerVariable}: a connection string to a server where the login may create databases.");
        return new SqlConnectionStringBuilder(server) { InitialCatalog = "trial_test_" + Guid.NewGuid().ToString("N")[..12] }.ConnectionString;
    }

    public HttpClient Client(string? token = null)
    {
        var client = _factory.CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task CreateSiteAsync(string code, string? name = null)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/sites", new { code, name = name ?? code + " site" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A client holding the token of a new user with this role and these sites, who activated with the code the admin was given.</summary>
    public async Task<HttpClient> UserAsync(string role, params string[] sites)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/users", new { name = $"{role} of {string.Join(",", sites)}", role, sites });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (Roles.Unblinded.Contains(role)) await ApproveAsync(body!["id"]!.GetValue<string>());
        return Client(await ActivateAsync(body!["activationCode"]!.GetValue<string>()));
    }

    /// <summary>The token a user gets for their activation code (POST /api/v1/tokens, sent without a token; expects 201).</summary>
    public async Task<string> ActivateAsync(string activationCode)
    {
        using var anonymous = Client();
        var response = await anonymous.PostAsJsonAsync("/api/v1/tokens", new { activationCode });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    /// <summary>
    /// A second admin, made by <see cref="Admin"/> on first use: access that sees arms, which <see cref="Admin"/> requests, is
    /// approved by an admin other than the one who requested it.
    /// </summary>
    public Task<HttpClient> SecondAdminAsync() => _secondAdmin.Value;

    /// <summary>Approves, as <see cref="SecondAdminAsync"/>, the access <see cref="Admin"/> requested for the user (expects 200).</summary>
    public async Task ApproveAsync(string userId)
    {
        var response = await (await SecondAdminAsync()).PostAsync($"/api/v1/users/{userId}/approval", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpClient> CreateSecondAdminAsync()
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/users", new { name = "second admin", role = Roles.Admin, sites = Array.Empty<string>() });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return Client(await ActivateAsync((await response.Content.ReadFromJsonAsync<JsonObject>())!["activationCode"]!.GetValue<string>()));
    }

    public static object EligibleParticipant(string siteCode) => new
    {
        siteCode,
        sex = "F",
        birthYear = 1990,
        weightKg = 61.5m,
        enrolledDate = "2026-02-16",
        eligibility = new
        {
            failedAntidepressantTrials = 2,
            psychotherapyWithoutResponse = true,
            bpdDiagnosis = true,
            psychoticPersonalityOrganisation = false,
            highSuicideRisk = false,
        },
    };

    /// <summary>Enrols an eligible participant and returns the code the server gave.</summary>
    public static async Task<string> EnrolAsync(HttpClient investigator, string siteCode)
    {
        var response = await investigator.PostAsJsonAsync("/api/v1/participants", EligibleParticipant(siteCode));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>();
    }

    /// <summary>Records that the visit happened on <paramref name="date"/> unless it is already recorded (expects 200).</summary>
    public static async Task EnsureVisitAsync(HttpClient investigator, string code, string visit, DateOnly date)
    {
        var current = await (await investigator.GetAsync($"/api/v1/participants/{code}/visits/{visit}")).JsonAsync(HttpStatusCode.OK);
        if (current["status"]!.GetValue<string>() == "done") return;
        await RecordVisitAsync(investigator, code, visit, date);
    }

    /// <summary>Records that the visit happened on <paramref name="date"/> (expects 200) and returns the visit.</summary>
    public static async Task<JsonObject> RecordVisitAsync(HttpClient investigator, string code, string visit, DateOnly date) =>
        await (await investigator.PutJsonAsync($"/api/v1/participants/{code}/visits/{visit}", new { actualDate = date })).JsonAsync(HttpStatusCode.OK);

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        _folder.Dispose();
        if (_sqlServerConnectionString is not null) await DropDatabaseAsync(_sqlServerConnectionString);
    }

    private static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new SqlConnectionStringBuilder(connectionString).InitialCatalog;
        SqlConnection.ClearAllPools();
        await using var c = new SqlConnection(new SqlConnectionStringBuilder(connectionString) { InitialCatalog = "master" }.ConnectionString);
        await c.OpenAsync();
        await using var drop = new SqlCommand($"ALTER DATABASE [{database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{database}];", c);
        await drop.ExecuteNonQueryAsync();
    }
}

public static class HttpAssertions
{
    /// <summary>Asserts the status and that the body is problem+json; returns the problem document.</summary>
    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonArray> JsonArrayAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsArray();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.PutAsync(url, new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), System.Text.Encoding.UTF8, "application/json"));
}
