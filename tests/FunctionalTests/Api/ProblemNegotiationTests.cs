using System.Net;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// A browser asks for text/html; a refusal must still be the problem+json every client reads, never a 500 because no
/// problem writer accepts HTML.
/// </summary>
public class ProblemNegotiationTests
{
    private TrialHost _host = null!;
    private HttpClient _monitor = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        _monitor = await _host.UserAsync("monitor", "WAW");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static HttpRequestMessage AskingForHtml(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9");
        return request;
    }

    [Test]
    public async Task Refusal_AskingForHtmlWithoutToken_Is401Problem()
    {
        var problem = await (await _host.Client().SendAsync(AskingForHtml("/api/v1/participants"))).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("Bearer"));
    }

    [Test]
    public async Task Refusal_AskingForHtmlWithTheWrongRole_Is403Problem()
    {
        var problem = await (await _monitor.SendAsync(AskingForHtml("/api/v1/sites"))).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("monitor"));
    }

    [Test]
    public async Task Refusal_AskingForHtmlOfNoEndpoint_Is404Problem()
    {
        var problem = await (await _monitor.SendAsync(AskingForHtml("/api/v1/no-such-thing"))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("/api/v1/no-such-thing"));
    }
}
