using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using NUnit.Framework;
using static Trial.Tests.Api.Safety.SafetyTestKit;

namespace Trial.Tests.Api.Randomisation;

/// <summary>
/// The creating POSTs of a blinded study honour Idempotency-Key like every other: a retry changes nothing. A retry of the
/// randomisation gets the first answer (it holds no arm); one of a preparation or an unblinding, whose answers hold the arm,
/// is told the request was carried out (409 naming the key, with the record's Location) and the arm is kept nowhere in the
/// idempotency store.
/// </summary>
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
            // The rules and the schedule write their own audit rows after a write; counted once they have caught up.
            await WaitSettledAsync(_host, code);
            var trail = (await HistoryAsync(code)).Count;

            var again = await client.SendAsync(Post(url, body, key));

            if (url.EndsWith("/randomisation", StringComparison.Ordinal))
            {
                Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created), url);
                Assert.That(await again.Content.ReadAsStringAsync(), Is.EqualTo(firstText), url);
            }
            else
            {
                var problem = await again.ProblemAsync(HttpStatusCode.Conflict);
                Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("Idempotency-Key"), url);
                Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("first try (201)"), url);
                Assert.That(again.Headers.Location, Is.EqualTo(first.Headers.Location), url);
                Assert.That(again.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }), url);
                AssertNoArmIn(problem.ToJsonString(), url);
            }
            Assert.That((await HistoryAsync(code)).Count, Is.EqualTo(trail), $"{url}: a retry changes nothing");
        }

        // What the store keeps, read from the database file itself.
        await using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        var stored = (await connection.QueryAsync<string?>("SELECT Body FROM IdempotentResponse")).ToList();
        Assert.That(stored, Has.Count.GreaterThanOrEqualTo(3));
        foreach (var body in stored) AssertNoArmIn(body ?? "", "the idempotency store");

        // And nowhere else: every value of every table but the arm tables (and the blinding guesses, whose values are the
        // guessers' answers), read as text.
        string[] armTables = ["Allocation", "AllocationListEntry", "Preparation", "Unblinding", "BlindingGuess"];
        var tables = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
            .Where(t => !armTables.Contains(t)).ToList();
        Assert.That(tables, Does.Contain("IdempotentResponse").And.Contain("AuditEvent").And.Contain("SafetyAlert"));
        foreach (var table in tables)
        {
            await using var read = connection.CreateCommand();
            read.CommandText = $"SELECT * FROM \"{table}\"";
            await using var rows = await read.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                for (var column = 0; column < rows.FieldCount; column++)
                {
                    if (rows.IsDBNull(column) || rows.GetFieldType(column) != typeof(string)) continue;
                    var value = rows.GetString(column);
                    var where = $"{table}.{rows.GetName(column)}";
                    Assert.That(_host.Protocol.Design.Arms.Select(a => a.Code), Does.Not.Contain(value), where);
                    AssertNoArmIn(value, where);
                }
            }
        }
    }

    private void AssertNoArmIn(string text, string where)
    {
        foreach (var arm in _host.Protocol.Design.Arms)
        {
            Assert.That(text, Does.Not.Contain($"\"{arm.Code}\"").And.Not.Contain(arm.Name).IgnoreCase.And.Not.Contain(arm.Drug).IgnoreCase, where);
        }
        Assert.That(text, Does.Not.Contain("doseMgPerKg").And.Not.Contain("totalDoseMg"), where);
    }
}
