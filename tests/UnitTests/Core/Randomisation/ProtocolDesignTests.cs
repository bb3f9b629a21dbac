using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Core.Safety;

namespace Trial.Tests.Core.Randomisation;

/// <summary>The design section of the protocol files: what ships, and what the loader refuses.</summary>
[TestFixture]
public class ProtocolDesignTests
{
    private static readonly ProtocolDefinition Default = ProtocolLoader.LoadDefault();
    private static readonly ProtocolDefinition OpenLabel = ProtocolLoader.LoadBuiltIn(ProtocolLoader.OpenLabelName);

    [Test]
    public void LoadDefault_IsTheDoubleBlindMidazolamControlledDesign()
    {
        var d = Default.Design;
        Assert.That(d.IsBlinded, Is.True);
        Assert.That(d.Arms.Select(a => (a.Code, a.Drug, a.DoseMgPerKg, a.AllocationRatio)),
            Is.EqualTo(new[] { ("KET", "ketamine", 0.5m, 1), ("MDZ", "midazolam", 0.045m, 1) }));
        Assert.That(d.Randomisation!.Method, Is.EqualTo(RandomisationMethods.PermutedBlocks));
        Assert.That(d.Randomisation.BlockSizes, Is.EqualTo(new[] { 4, 6 }));
        Assert.That(d.Randomisation.Strata.Site, Is.True);
        Assert.That(d.Randomisation.Strata.BaselineMadrsTotalCutoffs, Is.EqualTo(new[] { 35 }));
        Assert.That(d.BlindingGuessVisits, Is.EqualTo(new[] { "INF1", ProtocolDefinition.LastInfusionAnchor, "FU-D7" }));
        Assert.That(Default.FindRule(EmergencyUnblinding.AlertRule)!.Severity, Is.EqualTo("high"));
    }

    [Test]
    public void LoadOpenLabel_SingleArmWithoutRandomisationAndOtherwiseTheSameStudy()
    {
        var d = OpenLabel.Design;
        Assert.That(d.IsBlinded, Is.False);
        Assert.That(d.Randomisation, Is.Null);
        Assert.That(d.Arms.Select(a => a.Code), Is.EqualTo(new[] { "KET" }));
        Assert.That(OpenLabel.FindRule(EmergencyUnblinding.AlertRule), Is.Null);
        // Same visit plan, battery and safety rules in both designs (docs/protocol.md).
        Assert.That(OpenLabel.Visits, Is.EqualTo(Default.Visits).Using<VisitDefinition>((a, b) =>
            a.Code == b.Code && a.Anchor == b.Anchor && a.OffsetDays == b.OffsetDays && a.Battery.Count == b.Battery.Count));
        // Without arms there is no unblinding, and without strata no stratum to change.
        Assert.That(OpenLabel.SafetyRules.Select(r => r.Code),
            Is.EqualTo(Default.SafetyRules.Select(r => r.Code).Where(c => c is not (EmergencyUnblinding.AlertRule or SafetyEngine.StratumChanged))));
    }

    [Test]
    public void Load_BuiltInNameOrFilePath_ReadsThatProtocol()
    {
        Assert.That(ProtocolLoader.Load(null).ProtocolId, Is.EqualTo(Default.ProtocolId));
        Assert.That(ProtocolLoader.Load("open-label").ProtocolId, Is.EqualTo(OpenLabel.ProtocolId));
        using var folder = new TempFolder();
        var file = folder.File("study.json");
        File.WriteAllText(file, Json(OpenLabel.ProtocolId, o => o["version"] = "9.9.9"));
        Assert.That(ProtocolLoader.Load(file).Version, Is.EqualTo("9.9.9"));
        Assert.Throws<ProtocolException>(() => ProtocolLoader.Load("double-blind-but-misspelt"));
    }

    [Test]
    public void Parse_FileWithoutDesign_IsTheSingleArmOpenLabelStudyOfBefore()
    {
        var protocol = ProtocolLoader.Parse(Json(OpenLabel.ProtocolId, o => o.Remove("design")), "test");

        Assert.That(protocol.Design.IsBlinded, Is.False);
        Assert.That(protocol.Design.Randomisation, Is.Null);
    }

    private static IEnumerable<TestCaseData> BrokenDesigns()
    {
        yield return Case("blinded without UNBLINDED", ProtocolLoader.DefaultName,
            o => o["safetyRules"]!.AsArray().Remove(o["safetyRules"]!.AsArray().Single(r => r!["code"]!.GetValue<string>() == "UNBLINDED")), "UNBLINDED");
        yield return Case("blocks that cannot balance", ProtocolLoader.DefaultName,
            o => o["design"]!["randomisation"]!["blockSizes"] = new JsonArray(2, 3), "block size 3");
        yield return Case("blinded with one arm", ProtocolLoader.DefaultName,
            o => o["design"]!["arms"]!.AsArray().RemoveAt(1), "at least two arms");
        yield return Case("arm dose outside the limits", ProtocolLoader.DefaultName,
            o => o["design"]!["arms"]![1]!["doseMgPerKg"] = 0.001m, "outside the infusion dose limits");
        yield return Case("unknown randomisation method", ProtocolLoader.DefaultName,
            o => o["design"]!["randomisation"]!["method"] = "coin", "method 'coin'");
        yield return Case("cut-offs out of order", ProtocolLoader.DefaultName,
            o => o["design"]!["randomisation"]!["strata"]!["baselineMadrsTotalCutoffs"] = new JsonArray(35, 20), "increasing order");
        yield return Case("guess at an unknown visit", ProtocolLoader.DefaultName,
            o => o["design"]!["blindingGuessVisits"] = new JsonArray("FU-D9"), "design.blindingGuessVisits names unknown visit 'FU-D9'");
        yield return Case("guess visit listed twice", ProtocolLoader.DefaultName,
            o => o["design"]!["blindingGuessVisits"] = new JsonArray("INF1", "LAST_INFUSION", "INF1"), "design.blindingGuessVisits lists 'INF1' twice");
        yield return Case("last infusion listed twice", ProtocolLoader.DefaultName,
            o => o["design"]!["blindingGuessVisits"] = new JsonArray("LAST_INFUSION", "FU-D7", "LAST_INFUSION"), "design.blindingGuessVisits lists 'LAST_INFUSION' twice");
        yield return Case("guess before any infusion", ProtocolLoader.DefaultName,
            o => o["design"]!["blindingGuessVisits"] = new JsonArray("BL", "FU-D7"), "design.blindingGuessVisits names visit 'BL', which comes before any infusion");
        yield return Case("guess visit empty", ProtocolLoader.DefaultName,
            o => o["design"]!["blindingGuessVisits"] = new JsonArray("INF1", " "), "design.blindingGuessVisits lists an empty visit code");
        yield return Case("guess visit in lower case", ProtocolLoader.DefaultName,
            o => o["design"]!["blindingGuessVisits"] = new JsonArray("last_infusion"), "design.blindingGuessVisits names unknown visit 'last_infusion'");
        yield return Case("open-label that randomises", ProtocolLoader.OpenLabelName,
            o => o["design"]!["randomisation"] = new JsonObject { ["method"] = "permuted-blocks", ["blockSizes"] = new JsonArray(2) }, "does not randomise");
        yield return Case("unknown blinding", ProtocolLoader.OpenLabelName, o => o["design"]!["blinding"] = "triple-blind", "triple-blind");
    }

    private static TestCaseData Case(string name, string builtIn, Action<JsonObject> change, string problem) =>
        new TestCaseData(builtIn, change, problem).SetName($"Parse_{name.Replace(' ', '_')}_IsRefusedNamingTheProblem");

    [TestCaseSource(nameof(BrokenDesigns))]
    public void Parse_BrokenDesign_IsRefusedNamingTheProblem(string builtIn, Action<JsonObject> change, string problem)
    {
        var json = Json(builtIn == ProtocolLoader.DefaultName ? Default.ProtocolId : OpenLabel.ProtocolId, change);

        var ex = Assert.Throws<ProtocolException>(() => ProtocolLoader.Parse(json, "test"));

        Assert.That(ex!.Message, Does.Contain(problem));
    }

    /// <summary>The built-in file of that protocol, changed.</summary>
    private static string Json(string protocolId, Action<JsonObject> change)
    {
        var name = protocolId == Default.ProtocolId ? "default-protocol.json" : "open-label-protocol.json";
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream($"Trial.Core.Protocol.{name}")!;
        var json = JsonNode.Parse(stream, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        change(json);
        return json.ToJsonString();
    }
}
