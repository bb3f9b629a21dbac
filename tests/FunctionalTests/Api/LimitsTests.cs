using System.Net;
using System.Text;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api;

/// <summary>Bad input that is also big: refused early, as problem+json, and nothing stored.</summary>
public class LimitsTests : WawSiteFixture
{
    [Test]
    public async Task Body_LargerThanTheLimit_Is413ProblemAndStoresNothing()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        var huge = "{\"instrument\":\"MADRS\",\"timepoint\":null,\"administeredUtc\":\"2026-03-01T09:00:00Z\",\"items\":[" +
                   string.Join(',', Enumerable.Repeat("\"not a number\"", 30_000)) + "]}";
        Assert.That(Encoding.UTF8.GetByteCount(huge), Is.GreaterThan(256 * 1024));
        var problem = await (await _investigator.PostJsonAsync(AssessmentsUrl(code, "BL"), huge)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.That(problem.ToJsonString(), Does.Contain("larger"));
        Assert.That(await (await _investigator.GetAsync($"/api/v1/participants/{code}/assessments")).JsonArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task Items_WrongCount_IsOneProblemNamingTheList_NotOnePerElement()
    {
        var code = await TrialHost.EnrolAsync(_investigator, "WAW");
        await TrialHost.RecordVisitAsync(_investigator, code, "BL", new DateOnly(2026, 3, 1));
        var items = "[" + string.Join(',', Enumerable.Repeat("\"x\"", 5_000)) + "]";
        var problem = await (await _investigator.PostJsonAsync(AssessmentsUrl(code, "BL"),
            $"{{\"instrument\":\"MADRS\",\"timepoint\":null,\"administeredUtc\":\"2026-03-01T09:00:00Z\",\"items\":{items}}}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "items" }));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("MADRS has 10 items; 5000 were given"));
    }

    [Test]
    public async Task Limit_IsConfigurable()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?> { ["Limits:MaxRequestBodyKilobytes"] = "1" });
        var problem = await (await host.Admin.PostJsonAsync("/api/v1/sites", $"{{\"code\":\"WAW\",\"name\":\"{new string('x', 2000)}\"}}"))
            .ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(413));
    }

    [Test]
    public async Task SlowSender_IsCutOffAfterTheGracePeriod_AndNothingIsStored()
    {
        await using var host = TrialHost.Start(settings: new Dictionary<string, string?>
        {
            ["Limits:MinRequestBodyBytesPerSecond"] = "2000", ["Limits:MinRequestBodyGraceSeconds"] = "2",
        });
        var address = host.Admin.BaseAddress!;
        var body = Encoding.UTF8.GetBytes($"{{\"code\":\"SLO\",\"name\":\"{new string('x', 20_000)}\"}}");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        var head = $"POST /api/v1/sites HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {TrialHost.AdminToken}\r\n" +
                   $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // 50 bytes every 100 ms is 500 bytes/s: above Kestrel's default minimum (240), a quarter of the one configured here,
        // so only the setting cuts it off; the whole body would take 40 s.
        var sending = System.Diagnostics.Stopwatch.StartNew();
        var cutOff = false;
        for (var sent = 0; sent < body.Length && sending.Elapsed < TimeSpan.FromSeconds(15); sent += 50)
        {
            try
            {
                await stream.WriteAsync(body.AsMemory(sent, Math.Min(50, body.Length - sent)));
                await Task.Delay(100);
            }
            catch (IOException)
            {
                cutOff = true;
                break;
            }
            if (tcp.Client.Poll(0, System.Net.Sockets.SelectMode.SelectRead)) { cutOff = true; break; } // answered or closed
        }

        Assert.That(cutOff, Is.True, "the server ends the request of a client that sends too slowly");
        Assert.That(sending.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "cut off soon after the grace period, not when the body is complete");
        Assert.That((await (await host.Admin.GetAsync("/api/v1/sites")).JsonArrayAsync()).Select(s => s!["code"]!.GetValue<string>()), Does.Not.Contain("SLO"));
    }
}
