using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using NUnit.Framework;

namespace Trial.Tests.Api.Crash;

/// <summary>
/// The API as its own operating-system process (the built application, run with <c>dotnet Trial.Api.dll</c> as a deployment
/// runs it), on a SQLite file that outlives the process, so a test can kill it with SIGKILL and start it again.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    public const string AdminToken = "trial_crash-admin-token-7d2b91e4c05fa836";

    private readonly Process _process;
    private readonly Task<string> _output;

    private ApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()).ContinueWith(t => string.Join("\n", t.Result));
    }

    public Uri Address { get; }

    /// <summary>Starts the API on <paramref name="dataFolder"/> and waits until it is ready.</summary>
    public static async Task<ApiProcess> StartAsync(string dataFolder, IDictionary<string, string>? settings = null)
    {
        TrialHost.RequireSqlite("the API runs as its own process on a SQLite file it outlives.");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [BuildOutput.Find("api", "Trial.Api.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dataFolder,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__DataFolder"] = dataFolder;
        start.Environment["ConnectionStrings__Trial"] = $"Data Source={Path.Combine(dataFolder, "trial.db")}";
        start.Environment["TRIAL_BOOTSTRAP_ADMIN_TOKEN"] = AdminToken;
        start.Environment["RateLimit__PermitsPerWindow"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        await api.WaitReadyAsync();
        return api;
    }

    public HttpClient Client(string? token = AdminToken)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates a user with this role at these sites (as the admin) and returns the token they get for their activation code.</summary>
    public Task<string> UserTokenAsync(string role, params string[] sites) => UserTokenAsync($"{role} of {string.Join(",", sites)}", role, sites);

    /// <summary>Creates a user named <paramref name="name"/> (as the admin) and returns the token they get for their activation code.</summary>
    public async Task<string> UserTokenAsync(string name, string role, string[] sites)
    {
        using var admin = Client();
        using var anonymous = Client(null);
        var created = await (await admin.PostAsJsonAsync("/api/v1/users", new { name, role, sites })).JsonAsync(HttpStatusCode.Created);
        var activated = await (await anonymous.PostAsJsonAsync("/api/v1/tokens", new { activationCode = created["activationCode"]!.GetValue<string>() }))
            .JsonAsync(HttpStatusCode.Created);
        return activated["token"]!.GetValue<string>();
    }

    /// <summary>SIGKILL: the process stops at once, without any chance to flush or clean up.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the process (if it still runs) and returns what it wrote to its console: the evidence when a check fails.</summary>
    public async Task<string> KillAndReadOutputAsync()
    {
        await KillAsync();
        return await _output;
    }

    private async Task WaitReadyAsync()
    {
        using var client = Client(null);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) Assert.Fail($"The API exited at start with code {_process.ExitCode}:\n{await _output}");
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        await KillAsync();
        Assert.Fail($"The API was not ready within 60 s:\n{await _output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
