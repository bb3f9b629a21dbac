using NUnit.Framework;
using Trial.Core.Instruments;

namespace Trial.Tests.Core.Instruments;

[TestFixture]
public class InstrumentCatalogTests
{
    private static IEnumerable<InstrumentDefinition> AllDefinitions => InstrumentCatalog.All;

    [Test]
    public void All_Always_ListsTheFiveInstrumentsInOrder()
    {
        Assert.That(InstrumentCatalog.All.Select(d => d.Code), Is.EqualTo(new[] { "MADRS", "BSL23", "CADSS", "BPRS", "ASC5D" }));
    }

    [TestCase("MADRS", "MADRS-1.0")]
    [TestCase("BSL23", "BSL23-1.1")]
    [TestCase("CADSS", "CADSS-1.1")]
    [TestCase("BPRS", "BPRS-1.1")]
    [TestCase("ASC5D", "ASC5D-1.0")]
    public void Get_KnownCode_ReturnsThatDefinitionWithItsVersion(string code, string version)
    {
        var definition = InstrumentCatalog.Get(code);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(definition.Code, Is.EqualTo(code));
            Assert.That(definition.Version, Is.EqualTo(version));
        }
    }

    [TestCase("madrs")]
    [TestCase("BSL-23")]
    [TestCase("")]
    public void TryGet_UnknownOrWrongCaseCode_ReturnsFalse(string code)
    {
        Assert.That(InstrumentCatalog.TryGet(code, out _), Is.False);
    }

    [Test]
    public void TryGet_KnownCode_ReturnsTrueAndDefinition()
    {
        var found = InstrumentCatalog.TryGet(InstrumentCatalog.Bprs, out var definition);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.True);
            Assert.That(definition!.ItemCount, Is.EqualTo(18));
        }
    }

    [Test]
    public void Get_UnknownCode_ThrowsArgumentException()
    {
        Assert.That(() => InstrumentCatalog.Get("HAMD"), Throws.ArgumentException.With.Message.Contains("HAMD"));
    }

    [TestCase("MADRS", 10, 0, 6, 0)]
    [TestCase("BSL23", 23, 0, 4, 0)]
    [TestCase("CADSS", 23, 0, 4, 0)]
    [TestCase("BPRS", 18, 1, 7, 0)]
    [TestCase("ASC5D", 94, 0, 100, 1)]
    public void Get_EachInstrument_HasTheItemCountRangeAndPrecisionOfScalesMd(string code, int itemCount, int min, int max, int maxDecimals)
    {
        var d = InstrumentCatalog.Get(code);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(d.ItemCount, Is.EqualTo(itemCount));
            Assert.That(d.MinValue, Is.EqualTo((decimal)min));
            Assert.That(d.MaxValue, Is.EqualTo((decimal)max));
            Assert.That(d.MaxDecimals, Is.EqualTo(maxDecimals));
        }
    }

    [TestCaseSource(nameof(AllDefinitions))]
    public void Definition_Always_IsInternallyConsistent(InstrumentDefinition d)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(d.ItemLabels, Has.Count.EqualTo(d.ItemCount), "one label per item");
            Assert.That(d.ItemLabels, Has.All.Not.Empty);
            Assert.That(d.MinimumAnswered, Is.InRange(1, d.ItemCount));
            Assert.That(d.Version, Does.StartWith(d.Code + "-"));
            Assert.That(d.Source, Is.Not.Empty);
            Assert.That(d.ScoringDescription, Is.Not.Empty);
            Assert.That(d.Scores.Select(s => s.Key), Is.Unique);
            foreach (var rule in d.Scores)
            {
                Assert.That(rule.Items, Is.Unique.And.All.InRange(1, d.ItemCount), rule.Key);
                Assert.That(rule.MinimumAnswered, Is.InRange(1, rule.Items.Count), rule.Key);

                // A sum over fewer items than it lists would be a different, smaller score, not the same one with a gap.
                if (rule.Method == ScoreMethod.Sum)
                {
                    Assert.That(rule.MinimumAnswered, Is.EqualTo(rule.Items.Count), rule.Key);
                }
            }

            Assert.That(d.SeverityBands.Select(b => b.LowerBound), Is.Ordered.Ascending.And.Unique);
            if (d.SeverityScoreKey is null)
            {
                Assert.That(d.SeverityBands, Is.Empty);
            }
            else
            {
                Assert.That(d.Scores.Select(s => s.Key), Does.Contain(d.SeverityScoreKey));
                Assert.That(d.SeverityBands[0].LowerBound, Is.EqualTo(d.MinValue), "lowest band starts at the lowest possible score");
            }
        }
    }

    [TestCase("MADRS", 1)]
    [TestCase("BSL23", 3)]
    [TestCase("CADSS", 2)]
    [TestCase("BPRS", 1)]
    [TestCase("ASC5D", 2)]
    public void ProvisionalNotes_EachInstrument_OnePerProvisionalRule(string code, int expected)
    {
        Assert.That(InstrumentCatalog.Get(code).ProvisionalNotes, Has.Count.EqualTo(expected));
    }

    [TestCase("BSL23")]
    [TestCase("ASC5D")]
    public void ScoringDescription_InstrumentWithMeans_DocumentsRounding(string code)
    {
        Assert.That(InstrumentCatalog.Get(code).ScoringDescription, Does.Contain("rounded to 4 decimal places (midpoint away from zero)"));
    }

    [Test]
    public void ScoringDescriptionAndProvisionalNotes_Bsl23_SaySumIsProratedWhenComplete()
    {
        var d = InstrumentCatalog.Get(InstrumentCatalog.Bsl23);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(d.ScoringDescription, Does.Contain("prorated").And.Contain("mean × 23"));
            Assert.That(d.ProvisionalNotes, Has.Some.Contains("prorated").And.Some.Contains("project rule"));
        }
    }

    [Test]
    public void ProvisionalNotes_Asc5D_MentionTheDisputedComplexImageryItem()
    {
        Assert.That(InstrumentCatalog.Get(InstrumentCatalog.Asc5D).ProvisionalNotes, Has.Some.Contains("79"));
    }

    [Test]
    public void ItemLabels_Madrs_AreTheTenItemsInOrder()
    {
        Assert.That(InstrumentCatalog.Get(InstrumentCatalog.Madrs).ItemLabels, Is.EqualTo(new[]
        {
            "apparent sadness", "reported sadness", "inner tension", "reduced sleep", "reduced appetite",
            "concentration difficulties", "lassitude", "inability to feel", "pessimistic thoughts", "suicidal thoughts",
        }));
    }

    [Test]
    public void ItemLabels_Bprs_AreTheEighteenItemsInOrder()
    {
        Assert.That(InstrumentCatalog.Get(InstrumentCatalog.Bprs).ItemLabels, Is.EqualTo(new[]
        {
            "somatic concern", "anxiety", "emotional withdrawal", "conceptual disorganisation", "guilt feelings",
            "tension", "mannerisms/posturing", "grandiosity", "depressive mood", "hostility",
            "suspiciousness", "hallucinatory behaviour", "motor retardation", "uncooperativeness", "unusual thought content",
            "blunted affect", "excitement", "disorientation",
        }));
    }

    [TestCase(5, "thought of hurting myself")]
    [TestCase(7, "didn't believe in my right to live")]
    [TestCase(15, "voices")]
    [TestCase(18, "the idea of death had a certain fascination")]
    [TestCase(22, "felt far away from myself")]
    [TestCase(1, "Item 1")]
    [TestCase(23, "Item 23")]
    public void ItemLabels_Bsl23_NameTheSafetyItemsAndNumberTheRest(int item, string label)
    {
        Assert.That(InstrumentCatalog.Get(InstrumentCatalog.Bsl23).ItemLabels[item - 1], Is.EqualTo(label));
    }

    [Test]
    public void SeverityBands_Madrs_MatchScalesMd()
    {
        var bands = InstrumentCatalog.Get(InstrumentCatalog.Madrs).SeverityBands;

        Assert.That(bands, Is.EqualTo(new[]
        {
            new SeverityBand(0m, "normal"), new SeverityBand(7m, "mild"),
            new SeverityBand(20m, "moderate"), new SeverityBand(35m, "severe"),
        }));
    }

    [Test]
    public void SeverityBands_Bsl23_MatchKleindienst2020()
    {
        var bands = InstrumentCatalog.Get(InstrumentCatalog.Bsl23).SeverityBands;

        Assert.That(bands, Is.EqualTo(new[]
        {
            new SeverityBand(0m, "none/low"), new SeverityBand(0.28m, "mild"), new SeverityBand(1.07m, "moderate"),
            new SeverityBand(1.87m, "high"), new SeverityBand(2.67m, "very high"), new SeverityBand(3.47m, "extremely high"),
        }));
    }

    [Test]
    public void Scores_Cadss_SubscalesCoverEveryItemExactlyOnce()
    {
        var d = InstrumentCatalog.Get(InstrumentCatalog.Cadss);
        var subscaleItems = d.Scores.Where(s => s.Key != "total").SelectMany(s => s.Items);

        Assert.That(subscaleItems.Order(), Is.EqualTo(Enumerable.Range(1, 23)));
    }

    [TestCase("total", new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 })]
    [TestCase("depersonalization", new[] { 3, 4, 5, 6, 7, 20, 21 })]
    [TestCase("derealization", new[] { 1, 2, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19 })]
    [TestCase("amnesia", new[] { 14, 15, 22, 23 })]
    public void Scores_Cadss_ItemListsMatchScalesMd(string key, int[] items)
    {
        Assert.That(ItemsOf(InstrumentCatalog.Cadss, key), Is.EqualTo(items));
    }

    [TestCase("total", new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 })]
    [TestCase("positive", new[] { 4, 11, 12, 15 })]
    public void Scores_Bprs_ItemListsMatchScalesMd(string key, int[] items)
    {
        Assert.That(ItemsOf(InstrumentCatalog.Bprs, key), Is.EqualTo(items));
    }

    [Test]
    public void Scores_Asc5D_EveryItemInExactlyOneDimension()
    {
        var dimensions = new[] { "OB", "DED", "VR", "AA", "VIR" }.SelectMany(key => ItemsOf(InstrumentCatalog.Asc5D, key));

        Assert.That(dimensions.Order(), Is.EqualTo(Enumerable.Range(1, 94)));
    }

    [TestCase("OB", 27)]
    [TestCase("DED", 21)]
    [TestCase("VR", 18)]
    [TestCase("AA", 16)]
    [TestCase("VIR", 12)]
    public void Scores_Asc5D_DimensionHasTheStatedItemCount(string key, int count)
    {
        Assert.That(ItemsOf(InstrumentCatalog.Asc5D, key), Has.Count.EqualTo(count));
    }

    [TestCase("OB", new[] { 1, 3, 9, 12, 16, 18, 26, 34, 35, 36, 40, 41, 42, 45, 50, 52, 57, 62, 63, 69, 71, 73, 81, 86, 87, 91, 94 })]
    [TestCase("DED", new[] { 6, 8, 21, 27, 32, 38, 43, 44, 46, 47, 53, 56, 60, 64, 67, 78, 79, 80, 85, 88, 89 })]
    [TestCase("VR", new[] { 7, 14, 20, 22, 23, 28, 31, 33, 39, 54, 58, 70, 72, 75, 77, 82, 83, 90 })]
    [TestCase("AA", new[] { 4, 5, 11, 13, 19, 25, 30, 48, 49, 55, 65, 66, 74, 76, 92, 93 })]
    [TestCase("VIR", new[] { 2, 10, 15, 17, 24, 29, 37, 51, 59, 61, 68, 84 })]
    [TestCase("unity", new[] { 18, 34, 41, 42, 52 })]
    [TestCase("spiritualExperience", new[] { 9, 81, 94 })]
    [TestCase("blissfulState", new[] { 12, 86, 91 })]
    [TestCase("insightfulness", new[] { 50, 69, 77 })]
    [TestCase("disembodiment", new[] { 26, 62, 63 })]
    [TestCase("impairedControlCognition", new[] { 8, 27, 38, 47, 64, 67, 78 })]
    [TestCase("anxiety", new[] { 32, 43, 44, 46, 56, 89 })]
    [TestCase("complexImagery", new[] { 39, 72, 82 })]
    [TestCase("elementaryImagery", new[] { 14, 22, 33 })]
    [TestCase("audioVisualSynesthesia", new[] { 20, 23, 75 })]
    [TestCase("changedMeaningOfPercepts", new[] { 28, 31, 54 })]
    public void Scores_Asc5D_ItemListsMatchScalesMd(string key, int[] items)
    {
        Assert.That(ItemsOf(InstrumentCatalog.Asc5D, key), Is.EqualTo(items));
    }

    [TestCase("MADRS", new[] { "total" })]
    [TestCase("BSL23", new[] { "mean", "sum" })]
    [TestCase("CADSS", new[] { "total", "depersonalization", "derealization", "amnesia" })]
    [TestCase("BPRS", new[] { "total", "positive" })]
    [TestCase("ASC5D", new[]
    {
        "OB", "DED", "VR", "AA", "VIR", "unity", "spiritualExperience", "blissfulState", "insightfulness", "disembodiment",
        "impairedControlCognition", "anxiety", "complexImagery", "elementaryImagery", "audioVisualSynesthesia", "changedMeaningOfPercepts",
    })]
    public void Scores_EachInstrument_UseTheContractKeys(string code, string[] keys)
    {
        Assert.That(InstrumentCatalog.Get(code).Scores.Select(s => s.Key), Is.EqualTo(keys));
    }

    private static IReadOnlyList<int> ItemsOf(string code, string key) =>
        InstrumentCatalog.Get(code).Scores.Single(s => s.Key == key).Items;
}
