using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>A participant's concomitant medications a page at a time: recorded through the API, several on one start date so the id orders them.</summary>
public class ConcomitantMedicationPagingTests
{
    private TrialHost _host = null!;
    private HttpClient _wawInvestigator = null!, _krkInvestigator = null!;
    private string _code = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        _krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _code = await TrialHost.EnrolAsync(_wawInvestigator, "WAW");
        var other = await TrialHost.EnrolAsync(_wawInvestigator, "WAW");
        for (var i = 0; i < 22; i++)
        {
            foreach (var code in i % 4 == 0 ? new[] { _code, other } : [_code])
            {
                var body = new { name = $"Medication {i}", dose = "1 tablet", route = "oral", startDate = new DateOnly(2026, 1, 1).AddDays(-(i % 5)).ToString("yyyy-MM-dd"), ongoing = true };
                await (await _wawInvestigator.PostAsJsonAsync($"/api/v1/participants/{code}/concomitant-medications", body)).JsonAsync(HttpStatusCode.Created);
            }
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>The participant's medication ids by start date, then by id as the database compares ids.</summary>
    private async Task<List<string>> ExpectedAsync() =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<Guid>(
            "SELECT m.Id FROM ConcomitantMedication m JOIN Participant p ON p.Id = m.ParticipantId WHERE p.Code = @code ORDER BY m.StartDate, m.Id", new { code = _code })))
        .Select(id => id.ToString("D")).ToList();

    private static List<string> Ids(List<JsonNode> rows) => rows.Select(r => r["id"]!.GetValue<string>()).ToList();

    [Test]
    public async Task List_PagesOfFive_GiveEveryMedicationOfTheParticipantOnceByStartDate()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, $"/api/v1/participants/{_code}/concomitant-medications?limit=5", 5);

        var expected = await ExpectedAsync();
        Assert.That(expected, Has.Count.EqualTo(22));
        Assert.That(Ids(rows), Is.EqualTo(expected));
        Assert.That(rows.Select(r => r["startDate"]!.GetValue<string>()), Is.Ordered.Using<string>(StringComparer.Ordinal));
    }

    [Test]
    public async Task List_ParticipantOfAnotherSite_IsRefusedOnEveryPage()
    {
        var next = PageReader.Next(await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/concomitant-medications?limit=2"))!;
        await (await _krkInvestigator.GetAsync($"/api/v1/participants/{_code}/concomitant-medications?limit=2")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _krkInvestigator.GetAsync(next)).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/concomitant-medications?limit={limit}"))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/concomitant-medications?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("assessments", "1", Guid.Empty.ToString());
        foreach (var bad in new[] { tampered, foreign, Trial.Application.Paging.Pages.Encode(Trial.Application.Paging.Pages.OfParticipant("concomitant-medications", _code), "1 Jan", Guid.Empty.ToString()) })
        {
            var problem = await (await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/concomitant-medications?cursor={bad}"))
                .ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
