using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Core.Instruments;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// Rules on a total when items are left empty: they judge the least the total could be (the answered items, the empty ones
/// at the scale's minimum), and SAFETY_SCALE_INCOMPLETE says which rules the empty items could still be hiding.
/// </summary>
[TestFixture]
public class IncompleteScaleRuleTests
{
    private static decimal?[] Items(int count, decimal value, params int[] empty) =>
        [.. Enumerable.Range(1, count).Select(n => empty.Contains(n) ? null : (decimal?)value)];

    [Test]
    public void Evaluate_CadssTwentyTwoItemsAtTwoOneEmpty_CadssSevereFiresOnTheAnsweredItems()
    {
        // The case found from outside: 22 items at 2 sum to 44, above the threshold of 26, whatever item 23 would have been.
        var cadss = Assessment("CADSS", "INF1", "t40", Items(23, 2, 23));

        var alert = Alerts(SafetyEngine.CadssSevere, Data(cadss)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cadss.Scores, Does.Not.ContainKey("total"), "the scale itself has no total without every item");
            Assert.That(alert.SourceKey, Is.EqualTo(Key(cadss)));
            Assert.That(alert.Message, Is.EqualTo("CADSS total at least 44 (item 23 not answered) at INF1 t40 (severe dissociation threshold 26)"));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string>
            {
                ["total"] = "44", ["minTotal"] = "26", ["lowerBound"] = "true", ["missingItems"] = "23",
            }));
        }
    }

    [Test]
    public void Evaluate_CadssAnsweredItemsBelowTheThreshold_CadssSevereSilentButTheIncompleteScaleIsRaised()
    {
        // 22 items at 1 = 22; item 23 could add up to 4 and reach 26.
        var cadss = Assessment("CADSS", "INF1", "t40", Items(23, 1, 23));

        var alerts = Evaluate(Data(cadss));

        Assert.That(alerts.Select(a => a.Rule), Is.EqualTo(new[] { SafetyEngine.SafetyScaleIncomplete }));
        var incomplete = alerts.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(incomplete.Severity, Is.EqualTo("low"));
            Assert.That(incomplete.SourceKey, Is.EqualTo(Key(cadss)));
            Assert.That(incomplete.VisitCode, Is.EqualTo("INF1"));
            Assert.That(incomplete.Message, Is.EqualTo(
                "CADSS at INF1 t40 is incomplete (item 23 not answered): filled in, the missing items could reach the threshold of CADSS_SEVERE. "
                + "Ask the site to complete the scale."));
            Assert.That(incomplete.Values, Is.EqualTo(new Dictionary<string, string>
            {
                ["instrument"] = "CADSS", ["missingItems"] = "23", ["couldFire"] = "CADSS_SEVERE",
            }));
        }
    }

    [Test]
    public void Evaluate_CadssEmptyItemThatCannotReachAnyThreshold_NothingIsRaised()
    {
        // 22 items at 0 at t40: even at 4, item 23 cannot reach 26, and CADSS_PERSIST does not watch t40.
        var cadss = Assessment("CADSS", "INF1", "t40", Items(23, 0, 23));

        Assert.That(Evaluate(Data(cadss)), Is.Empty);
    }

    [Test]
    public void Evaluate_MadrsItemTenEmpty_IncompleteScaleNamesTheItemRulesItCouldHide()
    {
        var baseline = Madrs("BL", 1, 20);
        var madrs = Assessment("MADRS", "FU-D7", null, Items(10, 1, 10));

        var incomplete = Alerts(SafetyEngine.SafetyScaleIncomplete, Data(baseline, madrs)).Single();

        Assert.That(incomplete.Message, Does.StartWith("MADRS at FU-D7 is incomplete (item 10 not answered)"));
        // Item 10 at 6 would be high and a rise of 5 from BL's 1; the total (9 + 6 = 15) stays below 1.2 × 20.
        Assert.That(incomplete.Values["couldFire"], Is.EqualTo("MADRS10_HIGH,MADRS10_RISE"));
    }

    [Test]
    public void Evaluate_MadrsWithTwoEmptyItemsAboveBaselineAlready_MadrsWorseFiresAndNothingIsLeftHidden()
    {
        var baseline = Madrs("BL", 0, 20);
        var madrs = Assessment("MADRS", "FU-D14", null, [4, 4, 4, 4, 4, 4, null, null, 0, 1]);

        var alerts = Evaluate(Data(baseline, madrs));

        var worse = alerts.Single(a => a.Rule == SafetyEngine.MadrsWorse);
        Assert.That(worse.Message, Is.EqualTo(
            "MADRS total at least 25 (items 7, 8 not answered) at FU-D14 is worse than baseline 20 at BL (threshold 1.2 × baseline = 24)"));
        Assert.That(worse.Values["missingItems"], Is.EqualTo("7,8"));
        // Items 7 and 8 can only raise the total, which already fires; item 10 is answered: nothing else for the monitor to chase.
        Assert.That(alerts.Where(a => a.Rule == SafetyEngine.SafetyScaleIncomplete), Is.Empty);
    }

    [Test]
    public void Evaluate_BprsPositiveItemEmpty_RiseJudgedOnTheLeastTheSubscaleCouldBe()
    {
        // BPRS items run 1 to 7: with item 15 empty, BPRS+ is at least 3 + 3 + 3 + 1 = 10 against 4 before the infusion.
        var pre = BprsPositive("INF2", "pre", 1, 1, 1, 1);
        var items = Items(18, 1);
        items[3] = 3; items[10] = 3; items[11] = 3; items[14] = null;
        var t40 = Assessment("BPRS", "INF2", "t40", items);

        var alert = Alerts(SafetyEngine.BprsPosRise, Data(pre, t40)).Single();

        Assert.That(alert.Message, Is.EqualTo(
            "BPRS positive symptoms (BPRS+) at least 10 (item 15 not answered) at INF2 t40, up 6 from 4 before the infusion at INF2 pre (threshold: a rise of 3)"));
    }

    [Test]
    public void Evaluate_BslWithTooFewItemsForItsMean_BandRiseJudgedOnTheMeanWithTheEmptyItemsAtZero()
    {
        // 20 items at 3 and 3 empty: no scored mean (21 needed); at least 60 / 23 = 2.6087 (high), three bands above none/low.
        var baseline = Bsl("BL", 0);
        var bsl = Assessment("BSL23", "FU-D7", null, Items(23, 3, 1, 2, 3));

        var alert = Alerts(SafetyEngine.BslBandUp, Data(baseline, bsl)).Single();

        Assert.That(bsl.Scores, Does.Not.ContainKey("mean"));
        Assert.That(alert.Message, Does.StartWith("BSL-23 mean at least 2.6087 (high; items 1, 2, 3 not answered) at FU-D7 is 3 severity bands above"));
    }

    [Test]
    public void Evaluate_IncompleteCadssCompletedByCorrection_IncompleteScaleNoLongerRaised()
    {
        var incomplete = Assessment("CADSS", "INF1", "t40", Items(23, 1, 23));
        var corrected = Assessment("CADSS", "INF1", "t40", Items(23, 1)) with { Id = incomplete.Id };

        Assert.That(Alerts(SafetyEngine.SafetyScaleIncomplete, Data(incomplete)), Has.Count.EqualTo(1));
        Assert.That(Evaluate(Data(corrected)), Is.Empty);
    }

    [Test]
    public void Evaluate_IncompleteScaleRuleSwitchedOff_TotalsStillJudgedOnTheirLowerBound()
    {
        var protocol = WithRule(SafetyEngine.SafetyScaleIncomplete, r => r with { Enabled = false });
        var cadss = Assessment("CADSS", "INF1", "t40", Items(23, 2, 23));

        Assert.That(Evaluate(Data(cadss), protocol: protocol).Select(a => a.Rule), Is.EqualTo(new[] { SafetyEngine.CadssSevere }));
    }

    /// <summary>The rules on a total, a subscale or a mean, with the data each needs beside the assessment judged.</summary>
    public sealed record Scenario(string Name, string Instrument, string Visit, string? Timepoint, AssessmentFact[] Others, string[] TotalRules);

    private static readonly Scenario[] Scenarios =
    [
        new("CADSS at t40", "CADSS", "INF1", "t40", [], [SafetyEngine.CadssSevere]),
        new("CADSS at t120 after a pre-infusion CADSS", "CADSS", "INF1", "t120", [Cadss("INF1", "pre", 3)], [SafetyEngine.CadssSevere, SafetyEngine.CadssPersist]),
        new("CADSS at t240 with no pre-infusion CADSS", "CADSS", "INF2", "t240", [], [SafetyEngine.CadssSevere, SafetyEngine.CadssPersist]),
        new("MADRS after baseline", "MADRS", "FU-D7", null, [Madrs("BL", 1, 22), Madrs("POST24", 2, 18)], [SafetyEngine.MadrsWorse]),
        new("BPRS at t40 after its pre", "BPRS", "INF1", "t40", [BprsPositive("INF1", "pre", 2, 1, 2, 1)], [SafetyEngine.BprsPosRise]),
        new("BSL-23 after baseline", "BSL23", "FU-D7", null, [Bsl("BL", 12)], [SafetyEngine.BslBandUp]),
    ];

    public sealed record Case(Scenario Scenario, decimal?[] Items)
    {
        public override string ToString() =>
            $"{Scenario.Name}: [{string.Join(",", Items.Select(i => i?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"))}]";
    }

    private static Gen<Case> Cases() =>
        from scenario in Gen.Elements(Scenarios)
        let d = InstrumentCatalog.Get(scenario.Instrument)
        from level in Gen.Choose((int)d.MinValue, (int)d.MaxValue)
        from values in Gen.Choose((int)d.MinValue, level).ArrayOf(d.ItemCount)
        from emptyCount in Gen.Choose(1, 3)
        from empty in Gen.Shuffle(Enumerable.Range(0, d.ItemCount).ToArray())
        select new Case(scenario, [.. values.Select((v, i) => empty.Take(emptyCount).Contains(i) ? null : (decimal?)v)]);

    /// <summary>Every way of filling in the empty items with values the scale allows.</summary>
    private static IEnumerable<decimal?[]> Completions(InstrumentDefinition d, decimal?[] items)
    {
        IEnumerable<decimal?[]> completions = [items];
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is not null) continue;
            var index = i;
            completions = completions.SelectMany(c => Enumerable.Range((int)d.MinValue, (int)(d.MaxValue - d.MinValue) + 1)
                .Select(v => { var filled = (decimal?[])c.Clone(); filled[index] = v; return filled; }));
        }

        return completions;
    }

    /// <summary>The rules that fire on the judged assessment (same id in every completion).</summary>
    private static HashSet<string> Fired(Case c, decimal?[] items, Guid id)
    {
        var judged = Assessment(c.Scenario.Instrument, c.Scenario.Visit, c.Scenario.Timepoint, items) with { Id = id };
        return Evaluate(Data([.. c.Scenario.Others, judged])).Where(a => a.SourceKey == id.ToString("N")).Select(a => a.Rule).ToHashSet();
    }

    // The lower bound is the total of the completion with every empty item at the minimum, and each rule fires more as the
    // total rises: so a rule fires on the incomplete scale exactly when it fires on every completion of it. (The BSL-23 with
    // 21 or 22 items answered has its own mean, of the answered items, which is not a lower bound; for it only the first
    // half holds: whenever every completion fires, the rule fires.)
    [FsCheck.NUnit.Property(MaxTest = 150)]
    public Property Evaluate_RandomItemsWithEmptyOnes_TotalRuleFiresOnTheLowerBoundWheneverEveryCompletionFires() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var d = InstrumentCatalog.Get(c.Scenario.Instrument);
            var id = Guid.NewGuid();
            var entered = Fired(c, c.Items, id);
            var completions = Completions(d, c.Items).Select(items => Fired(c, items, id)).ToList();
            var ownMean = c.Scenario.Instrument == InstrumentCatalog.Bsl23 && c.Items.Count(i => i is not null) >= d.MinimumAnswered;
            foreach (var rule in c.Scenario.TotalRules)
            {
                var everyCompletion = completions.All(f => f.Contains(rule));
                if (everyCompletion) Assert.That(entered, Does.Contain(rule), $"{c}: {rule} fires on every completion");
                if (!ownMean && entered.Contains(rule)) Assert.That(everyCompletion, Is.True, $"{c}: {rule} fired, so it must on every completion");
            }
        });

    // SAFETY_SCALE_INCOMPLETE names exactly the rules on the assessment that some completion fires and the entered one does not.
    [FsCheck.NUnit.Property(MaxTest = 150)]
    public Property Evaluate_RandomItemsWithEmptyOnes_IncompleteScaleNamesExactlyTheRulesSomeCompletionWouldFire() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var d = InstrumentCatalog.Get(c.Scenario.Instrument);
            var id = Guid.NewGuid();
            var entered = Fired(c, c.Items, id);
            var hidden = Completions(d, c.Items).SelectMany(items => Fired(c, items, id)).Distinct()
                .Where(rule => !entered.Contains(rule) && rule is not SafetyEngine.SafetyScaleIncomplete)
                .OrderBy(rule => SafetyEngine.KnownRules.ToList().IndexOf(rule))
                .ToList();
            var judged = Assessment(c.Scenario.Instrument, c.Scenario.Visit, c.Scenario.Timepoint, c.Items) with { Id = id };
            var incomplete = Alerts(SafetyEngine.SafetyScaleIncomplete, Data([.. c.Scenario.Others, judged])).SingleOrDefault();

            Assert.That(incomplete?.Values["couldFire"].Split(',') ?? [], Is.EqualTo(hidden), c.ToString());
        });
}
