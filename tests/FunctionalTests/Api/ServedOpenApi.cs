using System.Net;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>The OpenAPI document as a real host serves it, and the repository's files that follow it.</summary>
public static class ServedOpenApi
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    /// <summary>The document's text as served by a host of <paramref name="protocol"/> (null: the suite's protocol).</summary>
    public static async Task<string> TextAsync(string? protocol = null)
    {
        await using var host = TrialHost.Start(settings: TestProtocols.Settings(protocol));
        var response = await host.Client().GetAsync(DocumentPath);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    public static string RepositoryRoot() => BuildOutput.RepositoryRoot();
}
