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
        Assert.That(points[0].Outcome, Is.EqualTo(new EfficacyOutcome(-6, -20, null, null)), "INF1 pre is before any dose: a change, no response");
        Assert.That(points[1].Outcome, Is.EqualTo(new EfficacyOutcome(null, null, null, null)));
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
        Assert.That(points.Select(p => p.Outcome), Is.EqualTo(new[] { new EfficacyOutcome(null, null, null, null), new EfficacyOutcome(null, null, null, true) }),
            "BL is before any dose: no remission there");
    }

    [Test]
    public void Evaluate_PreDoseRatings_CarryNoResponseOrRemission_LaterPreDoseRatingsDo()
    {
        var points = EfficacyEvaluation.Evaluate(Protocol,
        [
            new EfficacyTotal("SCR", null, 8), new EfficacyTotal("BL", null, 30), new EfficacyTotal("INF1", "pre", 9),
            new EfficacyTotal("INF2", "pre", 9), new EfficacyTotal("FU-D7", null, 9),
        ]);

        Assert.That(points.Select(p => p.PreDose), Is.EqualTo(new[] { true, true, true, false, false }));
        Assert.That(points.Select(p => p.Outcome.Response), Is.EqualTo(new bool?[] { null, null, null, true, true }),
            "INF2 pre follows the first dose: it is judged");
        Assert.That(points.Select(p => p.Outcome.Remission), Is.EqualTo(new bool?[] { null, null, null, true, true }));
        Assert.That(points[2].Outcome.Change, Is.EqualTo(-21m), "the change before the dose is still shown");
        Assert.That(points.Select(p => p.CountsForResponders), Is.EqualTo(new[] { false, false, false, true, true }));
    }

    [Test]
    public void Evaluate_Unscheduled_NoAnalysisVisit_NeverTheBaseline_NotJudged()
    {
        var points = EfficacyEvaluation.Evaluate(Protocol,
        [
            new EfficacyTotal("BL", null, 26, Unscheduled: true), new EfficacyTotal("INF1", "pre", 30), new EfficacyTotal("INF2", "t120", 10, Unscheduled: true),
            new EfficacyTotal("POST24", null, 12),
        ]);

        Assert.That(points.Select(p => p.AnalysisVisit), Is.EqualTo(new[] { null, "INF1 pre", null, "POST24" }));
        Assert.That(points.Select(p => p.Baseline?.VisitCode), Is.All.EqualTo("INF1"), "an unscheduled rating is never the baseline");
        Assert.That(points[2].Outcome, Is.EqualTo(new EfficacyOutcome(-20, -66.67m, null, null)), "listed with its change, not judged");
        Assert.That(points[3].Outcome, Is.EqualTo(new EfficacyOutcome(-18, -60, true, false)));
        Assert.That(points.Select(p => p.CountsForResponders), Is.EqualTo(new[] { false, false, false, true }));
    }

    [Test]
    public void Evaluate_EndpointWithoutResponderRules_ChangeOnly()
    {
        var bsl23 = Protocol.Efficacy.Endpoints.Single(e => e.Instrument == "BSL23");
        var points = EfficacyEvaluation.Evaluate(Protocol, bsl23,
            [new EfficacyTotal("BL", null, 2.5m), new EfficacyTotal("INF3", "pre", 1.25m), new EfficacyTotal("FU-D7", null, 0.5m)]);

        Assert.That(points.Select(p => p.Outcome), Is.EqualTo(new[]
        {
            new EfficacyOutcome(null, null, null, null), new EfficacyOutcome(-1.25m, -50, null, null), new EfficacyOutcome(-2, -80, null, null),
        }));
        Assert.That(points.Select(p => p.AnalysisVisit), Is.EqualTo(new[] { "BL", "INF3 pre", "FU-D7" }));
    }

    [Test]
    public void Endpoints_OfTheDefaultProtocol_MadrsTotalWithResponseAndBsl23MeanWithout()
    {
        Assert.That(Protocol.Efficacy.Endpoints, Is.EqualTo(new[] { new EfficacyEndpoint("MADRS", "total", true), new EfficacyEndpoint("BSL23", "mean") }));
        Assert.That(Protocol.Efficacy.Endpoints.Select(e => e.Code), Is.EqualTo(new[] { "MADRSTOT", "BSL23MEA" }));
        Assert.That(new EfficacyRules().Endpoints, Is.EqualTo(new[] { EfficacyEndpoint.MadrsTotal }), "a protocol file without endpoints reports the MADRS total");
    }
}
