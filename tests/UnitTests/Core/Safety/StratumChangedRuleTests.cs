using NUnit.Framework;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// A baseline MADRS corrected after randomisation so that the participant would now be in another stratum (the default
/// design stratifies by site and baseline MADRS below 35 / 35 or more): the monitors are told, with stratum names only.
/// </summary>
[TestFixture]
public class StratumChangedRuleTests
{
    private static ParticipantSafetyData Randomised(AllocationFact allocation, params AssessmentFact[] assessments) =>
        Data(assessments) with { Allocation = allocation };

    [Test]
    public void Evaluate_BaselineMadrsCorrectedAcrossTheCutOff_StratumChangedNamesBothStrataNeverTheArm()
    {
        var baseline = Madrs("BL", 2, 36);

        var alert = Alerts(SafetyEngine.StratumChanged, Randomised(new AllocationFact("WAW", "WAW/MADRS<35", 33), baseline)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Severity, Is.EqualTo("low"));
            Assert.That(alert.SourceKey, Is.EqualTo(Key(baseline)));
            Assert.That(alert.VisitCode, Is.EqualTo("BL"));
            Assert.That(alert.Message, Is.EqualTo(
                "The baseline MADRS total at BL is now 36; the participant was randomised in stratum WAW/MADRS<35 on a total of 33 and would now fall in "
                + "stratum WAW/MADRS>=35. They stay in stratum WAW/MADRS<35 as randomised: check the correction and tell the trial statistician."));
            Assert.That(alert.Values, Is.EqualTo(new Dictionary<string, string>
            {
                ["total"] = "36", ["randomisedTotal"] = "33", ["randomisedStratum"] = "WAW/MADRS<35", ["currentStratum"] = "WAW/MADRS>=35",
            }));
            Assert.That(alert.Message, Does.Not.Contain("KET").And.Not.Contain("MDZ").And.Not.Contain("etamine").And.Not.Contain("idazolam"));
        }
    }

    [TestCase(34)] // corrected, but still below 35
    [TestCase(20)]
    public void Evaluate_BaselineMadrsCorrectedWithinTheStratum_NothingRaised(int total)
    {
        var data = Randomised(new AllocationFact("WAW", "WAW/MADRS<35", 33), Madrs("BL", 2, total));

        Assert.That(Alerts(SafetyEngine.StratumChanged, data), Is.Empty);
    }

    [Test]
    public void Evaluate_NotRandomised_NothingRaised()
    {
        Assert.That(Alerts(SafetyEngine.StratumChanged, Data(Madrs("BL", 2, 40))), Is.Empty);
    }

    [Test]
    public void Evaluate_InfusionOnePreMadrsAcrossTheCutOff_NothingRaised()
    {
        // Only the baseline visit's MADRS decides the stratum, as at randomisation.
        var data = Randomised(new AllocationFact("WAW", "WAW/MADRS<35", 30), Madrs("BL", 2, 30), Madrs("INF1", 2, 40));

        Assert.That(Alerts(SafetyEngine.StratumChanged, data), Is.Empty);
    }

    [Test]
    public void Evaluate_BaselineMadrsCorrectedToIncomplete_NoStratumClaimed()
    {
        // With an item missing there is no total to say which stratum it would be.
        var incomplete = Assessment("MADRS", "BL", null, [6, 6, 6, 6, 6, 6, null, 1, 1, 1]);

        Assert.That(Alerts(SafetyEngine.StratumChanged, Randomised(new AllocationFact("WAW", "WAW/MADRS<35", 33), incomplete)), Is.Empty);
    }
}
