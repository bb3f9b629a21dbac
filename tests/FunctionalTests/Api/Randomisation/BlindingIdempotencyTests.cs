using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace Trial.Tests.Api.Randomisation;

/// <summary>The creating POSTs of a blinded study honour Idempotency-Key like every other: a retry gets the first answer and changes nothing.</summary>
public class BlindingIdempotencyTests : BlindedStudyFixture
{
    private static HttpRequestMessage Post(string url, object? body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Test]
    public async Task EveryCreatingPost_RetriedWithTheSameKey_ReturnsTheFirstAnswerAndAuditsOnce()
    {
        var code = await EnrolAsync();
        await ReadyAsync(code);
        var steps = new List<(HttpClient Client, string Url, Func<Task<object?>> Body)>
        {
            (_investigator, $"/api/v1/participants/{code}/randomisation", () => Task.FromResult<object?>(null)),
            (_pharmacist, $"/api/v1/participants/{code}/visits/INF1/preparation", async () =>
            {
                var allocation = await AllocationAsync(code);
                var dose = allocation["doseMgPerKg"]!.GetValue<decimal>();
                return new { preparationId = "P-retry", arm = allocation["arm"]!.GetValue<string>(), doseMgPerKg = dose, totalDoseMg = Math.Round(dose * 61.5m, 2), volumeMl = 50m };
            }),
            (_investigator, $"/api/v1/participants/{code}/unblinding", () => Task.FromResult<object?>(new { reason = "Emergency." })),
        };
        foreach (var (client, url, makeBody) in steps)
        {
            var body = await makeBody();
            var key = Guid.NewGuid().ToString();
            var first = await client.SendAsync(Post(url, body, key));
            var firstText = await first.Content.ReadAsStringAsync();
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"{url}: {firstText}");
            var trail = (await HistoryAsync(code)).Count;

            var again = await client.SendAsync(Post(url, body, key));

            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created), url);
            Assert.That(await again.Content.ReadAsStringAsync(), Is.EqualTo(firstText), url);
            Assert.That((await HistoryAsync(code)).Count, Is.EqualTo(trail), $"{url}: a replay changes nothing");
        }
    }
}
