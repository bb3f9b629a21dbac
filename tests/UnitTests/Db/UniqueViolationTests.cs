using Microsoft.Data.Sqlite;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db;

/// <summary>Which database errors are a lost race to a unique key (answered 409) and which are not (a defect: 500).</summary>
public class UniqueViolationTests
{
    private static async Task<SqliteException> ErrorOfAsync(string statement)
    {
        await using var c = new SqliteConnection("Data Source=:memory:");
        await c.OpenAsync();
        await using var setup = c.CreateCommand();
        setup.CommandText = """
            PRAGMA foreign_keys = ON;
            CREATE TABLE Site (Code TEXT NOT NULL PRIMARY KEY, Name TEXT NOT NULL UNIQUE, Beds INTEGER CHECK (Beds > 0));
            CREATE TABLE Ward (Id INTEGER PRIMARY KEY, SiteCode TEXT NOT NULL REFERENCES Site (Code));
            INSERT INTO Site (Code, Name, Beds) VALUES ('WAW', 'Warsaw', 10);
            """;
        await setup.ExecuteNonQueryAsync();
        await using var command = c.CreateCommand();
        command.CommandText = statement;
        return (await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync()))!;
    }

    [TestCase("INSERT INTO Site (Code, Name) VALUES ('WAW', 'Other')", "Code")]
    [TestCase("INSERT INTO Site (Code, Name) VALUES ('KRK', 'Warsaw')", "Name")]
    public async Task PrimaryKeyOrUniqueViolation_IsOne_WithItsColumn(string statement, string column)
    {
        var error = await ErrorOfAsync(statement);
        Assert.That(UniqueViolations.Is(error), Is.True, error.Message);
        Assert.That(UniqueViolations.Is(new InvalidOperationException("wrapped", error)), Is.True, "found inside a wrapping exception");
        Assert.That(UniqueViolations.ColumnsOf(error), Is.EqualTo(new[] { column }));
    }

    [TestCase("INSERT INTO Site (Code, Name) VALUES ('KRK', NULL)")]
    [TestCase("INSERT INTO Site (Code, Name, Beds) VALUES ('KRK', 'Krakow', 0)")]
    [TestCase("INSERT INTO Ward (Id, SiteCode) VALUES (1, 'GDN')")]
    public async Task OtherConstraintViolations_AreNot(string statement)
    {
        var error = await ErrorOfAsync(statement);
        Assert.That(UniqueViolations.Is(error), Is.False, error.Message);
    }

    [TestCase(2627, true)]
    [TestCase(2601, true)]
    [TestCase(547, false)] // a foreign key or check constraint
    [TestCase(515, false)] // NULL into a NOT NULL column
    public void SqlServerErrorNumbers(int number, bool unique) =>
        Assert.That(UniqueViolations.IsSqlServerNumber(number), Is.EqualTo(unique));
}
