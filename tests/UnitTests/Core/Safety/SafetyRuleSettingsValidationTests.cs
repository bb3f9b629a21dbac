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

    [TestCase(SafetyEngine.CadssPersist, "minRiseOverPre", -1, "safety rule CADSS_PERSIST parameter 'minRiseOverPre' must be between 0 and 92; got -1")]
    [TestCase(SafetyEngine.CadssPersist, "totalAbove", 93, "safety rule CADSS_PERSIST parameter 'totalAbove' must be between 0 and 92; got 93")]
    [TestCase(SafetyEngine.VitalsBpRise, "minSystolicRise", 0, "safety rule VITALS_BP_RISE parameter 'minSystolicRise' must be between 1 and 200; got 0")]
    [TestCase(SafetyEngine.VitalsBpRise, "minDiastolicRise", -5, "safety rule VITALS_BP_RISE parameter 'minDiastolicRise' must be between 1 and 200; got -5")]
    [TestCase(SafetyEngine.VitalsBpPredose, "minSystolic", 30, "safety rule VITALS_BP_PREDOSE parameter 'minSystolic' must be between 50 and 300; got 30")]
    [TestCase(SafetyEngine.VitalsBpPredose, "minDiastolic", 250, "safety rule VITALS_BP_PREDOSE parameter 'minDiastolic' must be between 20 and 200; got 250")]
    public void Validate_NewRuleParameterOutOfRange_ProblemNamingRuleAndParameter(string rule, string parameter, decimal value, string problem)
    {
        var protocol = WithRule(rule, r => WithParameter(r, parameter, value));

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { problem }));
    }

    [TestCase(SafetyEngine.CadssPersist)]
    [TestCase(SafetyEngine.VitalsBpRise)]
    [TestCase(SafetyEngine.BprsPosRise)]
    public void Validate_RuleComparingWithPreWatchingPre_Problem(string rule)
    {
        var protocol = WithRule(rule, r => r with { Timepoints = ["pre", "t120"] });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { $"safety rule {rule} compares with the 'pre' timepoint, so its timepoints cannot include it" }));
    }

    [Test]
    public void Validate_NewRulesLeftOut_EachMissingNamed()
    {
        string[] added = [SafetyEngine.VitalsBpRise, SafetyEngine.VitalsBpPredose, SafetyEngine.StratumChanged, SafetyEngine.SafetyScaleIncomplete];
        var protocol = DefaultProtocol with { SafetyRules = [.. DefaultProtocol.SafetyRules.Where(r => !added.Contains(r.Code))] };

        Assert.That(ProtocolLoader.Validate(protocol), Is.EquivalentTo(added.Select(code => $"safety rule {code} is missing (to switch it off, list it with \"enabled\": false)")));
    }

    [Test]
    public void Validate_StratumChangedInADesignWithoutMadrsStrata_ProblemWhenEnabledNotRequiredWhenLeftOut()
    {
        var unstratified = DefaultProtocol with
        {
            Design = DefaultProtocol.Design with
            {
                Randomisation = DefaultProtocol.Design.Randomisation! with { Strata = DefaultProtocol.Design.Randomisation.Strata with { BaselineMadrsTotalCutoffs = [] } },
            },
        };
        var leftOut = unstratified with { SafetyRules = [.. unstratified.SafetyRules.Where(r => r.Code != SafetyEngine.StratumChanged)] };

        Assert.That(ProtocolLoader.Validate(unstratified), Has.One.StartsWith("safety rule STRATUM_CHANGED is enabled, but the design does not stratify by the baseline MADRS total"));
        Assert.That(ProtocolLoader.Validate(leftOut), Is.Empty);
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
