using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>One host per fixture with site WAW, an investigator and a monitor of that site.</summary>
public abstract class WawSiteFixture
{
    protected TrialHost _host = null!;
    protected HttpClient _investigator = null!;
    protected HttpClient _monitor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        _investigator = await _host.UserAsync("investigator", "WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();
}
