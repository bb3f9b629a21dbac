using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>A protocol file whose safety rules would throw or silently do nothing must be refused at start.</summary>
[TestFixture]
public class SafetyRuleSettingsValidationTests
{
    [Test]
    public void Validate_DefaultProtocol_NoProblems()
    {
        Assert.That(ProtocolLoader.Validate(DefaultProtocol), Is.Empty);
    }

    [Test]
    public void Validate_UnknownRuleCode_Problem()
    {
        var protocol = DefaultProtocol with
        {
            SafetyRules = [.. DefaultProtocol.SafetyRules, new SafetyRuleSettings { Code = "MADRS10_HIHG", Severity = "high" }],
        };

        Assert.That(ProtocolLoader.Validate(protocol), Has.One.StartsWith("safety rule MADRS10_HIHG is not a rule the system knows"));
    }

    [Test]
    public void Validate_KnownRuleLeftOut_ProblemSayingHowToSwitchItOff()
    {
        var protocol = DefaultProtocol with { SafetyRules = [.. DefaultProtocol.SafetyRules.Where(r => r.Code != SafetyEngine.SaeClock)] };

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[]
        {
            "safety rule SAE_CLOCK is missing (to switch it off, list it with \"enabled\": false)",
        }));
    }

    [Test]
    public void Validate_RequiredParameterMissing_Problem()
    {
        var protocol = WithRule(SafetyEngine.VitalsHr, r => r with { Parameters = new Dictionary<string, decimal> { ["minHigh"] = 120 } });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule VITALS_HR has no parameter 'maxLow'" }));
    }

    [Test]
    public void Validate_MisspelledParameter_ProblemForMissingAndForUnused()
    {
        var protocol = WithRule(SafetyEngine.VitalsSpo2, r => r with { Parameters = new Dictionary<string, decimal> { ["bellow"] = 92 } });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[]
        {
            "safety rule VITALS_SPO2 has no parameter 'below'",
            "safety rule VITALS_SPO2 has parameter 'bellow', which it does not use (it uses: below)",
        }));
    }

    [Test]
    public void Validate_ItemOutsideInstrument_Problem()
    {
        var protocol = WithRule(SafetyEngine.BprsPosItem, r => r with { Items = [4, 11, 12, 19] });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule BPRS_POS_ITEM names item 19, but BPRS has items 1 to 18" }));
    }

    [Test]
    public void Validate_ItemRuleWithoutItems_Problem()
    {
        var protocol = WithRule(SafetyEngine.BslSelfHarm, r => r with { Items = [] });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule BSL_SELFHARM lists no items" }));
    }

    [Test]
    public void Validate_UnknownRuleTimepoint_Problem()
    {
        var protocol = WithRule(SafetyEngine.CadssPersist, r => r with { Timepoints = ["t120", "t480"] });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule CADSS_PERSIST names unknown timepoint 't480'" }));
    }

    [Test]
    public void Validate_TimepointRuleWithoutTimepoints_Problem()
    {
        var protocol = WithRule(SafetyEngine.BprsPosRise, r => r with { Timepoints = [] });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule BPRS_POS_RISE lists no timepoints" }));
    }

    [TestCase("0")]
    [TestCase("1.5")]
    public void Validate_ConsecutiveRisesNotAPositiveWholeNumber_Problem(decimal rises)
    {
        var protocol = WithRule(SafetyEngine.SuicidalityEscalating, r => WithParameter(r, "consecutiveRises", rises));

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[]
        {
            "safety rule SUICIDALITY_ESCALATING parameter 'consecutiveRises' must be a whole number of at least 1",
        }));
    }

    [Test]
    public void Parse_RuleWithoutItsParameter_RefusedNamingTheRule()
    {
        var json = DefaultProtocolJson().Replace("\"parameters\": { \"minTotal\": 26 }", "\"parameters\": {}");

        Assert.That(() => ProtocolLoader.Parse(json, "test"),
            Throws.TypeOf<ProtocolException>().With.Message.Contains("safety rule CADSS_SEVERE has no parameter 'minTotal'"));
    }

    // The protocol file is embedded in Trial.Core; editing the text that ships tests the loader on real JSON.
    private static string DefaultProtocolJson()
    {
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream("Trial.Core.Protocol.default-protocol.json")!;
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd();
        Assert.That(json, Does.Contain("\"parameters\": { \"minTotal\": 26 }"), "The edit below must find its target.");
        return json;
    }
}
