using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Trial.Core.Protocol;

namespace Trial.Tests.Core.Efficacy;

/// <summary>The protocol's efficacy thresholds are checked when the protocol is loaded, each message naming its field.</summary>
[TestFixture]
public class EfficacyRulesValidationTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();

    private static ProtocolDefinition WithRemissionMax(decimal value) => Protocol with { Efficacy = Protocol.Efficacy with { RemissionMaxTotal = value } };

    [TestCase(0)]
    [TestCase(10)]
    [TestCase(60)]
    public void Validate_RemissionMaxTotalWithinTheMadrsRange_NoProblem(decimal value)
    {
        Assert.That(ProtocolLoader.Validate(WithRemissionMax(value)), Is.Empty);
    }

    [TestCase(-1)]
    [TestCase(-0.5)]
    [TestCase(60.5)]
    [TestCase(61)]
    public void Validate_RemissionMaxTotalOutsideTheMadrsRange_ProblemNamingTheField(decimal value)
    {
        Assert.That(ProtocolLoader.Validate(WithRemissionMax(value)),
            Is.EqualTo(new[] { $"efficacy.remissionMaxTotal must be between 0 and 60 (the range of the MADRS total); it is {value.ToString(CultureInfo.InvariantCulture)}" }));
    }

    [Test]
    public void Parse_RemissionMaxTotalOutOfRange_RefusedAtLoadNamingTheField()
    {
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream("Trial.Core.Protocol.default-protocol.json")!;
        var json = JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        json["efficacy"]!["remissionMaxTotal"] = 100;

        var error = Assert.Throws<ProtocolException>(() => ProtocolLoader.Parse(json.ToJsonString(), "test.json"));
        Assert.That(error!.Message, Does.Contain("efficacy.remissionMaxTotal must be between 0 and 60"));
    }

    [TestCase("BSL23", "mean", false, null)]
    [TestCase("BSL23", "median", false, "efficacy.endpoints names unknown score 'median' of BSL23 (expected one of mean, sum)")]
    [TestCase("HAMD", "total", false, "efficacy.endpoints names unknown instrument 'HAMD'")]
    [TestCase("BSL23", "mean", true, "efficacy.endpoints: only the MADRS total may be a responder endpoint (the thresholds are on its scale), not BSL23 mean")]
    public void Validate_Endpoints_KnownScoresAndResponderOnlyOnTheMadrsTotal(string instrument, string score, bool responder, string? problem)
    {
        var protocol = Protocol with { Efficacy = Protocol.Efficacy with { Endpoints = [EfficacyEndpoint.MadrsTotal, new EfficacyEndpoint(instrument, score, responder)] } };
        var problems = ProtocolLoader.Validate(protocol).Where(p => p.StartsWith("efficacy", StringComparison.Ordinal));
        Assert.That(problems, problem is null ? Is.Empty : Is.EqualTo(new[] { problem }));
    }
}
