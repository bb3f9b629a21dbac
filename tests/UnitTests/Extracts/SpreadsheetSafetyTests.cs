using NUnit.Framework;
using Trial.Extracts.Writing;

namespace Trial.Tests.Extracts;

/// <summary>Cells a spreadsheet would run as a formula get a leading apostrophe; numbers and ordinary text are untouched.</summary>
public class SpreadsheetSafetyTests
{
    [TestCase("=1+1")]
    [TestCase("=HYPERLINK(\"http://x\",\"y\")")]
    [TestCase("+cmd|' /C calc'!A0")]
    [TestCase("-2+3")]
    [TestCase("-")]
    [TestCase("@SUM(A1)")]
    [TestCase("\tindented")]
    [TestCase("\rcarriage return")]
    public void FormulaPrefix_IsNeutralised(string cell) => Assert.That(SpreadsheetSafety.Neutralise(cell), Is.EqualTo("'" + cell));

    [TestCase("-1")]
    [TestCase("-12.5")]
    [TestCase("+2")]
    [TestCase("0")]
    [TestCase("Headache")]
    [TestCase("a=b")]
    [TestCase("'quoted already")]
    [TestCase("")]
    [TestCase(null)]
    public void NumbersAndOrdinaryText_AreUntouched(string? cell) => Assert.That(SpreadsheetSafety.Neutralise(cell), Is.EqualTo(cell));

    [Test]
    public void Utf8CsvField_NeutralisesThenQuotes() =>
        Assert.That(Utf8Csv.Field("=A1,B1"), Is.EqualTo("\"'=A1,B1\""));
}
