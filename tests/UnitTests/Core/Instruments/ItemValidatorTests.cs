using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ItemValidatorTests
{
    private static readonly InstrumentDefinition Madrs = InstrumentCatalog.Get(InstrumentCatalog.Madrs);
    private static readonly InstrumentDefinition Asc = InstrumentCatalog.Get(InstrumentCatalog.Asc5D);

    [TestCase("MADRS", 9, "MADRS has 10 items; 9 were given")]
    [TestCase("MADRS", 11, "MADRS has 10 items; 11 were given")]
    [TestCase("MADRS", 0, "MADRS has 10 items; 0 were given")]
    [TestCase("BSL23", 1, "BSL-23 has 23 items; 1 was given")]
    [TestCase("ASC5D", 93, "5D-ASC has 94 items; 93 were given")]
    public void Validate_WrongCount_OneWholeListError(string code, int given, string message)
    {
        var errors = ItemValidator.Validate(InstrumentCatalog.Get(code), ItemBuilder.Filled(given, 1));

        Assert.That(errors, Is.EqualTo(new[] { new ItemError(null, message) }));
    }

    [TestCase("MADRS", 3, "7", "item 3 (inner tension) must be between 0 and 6; got 7")]
    [TestCase("MADRS", 10, "-1", "item 10 (suicidal thoughts) must be between 0 and 6; got -1")]
    [TestCase("BPRS", 1, "0", "item 1 (somatic concern) must be between 1 and 7; got 0")]
    [TestCase("BPRS", 18, "8", "item 18 (disorientation) must be between 1 and 7; got 8")]
    [TestCase("BSL23", 5, "5", "item 5 (thought of hurting myself) must be between 0 and 4; got 5")]
    [TestCase("CADSS", 4, "5", "item 4 must be between 0 and 4; got 5")]
    [TestCase("ASC5D", 12, "100.1", "item 12 must be between 0 and 100; got 100.1")]
    [TestCase("ASC5D", 94, "-0.1", "item 94 must be between 0 and 100; got -0.1")]
    public void Validate_OutOfRange_NamesItemAndRange(string code, int item, decimal value, string message)
    {
        var d = InstrumentCatalog.Get(code);
        var items = ItemBuilder.With(ItemBuilder.Filled(d.ItemCount, d.MinValue), item, value);

        Assert.That(ItemValidator.Validate(d, items), Is.EqualTo(new[] { new ItemError(item, message) }));
    }

    [TestCase("MADRS", 3, "2.5", "item 3 (inner tension) must be a whole number; got 2.5")]
    [TestCase("BPRS", 12, "3.1", "item 12 (hallucinatory behaviour) must be a whole number; got 3.1")]
    [TestCase("CADSS", 23, "0.5", "item 23 must be a whole number; got 0.5")]
    [TestCase("BSL23", 22, "3.99", "item 22 (felt far away from myself) must be a whole number; got 3.99")]
    public void Validate_NonInteger_NamesItem(string code, int item, decimal value, string message)
    {
        var d = InstrumentCatalog.Get(code);
        var items = ItemBuilder.With(ItemBuilder.Filled(d.ItemCount, d.MinValue), item, value);

        Assert.That(ItemValidator.Validate(d, items), Is.EqualTo(new[] { new ItemError(item, message) }));
    }

    [Test]
    public void Validate_AscTwoDecimals_NamesItem()
    {
        var items = ItemBuilder.With(ItemBuilder.Filled(94, 50m), 12, 55.55m);

        Assert.That(ItemValidator.Validate(Asc, items), Is.EqualTo(new[] { new ItemError(12, "item 12 must have at most one decimal place; got 55.55") }));
    }

    [Test]
    public void Validate_AscOneDecimalAndBounds_NoErrors()
    {
        var items = ItemBuilder.With(ItemBuilder.With(ItemBuilder.Filled(94, 55.5m), 1, 0m), 94, 100m);

        Assert.That(ItemValidator.Validate(Asc, items), Is.Empty);
    }

    [Test]
    public void Validate_TrailingZerosInValue_JudgedByValueNotNotation()
    {
        var madrs = ItemBuilder.With(ItemBuilder.Filled(10, 0m), 1, 3.00m);
        var asc = ItemBuilder.With(ItemBuilder.Filled(94, 0m), 1, 55.50m);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ItemValidator.Validate(Madrs, madrs), Is.Empty);
            Assert.That(ItemValidator.Validate(Asc, asc), Is.Empty);
        }
    }

    [Test]
    public void Validate_MissingItems_NoErrors()
    {
        var items = new decimal?[] { null, 6, null, 0, null, null, null, null, null, null };

        Assert.That(ItemValidator.Validate(Madrs, items), Is.Empty);
    }

    [Test]
    public void Validate_SeveralBadItems_OneErrorPerItemInItemOrder()
    {
        var items = new decimal?[] { 0, 9, 0, 0, 0, 0, 1.5m, 0, 0, null };

        Assert.That(ItemValidator.Validate(Madrs, items).Select(e => e.ItemNumber), Is.EqualTo(new int?[] { 2, 7 }));
    }

    [Test]
    public void Validate_NonIntegerAndOutOfRange_ReportsTheRange()
    {
        var items = ItemBuilder.With(ItemBuilder.Filled(10, 0m), 4, 6.5m);

        Assert.That(ItemValidator.Validate(Madrs, items), Is.EqualTo(new[] { new ItemError(4, "item 4 (reduced sleep) must be between 0 and 6; got 6.5") }));
    }
}
