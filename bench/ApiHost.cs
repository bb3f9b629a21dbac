using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Trial.Bench;

/// <summary>
/// The real API, in this process, on Kestrel on a loopback port, over a fresh SQLite file in a
/// temporary folder, with the real clock: the same start-up as <c>dotnet run --project api</c>.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private const string AdminToken = "trial_bench-admin-token-2a6f0c9d4e8b1573";

    private readonly TempFolder _folder = new();
    private readonly WebApplicationFactory<Program> _factory;

    /// <param name="settings">Extra configuration, e.g. <c>Logging:LogLevel:Default</c>.</param>
    public ApiHost(IDictionary<string, string?>? settings = null)
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRIAL_API", ApiProjectFolder());
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseUrls("http://127.0.0.1:0");
            b.UseSetting("ConnectionStrings:Trial", $"Data Source={_folder.File("trial.db")}");
            b.UseSetting("Database:Provider", "Sqlite");
            b.UseSetting("Database:DataFolder", _folder.Path);
            b.UseSetting("TRIAL_BOOTSTRAP_ADMIN_TOKEN", AdminToken);
            // The load comes from a few tokens; the per-token request limit is for people, not for the benchmark.
            b.UseSetting("RateLimit:PermitsPerWindow", "0");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) b.UseSetting(key, value);
        });
        _factory.UseKestrel();

        // The API logs to the console; here its console is a file, so its lines stay off the bench's tables.
        _log = new StreamWriter(_folder.File("console.log"));
        var console = Console.Out;
        Console.SetOut(_log);
        try { _factory.StartServer(); }
        finally { Console.SetOut(console); }
    }

    private readonly StreamWriter _log;

    /// <summary>
    /// The API's project folder, its content root (as in the tests), from the manifest that
    /// Microsoft.AspNetCore.Mvc.Testing writes next to the bench. WebApplicationFactory looks for
    /// that manifest in the current folder only, which under <c>dotnet run</c> is not the output folder.
    /// </summary>
    private static string ApiProjectFolder()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
        var folders = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        return folders.First(f => f.Key.StartsWith("Trial.Api,", StringComparison.Ordinal)).Value!.GetValue<string>();
    }

    /// <summary>A new HTTP client (its own connection) to the server, sending <paramref name="token"/> when there is one.</summary>
    public HttpClient Client(string? token)
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = _factory.ClientOptions.BaseAddress, // the Kestrel address
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The SQLite file the API runs on.</summary>
    public string DatabasePath => _folder.File("trial.db");

    /// <summary>The application's services (its job storage, for one).</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>Creates a site and an investigator of it through the API; returns the investigator's token.</summary>
    public async Task<string> CreateInvestigatorAsync(string siteCode)
    {
        using var admin = Client(AdminToken);
        await ExpectAsync(await admin.PostAsJsonAsync("/api/v1/sites", new { code = siteCode, name = siteCode + " site" }), HttpStatusCode.Created);
        return await CreateUserAsync("Dr Bench", "investigator", siteCode);
    }

    /// <summary>Creates a user with <paramref name="role"/> at an existing site through the API; returns the user's token.</summary>
    public async Task<string> CreateUserAsync(string name, string role, string siteCode)
    {
        using var admin = Client(AdminToken);
        var user = await ExpectAsync(await admin.PostAsJsonAsync("/api/v1/users", new { name, role, sites = new[] { siteCode } }), HttpStatusCode.Created);
        // The user exchanges the activation code the admin was given for a token of their own.
        using var anonymous = Client(null);
        var activated = await ExpectAsync(await anonymous.PostAsJsonAsync("/api/v1/tokens", new { activationCode = user["activationCode"]!.GetValue<string>() }),
            HttpStatusCode.Created);
        return activated["token"]!.GetValue<string>();
    }

    /// <summary>Enrols <paramref name="count"/> eligible participants through the API; returns their codes.</summary>
    public static async Task<List<string>> EnrolAsync(HttpClient investigator, string siteCode, int count)
    {
        var codes = new List<string>(count);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var i = 0; i < count; i++)
        {
            var body = new
            {
                siteCode,
                sex = i % 3 == 0 ? "M" : "F",
                birthYear = 1960 + i % 45,
                weightKg = 50m + i % 60,
                enrolledDate = Workload.EnrolledDate(i, today),
                eligibility = new
                {
                    failedAntidepressantTrials = 2 + i % 3,
                    psychotherapyWithoutResponse = true,
                    bpdDiagnosis = true,
                    psychoticPersonalityOrganisation = false,
                    highSuicideRisk = false,
                },
            };
            var participant = await ExpectAsync(await investigator.PostAsJsonAsync("/api/v1/participants", body), HttpStatusCode.Created);
            codes.Add(participant["code"]!.GetValue<string>());
        }
        return codes;
    }

    /// <summary>Records every visit of each participant on its day (<see cref="Workload.VisitDates"/>), in protocol order, through the API.</summary>
    public static async Task RecordVisitsAsync(HttpClient investigator, Trial.Core.Protocol.ProtocolDefinition protocol, IReadOnlyList<string> codes)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var i = 0; i < codes.Count; i++)
        {
            var dates = Workload.VisitDates(protocol, i, today);
            foreach (var visit in protocol.Visits.Where(v => v.Kind != Trial.Core.Protocol.VisitKinds.Screening))
                await ExpectAsync(await investigator.PutAsJsonAsync($"/api/v1/participants/{codes[i]}/visits/{visit.Code}", new { actualDate = dates[visit.Code] }), HttpStatusCode.OK);
        }
    }

    private static async Task<JsonObject> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} returned {(int)response.StatusCode}, expected {(int)expected}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _log.DisposeAsync();
        _folder.Dispose();
    }
}
