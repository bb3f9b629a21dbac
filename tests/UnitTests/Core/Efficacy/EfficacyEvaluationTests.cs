using NUnit.Framework;
using Trial.Core.Efficacy;
using Trial.Core.Protocol;

namespace Trial.Tests.Core.Efficacy;

/// <summary>The protocol's efficacy, decided once for the extracts and the DMC report: which total is the baseline, and each total against it.</summary>
[TestFixture]
public class EfficacyEvaluationTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();

    [Test]
    public void BaselineRule_OfTheDefaultProtocol_IsBlElseInf1Pre()
    {
        Assert.That(EfficacyBaselineRule.Of(Protocol), Is.EqualTo(new EfficacyBaselineRule("BL", "INF1", "pre")));
        Assert.That(EfficacyBaselineRule.NameOf(new EfficacyTotal("BL", null, 30)), Is.EqualTo("BL"));
        Assert.That(EfficacyBaselineRule.NameOf(new EfficacyTotal("INF1", "pre", 30)), Is.EqualTo("INF1 pre"));
    }

    [Test]
    public void Evaluate_WithBl_BlIsTheBaselineAndInf1PreIsAResult()
    {
        var points = EfficacyEvaluation.Evaluate(Protocol,
            [new EfficacyTotal("INF1", "pre", 24), new EfficacyTotal("BL", null, 30), new EfficacyTotal("POST24", null, 15)]);

        Assert.That(points.Select(p => p.Total.VisitCode), Is.EqualTo(new[] { "INF1", "BL", "POST24" }), "in the order given");
        Assert.That(points.Select(p => p.IsBaseline), Is.EqualTo(new[] { false, true, false }));
        Assert.That(points.Select(p => p.Baseline?.Total), Is.All.EqualTo(30m));
        Assert.That(points[0].Outcome, Is.EqualTo(new EfficacyOutcome(-6, -20, false, false)));
        Assert.That(points[1].Outcome, Is.EqualTo(new EfficacyOutcome(null, null, null, false)));
        Assert.That(points[2].Outcome, Is.EqualTo(new EfficacyOutcome(-15, -50, true, false)), "exactly 50 %: a response");
    }

    [Test]
    public void Evaluate_WithoutBl_Inf1PreIsTheBaseline_NotAnotherTimepoint()
    {
        var points = EfficacyEvaluation.Evaluate(Protocol,
            [new EfficacyTotal("INF1", "t40", 18), new EfficacyTotal("INF1", "pre", 20), new EfficacyTotal("POST24", null, 10)]);

        Assert.That(points.Select(p => p.IsBaseline), Is.EqualTo(new[] { false, true, false }));
        Assert.That(points[2].Outcome, Is.EqualTo(new EfficacyOutcome(-10, -50, true, true)));
    }

    [Test]
    public void Evaluate_WithoutEither_NoBaseline_RemissionStill()
    {
        var points = EfficacyEvaluation.Evaluate(Protocol, [new EfficacyTotal("BL", "pre", 12), new EfficacyTotal("POST24", null, 8)]);

        Assert.That(points.Select(p => p.Baseline), Is.All.Null, "a BL total at a timepoint is not the BL visit's own");
        Assert.That(points.Select(p => p.Outcome), Is.EqualTo(new[] { new EfficacyOutcome(null, null, null, false), new EfficacyOutcome(null, null, null, true) }));
    }
}
