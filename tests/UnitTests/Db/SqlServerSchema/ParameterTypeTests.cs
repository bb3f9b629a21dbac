using System.Reflection;
using NUnit.Framework;
using Trial.Db.Infrastructure;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>Check (d): the row classes' property types against the SQL Server types of the columns they are inserted into.</summary>
public class ParameterTypeTests
{
    /// <summary>The SQL texts of the data layer's query classes, with their class (the row classes live beside them).</summary>
    private static IEnumerable<(Type QueryClass, string Field, string Sql)> DataLayerQueries() =>
        typeof(Database).Assembly.GetTypes().Where(t => t.Name.EndsWith("Queries", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal))
                .Select(f => (t, f.Name, QueryTextTests.AsSent((string)f.GetRawConstantValue()!))));

    /// <summary>Columns whose text is ASCII by construction, so a non-Unicode type loses nothing: lower-case hex digests.</summary>
    private static readonly HashSet<string> AsciiColumns = new(StringComparer.Ordinal)
    {
        "ApiToken.TokenHash", "IdempotentResponse.RequestHash", "AuditEvent.Hash", "AuditEvent.PreviousHash", "AuditChainHead.LastHash",
    };

    private static readonly Dictionary<string, DecimalDomain> Decimals = DecimalDomains.All();

    [Test]
    public void RowInserts_EveryPropertyType_MapsToItsColumnWithoutLoss()
    {
        var (inserts, unmatched) = ParameterTypeCheck.RowInserts(DataLayerQueries());
        var findings = inserts.SelectMany(i => ParameterTypeCheck.Check(Migrations.Schema, i, Decimals, AsciiColumns).Select(f => $"{i.Query}: {f}")).ToList();

        Assert.That(inserts.Select(i => i.Table).Distinct().Count(), Is.GreaterThan(15), "the check found the row classes' INSERTs");
        Assert.That(unmatched, Is.Empty);
        Assert.That(findings, Is.Empty);
    }

    private sealed class MeasureRow
    {
        public Guid Id { get; init; }
        public decimal Dose { get; init; }
        public decimal Weight { get; init; }
        public DateTime TakenUtc { get; init; }
        public long Sequence { get; init; }
        public bool Done { get; init; }
        public string? Note { get; init; }
    }

    private static RowInsert Measure(params string[] columns) => new("seeded", "Measure", typeof(MeasureRow), columns.Select(c => (c, c)).ToList());

    [Test]
    public void Check_ADecimalOf4Comma1ForAValueWithTwoDecimals_ReportsExactlyThatColumn()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Measure (Id UNIQUEIDENTIFIER NOT NULL, Dose DECIMAL(4, 1) NOT NULL, Weight DECIMAL(6, 2) NOT NULL, TakenUtc DATETIME2(7) NOT NULL);",
        ]);
        var domains = new Dictionary<string, DecimalDomain> { ["Measure.Dose"] = new(2, 2), ["Measure.Weight"] = new(3, 2) };

        var findings = ParameterTypeCheck.Check(schema, Measure("Id", "Dose", "Weight", "TakenUtc"), domains, new HashSet<string>());

        Assert.That(findings, Is.EqualTo(new[] { "MeasureRow.Dose → Measure.Dose: values with 2 decimals are rounded to 1 by DECIMAL(4, 1)" }));
    }

    [Test]
    public void Check_IntegerDigitsBeyondThePrecision_AreReported()
    {
        var schema = SchemaModel.FromScripts(["CREATE TABLE Measure (Weight DECIMAL(4, 2) NOT NULL);"]);

        var findings = ParameterTypeCheck.Check(schema, Measure("Weight"), new Dictionary<string, DecimalDomain> { ["Measure.Weight"] = new(3, 2) }, new HashSet<string>());

        Assert.That(findings, Is.EqualTo(new[] { "MeasureRow.Weight → Measure.Weight: values with 3 digits before the point overflow DECIMAL(4, 2), which holds 2" }));
    }

    [Test]
    public void Check_DateTimeLongBoolAndANullableString_IntoNarrowerOrWrongTypes_AreEachReported()
    {
        var schema = SchemaModel.FromScripts([
            "CREATE TABLE Measure (Id UNIQUEIDENTIFIER NOT NULL, TakenUtc DATETIME NOT NULL, Sequence INT NOT NULL, Done BIT NOT NULL, Note VARCHAR(50) NOT NULL);",
        ]);

        var findings = ParameterTypeCheck.Check(schema, Measure("Id", "TakenUtc", "Sequence", "Done", "Note"), new Dictionary<string, DecimalDomain>(), new HashSet<string>());

        Assert.That(findings, Is.EqualTo(new[]
        {
            "MeasureRow.TakenUtc → Measure.TakenUtc: a DateTime has 7 decimal places of a second (ticks); DATETIME rounds them",
            "MeasureRow.Sequence → Measure.Sequence: a long needs BIGINT, not INT",
            "MeasureRow.Note → Measure.Note: the property may be null but VARCHAR(50) is NOT NULL",
            "MeasureRow.Note → Measure.Note: a string may hold any Unicode character; VARCHAR(50) keeps only its code page's",
        }));
    }

    [Test]
    public void Check_DateTime2WithFewerThanSevenDigits_DropsTicks()
    {
        var schema = SchemaModel.FromScripts(["CREATE TABLE Measure (TakenUtc DATETIME2(3) NOT NULL);"]);

        Assert.That(ParameterTypeCheck.Check(schema, Measure("TakenUtc"), new Dictionary<string, DecimalDomain>(), new HashSet<string>()),
            Is.EqualTo(new[] { "MeasureRow.TakenUtc → Measure.TakenUtc: a DateTime has 7 decimal places of a second (ticks); DATETIME2(3) drops some" }));
    }

    [Test]
    public void RowInserts_AnInsertOfRowPropertiesWithoutARowClass_IsReported()
    {
        var queries = new[] { (typeof(Database), "SeededSql", "INSERT INTO Gadget (Id, Colour) VALUES (@Id, @Colour)") };

        var (inserts, findings) = ParameterTypeCheck.RowInserts(queries);

        Assert.That(inserts, Is.Empty);
        Assert.That(findings, Is.EqualTo(new[] { "Database.SeededSql: INSERT INTO Gadget takes no row class of Trial.Db.Infrastructure" }));
    }
}
