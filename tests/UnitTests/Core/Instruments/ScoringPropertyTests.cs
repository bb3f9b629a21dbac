using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class ScoringPropertyTests
{
    [Test]
    public void Score_AnyCompleteMadrs_TotalIsItemSumAndBandMatchesTable()
    {
        var madrs = InstrumentCatalog.Get(InstrumentCatalog.Madrs);
        var items = Gen.Choose(0, 6).Select(v => (decimal?)v).ArrayOf(10).ToArbitrary();

        Prop.ForAll(items, values =>
        {
            var result = Scorer.Score(madrs, values);
            var sum = values.Sum()!.Value;
            var band = sum switch { <= 6 => "normal", <= 19 => "mild", <= 34 => "moderate", _ => "severe" };
            return result.Complete && result.Scores["total"] == sum && result.SeverityBand == band;
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Index_AnyTwoMeans_BandIndexNeverDecreasesAsMeanRises()
    {
        // Means on a 1/10000 grid over 0–4, finer than any gap between thresholds.
        var mean = Gen.Choose(0, 40000).Select(v => v / 10000m);
        var pairs = Gen.Two(mean).ToArbitrary();

        Prop.ForAll(pairs, pair =>
        {
            var (low, high) = pair.Item1 <= pair.Item2 ? pair : (pair.Item2, pair.Item1);
            return Bsl23Bands.Index(low) <= Bsl23Bands.Index(high);
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Score_AnyValidItemsWithGaps_NeverThrowsAndMeansStayInItemRange()
    {
        // Every instrument, any valid values, any pattern of missing items: scoring must succeed and a mean
        // can never leave the item range, whatever the definition's lists.
        var cases =
            from definition in Gen.Elements<InstrumentDefinition>(InstrumentCatalog.All)
            from values in ValidItem(definition).ArrayOf(definition.ItemCount)
            select (definition, values);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var result = Scorer.Score(c.definition, c.values);
            var means = c.definition.Scores.Where(s => s.Method == ScoreMethod.Mean && result.Scores.ContainsKey(s.Key));
            return means.All(s => result.Scores[s.Key] >= c.definition.MinValue && result.Scores[s.Key] <= c.definition.MaxValue);
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Score_AnyValidItemsWithGaps_ProratedSumsStayInScaleRangeAndEqualPlainSumWhenAllAnswered()
    {
        var cases =
            from definition in Gen.Elements<InstrumentDefinition>(InstrumentCatalog.All.Where(d => d.Scores.Any(s => s.Method == ScoreMethod.ProratedSum)))
            from values in ValidItem(definition).ArrayOf(definition.ItemCount)
            select (definition, values);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var result = Scorer.Score(c.definition, c.values);
            return c.definition.Scores.Where(s => s.Method == ScoreMethod.ProratedSum && result.Scores.ContainsKey(s.Key)).All(s =>
            {
                var value = result.Scores[s.Key];
                var answers = s.Items.Select(n => c.values[n - 1]).ToList();
                var inRange = value >= c.definition.MinValue * s.Items.Count && value <= c.definition.MaxValue * s.Items.Count;
                return inRange && (answers.Any(v => v is null) || value == answers.Sum());
            });
        }).QuickCheckThrowOnFailure();
    }

    private static Gen<decimal?> ValidItem(InstrumentDefinition d)
    {
        var scale = d.MaxDecimals == 0 ? 1 : 10;
        var value = Gen.Choose((int)(d.MinValue * scale), (int)(d.MaxValue * scale)).Select(v => (decimal?)((decimal)v / scale));

        // Mostly answered, so the 21-of-23 and all-items rules are exercised on both sides.
        return Gen.Frequency((19, value), (1, Gen.Constant<decimal?>(null)));
    }
}
