using System.Net;
using System.Text;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;
using static Trial.Tests.ItemBuilder;

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
}
