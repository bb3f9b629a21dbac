using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Trial.Db.Assessments;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Api.Paging;

/// <summary>
/// A participant's assessments a page at a time over more than one page: unscheduled CADSS ratings written straight into the
/// database (not through the API, whose writes would set the safety rules to work on each), three at each instant so the id
/// orders them, each with its own items and score so a row on a later page can be told from another.
/// </summary>
public class AssessmentPagingTests
{
    private const int Count = 130;
    private TrialHost _host = null!;
    private HttpClient _wawInvestigator = null!, _krkInvestigator = null!;
    private string _code = null!;
    private Guid _participantId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = TrialHost.Start();
        await _host.CreateSiteAsync("WAW");
        await _host.CreateSiteAsync("KRK");
        _wawInvestigator = await _host.UserAsync("investigator", "WAW");
        _krkInvestigator = await _host.UserAsync("investigator", "KRK");
        _code = await TrialHost.EnrolAsync(_wawInvestigator, "WAW");
        var other = await TrialHost.EnrolAsync(_krkInvestigator, "KRK");

        var db = _host.Services.GetRequiredService<Database>();
        var ids = (await db.ReadAsync(c => c.QueryAsync<(Guid Id, string Code)>("SELECT Id, Code FROM Participant"))).ToDictionary(p => p.Code, p => p.Id);
        _participantId = ids[_code];
        var now = TrialHost.StartTime.UtcDateTime;
        await db.WriteDerivedAsync(now, async w =>
        {
            foreach (var (participantId, count) in new[] { (_participantId, Count), (ids[other], 5) })
            {
                for (var i = 0; i < count; i++)
                {
                    var row = new AssessmentRow
                    {
                        Id = Guid.NewGuid(), ParticipantId = participantId, VisitCode = "INF1", Instrument = "CADSS", Timepoint = $"u{i}", Unscheduled = true,
                        // Newest first in the writing, so the list's order is not the order of insertion.
                        AdministeredUtc = now.AddMinutes(-(i / 3)), ReceivedUtc = now, Complete = true, DefinitionVersion = "1", ProtocolVersion = "1",
                        RowVersion = 1, CreatedBy = Guid.Empty,
                    };
                    await AssessmentQueries.InsertAsync(w.Session, row, Enumerable.Range(0, 23).Select(n => (decimal?)(n == 0 ? i % 5 : 0)).ToList(),
                        new Dictionary<string, decimal> { ["total"] = i });
                }
            }
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>The participant's assessment ids in order of administration, then by id as the database compares ids.</summary>
    private async Task<List<string>> ExpectedAsync() =>
        (await _host.Services.GetRequiredService<Database>().ReadAsync(c =>
            c.QueryAsync<Guid>("SELECT Id FROM Assessment WHERE ParticipantId = @id ORDER BY AdministeredUtc, Id", new { id = _participantId })))
        .Select(id => id.ToString("D")).ToList();

    private static List<string> Ids(List<JsonNode> rows) => rows.Select(r => r["id"]!.GetValue<string>()).ToList();

    [Test]
    public async Task List_MoreThanAPage_FollowingLinkGivesEveryAssessmentOnceInOrder()
    {
        var pages = await PageReader.PagesAsync(_wawInvestigator, $"/api/v1/participants/{_code}/assessments", 100);

        Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 100, Count - 100 }));
        var rows = pages.SelectMany(p => p.Select(r => r!)).ToList();
        Assert.That(Ids(rows), Is.EqualTo(await ExpectedAsync()));
        Assert.That(rows.Select(r => r["participantCode"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { _code }));
    }

    [Test]
    public async Task List_SmallPages_CarryEachAssessmentsOwnItemsAndScores()
    {
        var rows = await PageReader.AllAsync(_wawInvestigator, $"/api/v1/participants/{_code}/assessments?limit=7", 7);

        Assert.That(Ids(rows), Is.EqualTo(await ExpectedAsync()));
        foreach (var row in rows)
        {
            var written = int.Parse(row["timepoint"]!.GetValue<string>()[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(row["items"]![0]!.GetValue<decimal>(), Is.EqualTo(written % 5), row.ToJsonString());
            Assert.That(row["scores"]!["total"]!.GetValue<decimal>(), Is.EqualTo(written), row.ToJsonString());
        }
    }

    [Test]
    public async Task List_ParticipantOfAnotherSite_IsRefusedOnEveryPage()
    {
        var next = PageReader.Next(await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/assessments?limit=5"))!;
        await (await _krkInvestigator.GetAsync($"/api/v1/participants/{_code}/assessments?limit=5")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await _krkInvestigator.GetAsync(next)).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task List_CursorOfAnotherParticipant_Is422NamingCursor()
    {
        // A cursor continues one participant's list: on another's it would start at a key of the first, skipping rows.
        var cursor = PageReader.Next(await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/assessments?limit=1"))!.Split("cursor=")[1];
        var krk = (await _host.Services.GetRequiredService<Database>().ReadAsync(c => c.QueryAsync<string>("SELECT Code FROM Participant WHERE SiteCode = 'KRK'"))).Single();
        var problem = await (await _krkInvestigator.GetAsync($"/api/v1/participants/{krk}/assessments?cursor={cursor}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }));
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task List_LimitOutOfBounds_422NamingLimit(string limit)
    {
        var problem = await (await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/assessments?limit={limit}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }));
    }

    [Test]
    public async Task List_TamperedOrForeignCursor_422NamingCursor()
    {
        var cursor = PageReader.Next(await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/assessments?limit=3"))!.Split("cursor=")[1];
        var tampered = cursor[..5] + (cursor[5] == 'x' ? 'y' : 'x') + cursor[6..];
        var foreign = Trial.Application.Paging.Pages.Encode("users", "1", Guid.Empty.ToString());
        foreach (var bad in new[] { tampered, foreign, Trial.Application.Paging.Pages.Encode(Trial.Application.Paging.Pages.OfParticipant("assessments", _code), "1", "not-an-id") })
        {
            var problem = await (await _wawInvestigator.GetAsync($"/api/v1/participants/{_code}/assessments?cursor={bad}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), bad);
        }
    }
}
