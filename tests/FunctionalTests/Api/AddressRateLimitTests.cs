using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// Requests without a valid token are limited per client address: past the limit, 429 with Retry-After and nothing
/// looked up or audited; a token this process has resolved still gets through.
/// </summary>
public class AddressRateLimitTests
{
    private const int Limit = 5;

    [Test]
    public async Task UnauthenticatedRequests_PastTheLimit_Are429_UnauditedAndCheap_WhileAKnownTokenStillWorks()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["RateLimit:UnauthenticatedPermitsPerWindow"] = $"{Limit}", ["RateLimit:WindowSeconds"] = "3600" });
        Assert.That((await host.Admin.GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the admin's token is resolved and cached");
        var guesser = host.Client("trial_guessed-token");
        for (var i = 0; i < Limit; i++)
            Assert.That((await guesser.GetAsync("/api/v1/participants")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"request {i + 1}");
        var denied = await DeniedCountAsync(host);

        var refused = await guesser.GetAsync("/api/v1/participants");
        var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("without a valid token"));
        Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        Assert.That((await host.Client().GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "no token at all: the same address");

        Assert.That((await host.Admin.GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await DeniedCountAsync(host), Is.EqualTo(denied), "the refused requests were neither looked up nor audited");
    }

    [Test]
    public async Task AuthenticatedRequests_DoNotCount()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["RateLimit:UnauthenticatedPermitsPerWindow"] = $"{Limit}", ["RateLimit:WindowSeconds"] = "3600" });
        for (var i = 0; i < Limit * 3; i++)
            Assert.That((await host.Admin.GetAsync("/api/v1/sites")).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i + 1}");
        Assert.That((await host.Client("trial_guessed-token").GetAsync("/api/v1/participants")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Activations_AreRequestsWithoutAToken_PastTheLimit429WithTheCodeLeftUnused()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["RateLimit:UnauthenticatedPermitsPerWindow"] = $"{Limit}", ["RateLimit:WindowSeconds"] = "3600" });
        await host.CreateSiteAsync("WAW");
        var code = (await (await host.Admin.PostAsJsonAsync("/api/v1/users", new { name = "Mo", role = "monitor", sites = new[] { "WAW" } })).JsonAsync(HttpStatusCode.Created))
            ["activationCode"]!.GetValue<string>();
        var guesser = host.Client();
        for (var i = 0; i < Limit; i++)
            await (await guesser.PostAsJsonAsync("/api/v1/tokens", new { activationCode = $"GUESS-{i}" })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var attempts = await AttemptsAsync(host);

        await (await guesser.PostAsJsonAsync("/api/v1/tokens", new { activationCode = code })).ProblemAsync(HttpStatusCode.TooManyRequests);

        Assert.That(attempts, Is.EqualTo(Limit), "every refused activation under the limit is audited");
        Assert.That(await AttemptsAsync(host), Is.EqualTo(attempts), "past the limit nothing is looked up or audited");
        // A caller with a token this process knows is not held back by its address: the code was left as it was.
        Assert.That((await host.Admin.PostAsJsonAsync("/api/v1/tokens", new { activationCode = code })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    private static async Task<int> AttemptsAsync(TrialHost host)
    {
        var page = await (await host.Admin.GetAsync("/api/v1/audit?entity=activation-code&limit=500")).JsonAsync(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count(r => r!["action"]!.GetValue<string>() == "access-denied");
    }

    private static async Task<int> DeniedCountAsync(TrialHost host)
    {
        var page = await (await host.Admin.GetAsync("/api/v1/audit?entity=access&limit=500")).JsonAsync(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }
}
