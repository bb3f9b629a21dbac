using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// Behind docker-compose's TLS-terminating proxy the API sees every request come from the proxy over HTTP; with
/// ForwardedHeaders:Enabled it takes the caller's address and scheme from X-Forwarded-For and X-Forwarded-Proto, from trusted
/// proxies only, and not at all by default.
/// </summary>
public class ProxyHeadersTests
{
    private const string EchoPath = "/_test/connection";

    /// <summary>
    /// Answers, at the end of the application's own pipeline (after authentication: the caller is the admin), the scheme and
    /// caller address the application saw.
    /// </summary>
    private sealed class EchoAtTheEnd : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(async http =>
            {
                if (http.Request.Path != EchoPath)
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                await http.Response.WriteAsync($"{http.Request.Scheme} {http.Connection.RemoteIpAddress}");
            });
        };
    }

    private static TrialHost Start(Dictionary<string, string?> settings) =>
        TrialHost.Start(services: s => s.AddSingleton<IStartupFilter, EchoAtTheEnd>(), settings: settings);

    private static async Task<string> SeenAsync(TrialHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, EchoPath);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await host.Admin.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public async Task Enabled_FromTheLoopbackProxy_TakesCallerAndSchemeFromTheHeaders()
    {
        await using var host = Start(new() { ["ForwardedHeaders:Enabled"] = "true" });
        Assert.That(await SeenAsync(host), Is.EqualTo("https 203.0.113.7"));
    }

    [Test]
    public async Task Enabled_FromAnAddressNotListedAsAProxy_IgnoresTheHeaders()
    {
        await using var host = Start(new() { ["ForwardedHeaders:Enabled"] = "true", ["ForwardedHeaders:KnownNetworks:0"] = "10.9.8.0/24" });
        Assert.That(await SeenAsync(host), Is.EqualTo("http 127.0.0.1"));
    }

    [Test]
    public async Task ByDefault_TheHeadersAreIgnored()
    {
        await using var host = Start([]);
        Assert.That(await SeenAsync(host), Is.EqualTo("http 127.0.0.1"));
    }

    [Test]
    public async Task Enabled_TheLimitOnUnauthenticatedRequestsCountsEachCallerBehindTheProxyApart()
    {
        await using var host = Start(new() { ["ForwardedHeaders:Enabled"] = "true", ["RateLimit:UnauthenticatedPermitsPerWindow"] = "2" });
        var client = host.Client();

        async Task<HttpStatusCode> AnonymousFromAsync(string caller)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/participants");
            request.Headers.Add("X-Forwarded-For", caller);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.That(await AnonymousFromAsync("203.0.113.7"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AnonymousFromAsync("203.0.113.7"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AnonymousFromAsync("203.0.113.7"), Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await AnonymousFromAsync("203.0.113.8"), Is.EqualTo(HttpStatusCode.Unauthorized), "another caller behind the same proxy");
    }
}
