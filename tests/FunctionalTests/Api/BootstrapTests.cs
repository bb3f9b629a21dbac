using System.Net;
using NUnit.Framework;
using Trial.Application.Access;

namespace Trial.Tests.Api;

public class BootstrapTests
{
    [Test]
    public async Task Start_WithoutConfiguredToken_WritesOwnerOnlyTokenFileThatWorks()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["TRIAL_BOOTSTRAP_ADMIN_TOKEN"] = "" });
        var path = Path.Combine(host.DataFolder, BootstrapAdmin.TokenFileName);
        Assert.That(File.Exists(path), Is.True);
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var token = (await File.ReadAllTextAsync(path)).Trim();
        Assert.That(token, Does.StartWith(ApiTokens.Prefix));

        var client = host.Client(token);
        Assert.That((await client.GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // The configured test token was not used, so it must not work.
        Assert.That((await host.Admin.GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Start_WithConfiguredToken_CreatesAdminWithThatToken()
    {
        await using var host = TrialHost.Start();
        Assert.That((await host.Admin.GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(File.Exists(Path.Combine(host.DataFolder, BootstrapAdmin.TokenFileName)), Is.False);
    }

    [Test]
    public void Start_WithAWeakConfiguredToken_RefusesToStart()
    {
        var ex = Assert.Catch(() => TrialHost.Start(settings: new Dictionary<string, string?> { ["TRIAL_BOOTSTRAP_ADMIN_TOKEN"] = "admin-password-1" }));
        Assert.That(ex!.ToString(), Does.Contain("TRIAL_BOOTSTRAP_ADMIN_TOKEN is too weak"));
    }

    [Test]
    public async Task Start_WithBrokenProtocolFile_FailsNamingTheProblem()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{ "protocolId": "X", "version": "", "timepoints": [], "visits": [] }""");
        try
        {
            var ex = Assert.Catch(() => TrialHost.Start(settings: new Dictionary<string, string?> { ["Protocol:Path"] = file }));
            Assert.That(ex!.ToString(), Does.Contain("is not valid"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
