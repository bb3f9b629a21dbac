using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace Trial.Tests.Api;

/// <summary>
/// A write that meets a unique constraint its use case did not check first (on SQL Server: a concurrent writer that passed
/// the same check) is a 409 naming the column, with nothing stored, never a 500. SQLite has one writer, so no race can be
/// staged here: the constraint is added to the test's database instead, on a column the use case does not check.
/// </summary>
public class UniqueViolationTests
{
    [Test]
    public async Task WriteMeetingAUniqueConstraint_Is409NamingTheColumn_AndStoresNothing()
    {
        await using var host = TrialHost.Start();
        await host.CreateSiteAsync("WAW");
        var investigator = await host.UserAsync("investigator", "WAW");
        await TrialHost.EnrolAsync(investigator, "WAW");
        await using (var c = new SqliteConnection($"Data Source={host.DatabasePath}"))
        {
            await c.OpenAsync();
            await using var index = c.CreateCommand();
            index.CommandText = "CREATE UNIQUE INDEX UX_Test_Participant_BirthYear ON Participant (BirthYear)";
            await index.ExecuteNonQueryAsync();
        }
        var trailBefore = await AuditRowsAsync(host);

        // Every participant the kit enrols was born in the same year: the second one meets the index.
        var problem = await (await investigator.PostAsJsonAsync("/api/v1/participants", TrialHost.EligibleParticipant("WAW"))).ProblemAsync(HttpStatusCode.Conflict);

        Assert.That(problem["field"]!.GetValue<string>(), Is.EqualTo("birthYear"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("same key"));
        var participants = await (await investigator.GetAsync("/api/v1/participants?site=WAW")).JsonArrayAsync();
        Assert.That(participants, Has.Count.EqualTo(1), "the refused enrolment stored nothing");
        Assert.That(await AuditRowsAsync(host), Is.EqualTo(trailBefore), "nor any audit row");
    }

    private static async Task<long> AuditRowsAsync(TrialHost host) =>
        (await (await host.Admin.GetAsync("/api/v1/audit/verify")).JsonAsync(HttpStatusCode.OK))["rows"]!.GetValue<long>();
}
