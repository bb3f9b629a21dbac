using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// One host per fixture serving the double-blind default protocol, with sites WAW and KRK and a user of every role:
/// the blinded (investigators, a monitor, a statistician, the admin) and the unblinded (pharmacists, an unblinded
/// statistician). Baseline on 2026-03-01, INF1 on 2026-03-02, all before the host's clock (2026-03-10T12:00Z).
/// </summary>
public abstract class BlindedStudyFixture
{
    public static readonly DateOnly BaselineDay = new(2026, 3, 1);
    public static readonly DateOnly Inf1Day = new(2026, 3, 2);
    public static readonly DateTime Inf1Start = new(2026, 3, 2, 8, 10, 0, DateTimeKind.Utc);

    protected TrialHost _host = null!;
    protected HttpClient _investigator = null!, _krkInvestigator = null!, _monitor = null!, _statistician = null!;
    protected HttpClient _pharmacist = null!, _krkPharmacist = null!, _unblinded = null!, _coder = null!;
    protected InfusionKit _infusions = null!;

    /// <summary>The host's settings: the default (double-blind) protocol unless a fixture says otherwise.</summary>
    protected virtual IDictionary<string, string?> Settings => TestProtocols.Settings(TestProtocols.Blinded)!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start(settings: Settings);
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _monitor = await _host.UserAsync("monitor", "WAW");
        _statistician = await _host.UserAsync("statistician", "WAW");
        _pharmacist = await _host.UserAsync("pharmacist", "WAW");
        _krkPharmacist = await _host.UserAsync("pharmacist", "KRK");
        _unblinded = await _host.UserAsync("unblinded-statistician", "WAW", "KRK");
        _coder = await _host.UserAsync("coder", "WAW");
        _infusions = new InfusionKit(_host, _investigator);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>The blinded roles, by name, as clients (the coder among them).</summary>
    protected IEnumerable<(string Role, HttpClient Client)> Blinded() =>
        [("investigator", _investigator), ("monitor", _monitor), ("statistician", _statistician), ("admin", _host.Admin), ("coder", _coder)];

    protected Task<string> EnrolAsync(HttpClient? investigator = null, string site = "WAW") => TrialHost.EnrolAsync(investigator ?? _investigator, site);

    /// <summary>Records the baseline visit with a complete MADRS of this total (item 10 at 2: no alert).</summary>
    protected Task ReadyAsync(string code, int madrsTotal = 30, HttpClient? investigator = null) =>
        AssessAtAsync(investigator ?? _investigator, code, "BL", null, "MADRS", Madrs(madrsTotal, item10: 2), BaselineDay.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));

    protected Task<HttpResponseMessage> PostRandomisationAsync(string code, HttpClient? investigator = null) =>
        (investigator ?? _investigator).PostAsync($"/api/v1/participants/{code}/randomisation", null);

    /// <summary>Enrols, records the baseline and randomises (expects 201); returns the participant's code.</summary>
    protected async Task<string> RandomisedAsync(int madrsTotal = 30, HttpClient? investigator = null, string site = "WAW")
    {
        var code = await EnrolAsync(investigator, site);
        await ReadyAsync(code, madrsTotal, investigator);
        await (await PostRandomisationAsync(code, investigator)).JsonAsync(HttpStatusCode.Created);
        return code;
    }

    /// <summary>The participant's allocation as the unblinded statistician reads it.</summary>
    protected async Task<JsonObject> AllocationAsync(string code) =>
        await (await _unblinded.GetAsync($"/api/v1/participants/{code}/allocation")).JsonAsync(HttpStatusCode.OK);

    /// <summary>The participant's audit trail as a monitor reads it.</summary>
    protected async Task<JsonArray> HistoryAsync(string code) =>
        await (await _monitor.GetAsync($"/api/v1/participants/{code}/history")).JsonArrayAsync();

    protected static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body);
}
