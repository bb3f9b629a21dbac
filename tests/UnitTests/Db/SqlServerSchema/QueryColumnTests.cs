using NUnit.Framework;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>Check (a): the tables and columns the query texts name exist in the schema the T-SQL migrations build.</summary>
public class QueryColumnTests
{
    [Test]
    public void QueryTexts_EveryTableAndColumnTheyName_ExistsInTheSqlServerSchema()
    {
        var queries = QueryTextTests.All().ToList();
        var findings = queries
            .SelectMany(q => QueryColumnCheck.Check(Migrations.Schema, QueryTextTests.AsSent(q.Sql)).Select(f => $"{q.Class}.{q.Field}: {f}"))
            .ToList();

        Assert.That(queries, Has.Count.GreaterThan(40), "the check read the query texts");
        Assert.That(findings, Is.Empty);
    }

    [Test]
    public void Check_QueryNamingAMissingColumn_ReportsExactlyThatColumn()
    {
        const string sql = "SELECT p.Code, p.Nickname FROM Participant p JOIN Site s ON s.Code = p.SiteCode WHERE s.TimeZone = @zone";

        Assert.That(QueryColumnCheck.Check(Migrations.Schema, sql), Is.EqualTo(new[] { "p.Nickname: table Participant has no column Nickname" }));
    }

    [Test]
    public void Check_UnqualifiedMissingColumnInACorrelatedSubquery_ReportsIt()
    {
        const string sql =
            "SELECT a.Id FROM Assessment a WHERE EXISTS (SELECT 1 FROM AssessmentRevision r WHERE r.AssessmentId = a.Id AND ReplacedOn >= @since)";

        Assert.That(QueryColumnCheck.Check(Migrations.Schema, sql),
            Is.EqualTo(new[] { "column ReplacedOn is in none of table AssessmentRevision, table Assessment" }));
    }

    [Test]
    public void Check_MissingTableAndAColumnOfAnotherTable_ReportsTheTableOnceAndTheColumn()
    {
        const string sql = "UPDATE Participant SET Status = 'withdrawn', Mood = @mood WHERE Id IN (SELECT ParticipantId FROM Withdrawal)";

        Assert.That(QueryColumnCheck.Check(Migrations.Schema, sql),
            Is.EqualTo(new[] { "UPDATE: table Participant has no column Mood", "table Withdrawal does not exist" }));
    }

    [Test]
    public void Check_ColumnsOfACommonTableExpressionAndADerivedTable_ResolveThroughTheirNames()
    {
        const string sql =
            """
            WITH latest AS (SELECT ParticipantId, MAX(AdministeredUtc) AS LastUtc FROM Assessment GROUP BY ParticipantId)
            SELECT l.LastUtc, d.Total, l.Missing FROM latest l
            JOIN (SELECT s.AssessmentId, SUM(s.Value) AS Total FROM AssessmentScore s GROUP BY s.AssessmentId) d ON d.AssessmentId = l.ParticipantId
            ORDER BY LastUtc
            """;

        Assert.That(QueryColumnCheck.Check(Migrations.Schema, sql),
            Is.EqualTo(new[] { "l.Missing: common table expression latest has no column Missing" }));
    }

    [Test]
    public void Check_AColumnInTwoJoinedTablesWithoutAQualifier_IsAmbiguous()
    {
        const string sql = "SELECT Code FROM Participant p JOIN Site s ON s.Code = p.SiteCode";

        Assert.That(QueryColumnCheck.Check(Migrations.Schema, sql),
            Is.EqualTo(new[] { "column Code is ambiguous: it is in table Participant and table Site" }));
    }

    [Test]
    public void Check_AStatementItCannotRead_IsReportedNotSkipped()
    {
        Assert.That(QueryColumnCheck.Check(Migrations.Schema, "MERGE Site AS t USING Site AS s ON t.Code = s.Code WHEN MATCHED THEN UPDATE SET t.Name = s.Name;"),
            Is.EqualTo(new[] { "a MergeStatement is not checked: teach QueryColumnCheck to read it" }));
    }
}
