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
}
