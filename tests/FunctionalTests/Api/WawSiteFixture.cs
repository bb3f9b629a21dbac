using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// One host per fixture with site WAW, an investigator and a monitor of that site. <paramref name="protocol"/> names the
/// protocol the host serves (see <see cref="TestProtocols"/>); null leaves it to the suite.
/// </summary>
public abstract class WawSiteFixture(string? protocol = null)
{
    protected TrialHost _host = null!;
    protected HttpClient _investigator = null!;
    protected HttpClient _monitor = null!;

    /// <summary>Infusions as the served protocol records them.</summary>
    protected InfusionKit _infusions = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start(settings: TestProtocols.Settings(protocol));
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
        _infusions = new InfusionKit(_host, _investigator);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();
}
