using System.Text.RegularExpressions;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>
/// A query that reads one participant's rows must find them through an index on the participant, whatever the size of the
/// study. Without statistics SQLite's planner may pick another index that matches an equality too (a status, say) and then
/// walk every row of the study that has that value: each such read grows with the study. This was found when rebuilding
/// 10,000 schedules cost ten times as much per participant at the end as at the start (the missed visits of the plans
/// already rebuilt were read through the status index). Checked on SQLite's plans for every query text of the data layer.
/// </summary>
public partial class QueryPlanTests
{
    [GeneratedRegex(@"\b(\w+)\.?ParticipantId = @participantId\b|\bWHERE ParticipantId = @participantId\b")]
    private static partial Regex ByParticipant();

    private static IEnumerable<(string Class, string Field, string Sql)> ByParticipantTexts() => QueryTextTests.All().Where(q => ByParticipant().IsMatch(q.Sql));

    public static IEnumerable<TestCaseData> ParticipantQueries() =>
        ByParticipantTexts().Select(q => new TestCaseData(q.Sql).SetName($"QueryPlan_{q.Class}_{q.Field}_FindsTheParticipantThroughAnIndex"));

    /// <summary>
    /// The plans are checked for the texts the pattern finds: if it found none (the reflection over the query classes, or the
    /// pattern, gone wrong), every check above would pass unrun. It finds every class that reads a participant's rows, and the
    /// reads this was found with and for: the missed visits' statuses and the rows the safety evaluation reads.
    /// </summary>
    [Test]
    public void ParticipantQueries_AreFoundInEveryClassThatReadsAParticipantsRows()
    {
        var found = ByParticipantTexts().Select(q => $"{q.Class}.{q.Field}").ToList();
        Assert.That(found, Has.Count.GreaterThanOrEqualTo(30), string.Join(", ", found));
        Assert.That(found.Select(f => f.Split('.')[0]).Distinct(), Is.SupersetOf(new[]
        {
            "AdverseEventQueries", "AssessmentQueries", "InfusionAndVitalsQueries", "ParticipantQueries", "RandomisationQueries", "SafetyQueries", "ScheduleQueries",
        }));
        Assert.That(found, Is.SupersetOf(new[]
        {
            "ScheduleQueries.VisitStatusesSql", "ScheduleQueries.ForParticipantSql", "ScheduleQueries.DeleteSql", "AssessmentQueries.ListForParticipantSql",
            "InfusionAndVitalsQueries.VitalsSql", "AdverseEventQueries.ForParticipantSql", "ParticipantQueries.VisitRecordsSql", "SafetyQueries.UnevaluatedRecordsSql",
        }));
    }

    [TestCaseSource(nameof(ParticipantQueries))]
    public async Task QueryPlan_FindsTheParticipantThroughAnIndex(string sql)
    {
        using var folder = new TempFolder();
        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={folder.File("plan.db")}" });
        Migrator.Apply(db);
        var sqlite = QueryTextTests.AsSent(sql.StartsWith("SELECT TOP (@limit) ", StringComparison.Ordinal) ? db.Dialect.Top(sql) : sql);

        var plan = await db.ReadAsync(async c => (await c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sqlite)).Select(r => r.Detail).ToList());

        TestContext.Out.WriteLine(string.Join("\n", plan));
        Assert.That(plan, Has.Some.Contains("ParticipantId=?"), "the participant's rows are searched by an index on the participant:\n" + string.Join("\n", plan));
    }
}
