using NUnit.Framework;
using Trial.Core.Randomisation;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>Properties of the engine as a whole: configuration, determinism, and silence on an ordinary course.</summary>
[TestFixture]
public class SafetyEngineTests
{
    [Test]
    public void KnownRules_DefaultProtocol_ListsExactlyTheProtocolsRulesInOrder()
    {
        // UNBLINDED is listed with the rules for its severity, but the unblinding raises it, not the engine.
        Assert.That(SafetyEngine.KnownRules, Is.EqualTo(DefaultProtocol.SafetyRules.Select(r => r.Code).Where(c => c != EmergencyUnblinding.AlertRule)));
        Assert.That(DefaultProtocol.FindRule(EmergencyUnblinding.AlertRule), Is.Not.Null);
    }

    [Test]
    public void Evaluate_OrdinaryCourse_RaisesNothing()
    {
        var alerts = Evaluate(OrdinaryCourse());

        Assert.That(alerts.Select(Describe), Is.Empty);
    }

    [Test]
    public void Evaluate_EventfulCourse_EveryRuleFires()
    {
        var fired = Evaluate(EventfulCourse()).Select(a => a.Rule).Distinct();

        Assert.That(fired, Is.EquivalentTo(SafetyEngine.KnownRules));
    }

    [Test]
    public void Evaluate_EventfulCourse_AtMostOneAlertPerRuleAndSource()
    {
        var alerts = Evaluate(EventfulCourse());

        Assert.That(alerts.Select(a => (a.Rule, a.SourceKey)), Is.Unique);
    }

    [Test]
    public void Evaluate_SameInputTwice_SameAlertsInTheSameOrder()
    {
        var data = EventfulCourse();

        var first = Evaluate(data).Select(Describe).ToList();
        var second = Evaluate(data).Select(Describe).ToList();

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Evaluate_InputListsInReverseOrder_SameAlertsInTheSameOrder()
    {
        var data = EventfulCourse();
        var reversed = data with
        {
            Assessments = [.. data.Assessments.Reverse()],
            Vitals = [.. data.Vitals.Reverse()],
            AdverseEvents = [.. data.AdverseEvents.Reverse()],
            MissedVisits = [.. data.MissedVisits.Reverse()],
            ConcomitantMedications = [.. data.ConcomitantMedications.Reverse()],
            Infusions = [.. data.Infusions.Reverse()],
        };

        Assert.That(Evaluate(reversed).Select(Describe), Is.EqualTo(Evaluate(data).Select(Describe)));
    }

    [Test]
    public void Evaluate_EventfulCourse_AlertsOrderedByRuleAsInKnownRules()
    {
        var ranks = Evaluate(EventfulCourse()).Select(a => SafetyEngine.KnownRules.ToList().IndexOf(a.Rule));

        Assert.That(ranks, Is.Ordered);
    }

    private static IEnumerable<string> Rules() => SafetyData.DefaultProtocol.SafetyRules.Select(r => r.Code);

    [TestCaseSource(nameof(Rules))]
    public void Evaluate_RuleDisabled_ThatRuleNeverFiresOthersStill(string rule)
    {
        var protocol = WithRule(rule, r => r with { Enabled = false });
        var data = EventfulCourse();

        var fired = Evaluate(data, protocol: protocol).Select(a => a.Rule).Distinct();

        Assert.That(fired, Is.EquivalentTo(SafetyEngine.KnownRules.Where(r => r != rule)));
    }

    [Test]
    public void Evaluate_RuleSeverityChangedInProtocol_AlertCarriesConfiguredSeverity()
    {
        var protocol = WithRule(SafetyEngine.Madrs10High, r => r with { Severity = "critical" });

        var alert = Alerts(SafetyEngine.Madrs10High, Data(Madrs("FU-D7", 4, 20)), protocol: protocol).Single();

        Assert.That(alert.Severity, Is.EqualTo("critical"));
    }

    [TestCase(4, false)]
    [TestCase(5, true)]
    public void Evaluate_ThresholdRaisedInProtocol_RuleUsesTheProtocolValue(int item10, bool fires)
    {
        var protocol = WithRule(SafetyEngine.Madrs10High, r => WithParameter(r, "minItem10", 5));

        var alerts = Alerts(SafetyEngine.Madrs10High, Data(Madrs("FU-D7", item10, 20)), protocol: protocol);

        Assert.That(alerts, Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Evaluate_PersistTimepointsChangedInProtocol_RuleUsesTheProtocolList()
    {
        var protocol = WithRule(SafetyEngine.CadssPersist, r => r with { Timepoints = ["t40"] });
        var data = Data(Cadss("INF1", "t40", 5), Cadss("INF1", "t120", 5));

        var alert = Alerts(SafetyEngine.CadssPersist, data, protocol: protocol).Single();

        Assert.That(alert.Message, Does.StartWith("CADSS total 5 at INF1 t40"));
    }

    /// <summary>
    /// A participant doing what most do: transient dissociation at t40 that is gone by t120, a modest BPRS+ change of +2,
    /// blood pressure up a little during the infusion, MADRS improving, a headache.
    /// </summary>
    private static ParticipantSafetyData OrdinaryCourse()
    {
        var assessments = new List<AssessmentFact>
        {
            Madrs("BL", 2, 32), Bsl("BL", 35), BprsPositive("BL", null, 2, 1, 1, 1), Cadss("BL", null, 2),
            Madrs("POST24", 1, 22),
            Madrs("FU-D7", 0, 14), Bsl("FU-D7", 25),
            Madrs("FU-D14", 1, 13), Bsl("FU-D14", 22),
            Madrs("FU-D28", 1, 12), Bsl("FU-D28", 20),
        };
        var vitals = new List<VitalsFact>();
        var madrs = new Dictionary<string, (int SuicidalThoughts, int Total)> { ["INF1"] = (2, 31), ["INF2"] = (1, 20), ["INF3"] = (1, 18), ["INF4"] = (0, 16) };
        foreach (var (visit, (item10, total)) in madrs)
        {
            assessments.Add(Madrs(visit, item10, total));
            assessments.Add(Cadss(visit, "pre", 1));
            assessments.Add(Cadss(visit, "t40", 20));
            assessments.Add(Cadss(visit, "t120", visit == "INF3" ? 4 : 3));
            assessments.Add(BprsPositive(visit, "pre", 2, 1, 1, 1));
            assessments.Add(BprsPositive(visit, "t40", 2, 2, 2, 1));
            assessments.Add(BprsPositive(visit, "t120", 2, 1, 2, 1));
            vitals.Add(Vitals(visit, "pre", 130, 82, 78, 97));
            vitals.Add(Vitals(visit, "t40", 152, 92, 96, 95));
            vitals.Add(Vitals(visit, "t120", 138, 85, 84, 97));
            vitals.Add(Vitals(visit, "t240", 128, 80, 76, 98));
        }

        assessments.Add(Bsl("INF1", 34));
        assessments.Add(Bsl("INF3", 28));
        return Data(assessments, vitals, [AdverseEvent("Headache")]) with
        {
            // An antidepressant taken since before the infusions (not new), and a benzodiazepine stopped a week before INF1.
            ConcomitantMedications = [Conmed("Sertraline", "N06AB06", Day("SCR")), Conmed("Lorazepam", "N05BA06", Day("SCR"), Day("BL"))],
            Infusions = [Infusion("INF1"), Infusion("INF2"), Infusion("INF3"), Infusion("INF4")],
        };
    }

    /// <summary>A course in which every rule has something to fire on.</summary>
    private static ParticipantSafetyData EventfulCourse()
    {
        var aware = new DateOnly(2026, 3, 5);
        return Data(
            assessments:
            [
                Madrs("BL", 1, 20), Madrs("INF1", 1, 20), Madrs("POST24", 2, 22), Madrs("INF2", 3, 25), Madrs("FU-D28", 5, 30),
                Bsl("BL", 10), Bsl("FU-D28", 50, (5, 3)),
                Cadss("INF1", "t40", 30), Cadss("INF1", "t120", 8),
                BprsPositive("INF1", "pre", 1, 1, 1, 1), BprsPositive("INF1", "t40", 2, 2, 5, 1),
                // Incomplete, each hiding a different rule: the CADSS could reach the severe threshold, the MADRS item 10 rules.
                Assessment("CADSS", "INF2", "t40", [.. Enumerable.Repeat<decimal?>(1, 22), null]),
                Assessment("MADRS", "FU-M6", null, [1, 1, 1, 1, 1, 1, 1, 1, 1, null]),
            ],
            vitals:
            [
                Vitals("INF1", "pre", systolic: 145, diastolic: 92), Vitals("INF1", "t40", systolic: 185), Vitals("INF1", "t120", heartRate: 130),
                Vitals("INF2", "t40", spo2: 90),
            ],
            adverseEvents:
            [
                SeriousAdverseEvent(aware, null),
                AdverseEvent("Dissociative episode") with { SpecialInterest = "severe-dissociation" },
            ],
            missedVisits: [new MissedVisitFact("FU-M3", new DateOnly(2026, 7, 1))])
            // Randomised on a baseline MADRS of 36 that now reads 20.
            with
        {
            Allocation = new AllocationFact("WAW", "WAW/MADRS>=35", 36),
            // Lorazepam the day before INF2.
            ConcomitantMedications = [Conmed("Lorazepam", "N05BA06", Day("INF2").AddDays(-1), Day("INF2").AddDays(-1))],
            Infusions = [Infusion("INF1"), Infusion("INF2")],
        };
    }
}
