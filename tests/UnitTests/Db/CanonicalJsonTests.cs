using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Db.Audit;

namespace Trial.Tests.Db;

/// <summary>
/// The audit trail's canonical JSON has one spelling per value. <see cref="CanonicalJson.Serialize"/>, which writes a new
/// record's audit value straight from the serialised document, must spell every value exactly as the node-based
/// reference (<c>Write(Of(value))</c>) that changes are diffed with.
/// </summary>
[TestFixture]
public class CanonicalJsonTests
{
    [Test]
    public void Serialize_AnAssessmentAsAudited_IsTheReferenceText()
    {
        var value = new
        {
            Id = Guid.Parse("0b5f0c7e-3a4e-4f4b-9a55-6a1f2b0c9d01"), VisitCode = "INF1", Instrument = "MADRS", Timepoint = (string?)null,
            AdministeredUtc = new DateTime(2026, 3, 2, 9, 40, 0, DateTimeKind.Utc), Day = new DateOnly(2026, 3, 2), Complete = true,
            items = new decimal?[] { 1, 2.50m, null, 6, 0 }, weightKg = 61.50m,
            scores = new Dictionary<string, decimal> { ["total"] = 31.0m, ["positive"] = 4, ["a"] = -0.000m },
            nested = new { z = 1, b = new[] { new { y = "Łódź <&> 'q' \"x\"", a = 1e-5m } } },
        };

        var text = CanonicalJson.Serialize(value);

        Assert.That(text, Is.EqualTo(CanonicalJson.Write(CanonicalJson.Of(value))));
        Assert.That(text, Does.StartWith("{\"administeredUtc\":\"2026-03-02T09:40:00Z\",\"complete\":true,\"day\":\"2026-03-02\""));
        Assert.That(text, Does.Contain("\"items\":[1,2.5,null,6,0]").And.Contain("\"scores\":{\"a\":0,\"positive\":4,\"total\":31}"));
    }

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Serialize_AnyTextAndNumbers_IsTheReferenceText()
    {
        var gen =
            from text in ArbMap.Default.GeneratorFor<string>()
            from key in ArbMap.Default.GeneratorFor<NonNull<string>>()
            from number in ArbMap.Default.GeneratorFor<decimal>()
            from numbers in ArbMap.Default.GeneratorFor<decimal[]>()
            select (text, key: key.Get, number, numbers);

        return Prop.ForAll(gen.ToArbitrary(), v =>
        {
            var value = new Dictionary<string, object?> { ["text"] = v.text, [v.key] = v.number, ["numbers"] = v.numbers, ["Nested"] = new { v.text } };
            return CanonicalJson.Serialize(value) == CanonicalJson.Write(CanonicalJson.Of(value));
        });
    }
}
