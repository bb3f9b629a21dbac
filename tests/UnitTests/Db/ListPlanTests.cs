using NUnit.Framework;
using Trial.Db.Access;
using Trial.Db.AdverseEvents;
using Trial.Db.Assessments;
using Trial.Db.Audit;
using Trial.Db.ConcomitantMedications;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;
using Trial.Db.Safety;
using Trial.Db.Schedules;
using Trial.Db.Screening;

namespace Trial.Tests.Db;

/// <summary>
/// A page of a list is read from an index in the list's order, starting where the page before ended: no sort of the whole
/// table, whose cost would grow with the study (checked on SQLite's plans, by the index each list's order has).
/// </summary>
public class ListPlanTests
{
    public static IEnumerable<TestCaseData> Lists()
    {
        yield return new TestCaseData(typeof(SafetyQueries), "ListSql", "IX_SafetyAlert_RaisedUtc_Id").SetName("ListPlan_SafetyAlerts_ReadInOrderFromItsIndex");
        // SQLite names a UNIQUE constraint's index by its place in the table: the third is UQ_Participant_Site_Number.
        yield return new TestCaseData(typeof(ParticipantQueries), "ListAllSql", "sqlite_autoindex_Participant_3").SetName("ListPlan_Participants_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(AdverseEventQueries), "ListSql", "IX_AdverseEvent_ParticipantId_OnsetDate_Id").SetName("ListPlan_AdverseEvents_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(ParticipantQueries), "ListOfSitesSql", "sqlite_autoindex_Participant_3").SetName("ListPlan_ParticipantsOfSites_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(AccessQueries), "ListUsersSql", "IX_AppUser_CreatedUtc_Id").SetName("ListPlan_Users_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(AssessmentQueries), "ListForParticipantSql", "IX_Assessment_ParticipantId_AdministeredUtc_Id")
            .SetName("ListPlan_AssessmentsOfParticipant_ReadInOrderFromItsIndex");
        // The second UNIQUE constraint of Allocation (after its primary key) is UQ_Allocation_RandomisationNumber.
        yield return new TestCaseData(typeof(RandomisationQueries), "AllocationPageSql", "sqlite_autoindex_Allocation_2").SetName("ListPlan_Allocations_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(AuditQueries), "ParticipantTrailPageSql", "IX_AuditEvent_ParticipantCode").SetName("ListPlan_ParticipantHistory_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(ScreeningQueries), "ListAllSql", "sqlite_autoindex_Screening_3").SetName("ListPlan_Screenings_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(ScreeningQueries), "ListOfSitesSql", "sqlite_autoindex_Screening_3").SetName("ListPlan_ScreeningsOfSites_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(ConcomitantMedicationQueries), "PageSql", "IX_ConcomitantMedication_ParticipantId_StartDate_Id")
            .SetName("ListPlan_ConcomitantMedications_ReadInOrderFromItsIndex");
        yield return new TestCaseData(typeof(ScheduleQueries), "DueSql", "IX_ScheduledVisit_Due").SetName("ListPlan_VisitsDue_ReadInOrderFromItsIndex");
    }

    [TestCaseSource(nameof(Lists))]
    public async Task ListPlan_ReadInOrderFromItsIndex(Type queries, string field, string index)
    {
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("plan.db")}" });
        Migrator.Apply(db);
        var sql = QueryTextTests.All().Single(q => q.Class == queries.Name && q.Field == field).Sql;
        var sqlite = QueryTextTests.AsSent(db.Dialect.Top(sql));

        var plan = await db.ReadAsync(async c => (await c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sqlite)).Select(r => r.Detail).ToList());

        TestContext.Out.WriteLine(string.Join("\n", plan));
        Assert.That(plan, Has.Some.Contains(index), string.Join("\n", plan));
        Assert.That(plan, Has.None.Contains("TEMP B-TREE"), "no sort of the whole list:\n" + string.Join("\n", plan));
    }
}
