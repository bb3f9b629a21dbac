using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Trial.Db.Infrastructure;
using Trial.Extracts;

namespace Trial.Tests.Db;

/// <summary>
/// Every SQL text of the data layer and the extracts, as SQL Server would receive it, parsed by ScriptDom. The
/// texts are the constants of the per-feature query classes and of the extracts' classes (every one is named *Sql).
/// </summary>
public partial class QueryTextTests
{
    // Dapper expands "IN @list" into "IN (@list1, @list2, …)" before the text reaches the server.
    [GeneratedRegex(@"\bIN @(\w+)")]
    private static partial Regex DapperListParameter();

    /// <summary>A query text with Dapper's list parameters written as the server receives them (one element each).</summary>
    internal static string AsSent(string sql) => DapperListParameter().Replace(sql, "IN (@$1)");

    /// <summary>
    /// Every SQL text of the data layer and of the extracts: the constants named *Sql of the data layer's query classes, and
    /// of every class of the extracts, whose queries live beside the code that reads their columns (datasets, the snapshot).
    /// </summary>
    internal static IEnumerable<(string Class, string Field, string Sql)> All()
    {
        var queryClasses = typeof(Database).Assembly.GetTypes().Where(t => t.Name.EndsWith("Queries", StringComparison.Ordinal))
            .Concat(typeof(ExtractCatalog).Assembly.GetTypes());
        foreach (var type in queryClasses)
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                         .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal)))
            {
                yield return (type.Name, field.Name, (string)field.GetRawConstantValue()!);
            }
        }
    }

    public static IEnumerable<TestCaseData> QueryTexts() =>
        All().Select(q => new TestCaseData(q.Sql).SetName($"QueryText_{q.Class}_{q.Field}_ParsesAsTSql"));

    [TestCaseSource(nameof(QueryTexts))]
    public void QueryText_ParsesAsTSql(string sql)
    {
        Assert.That(TSql.ParseErrors(AsSent(sql)), Is.Empty, sql);
    }

    [Test]
    public void QueryTexts_AreFoundInEveryQueryClass()
    {
        var classes = QueryTexts().Select(t => t.TestName!.Split('_')[1]).Distinct().ToList();
        Assert.That(classes, Is.SupersetOf(new[] { "AccessQueries", "ParticipantQueries", "AssessmentQueries", "InfusionAndVitalsQueries", "ScheduleQueries" }));
        Assert.That(QueryTexts().Count(), Is.GreaterThan(40));
    }
}
