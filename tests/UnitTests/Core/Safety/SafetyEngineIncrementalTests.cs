using NUnit.Framework;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>New records evaluated alone: the same alerts the whole participant's evaluation gives them, or a fall-back to it.</summary>
[TestFixture]
public class SafetyEngineIncrementalTests
{
    /// <summary>The whole evaluation's alerts of these records, described field by field.</summary>
    private static List<string> WholeAlertsOf(IEnumerable<AssessmentFact> all, params Guid[] ids)
    {
        var keys = ids.Select(id => id.ToString("N")).ToHashSet();
        return Evaluate(Data(all.ToArray())).Where(a => keys.Contains(a.SourceKey)).Select(Describe).ToList();
    }

    private static IncrementalEvaluation New(IReadOnlyList<AssessmentFact> stored, params AssessmentFact[] added) =>
        IncrementalReading.EvaluateNew(DefaultProtocol, stored, added, Later);

    private static AssessmentFact Administered(AssessmentFact a, DateTime administeredUtc) => a with { AdministeredUtc = administeredUtc };

    [Test]
    public void EvaluateNew_MadrsAfterStoredOnes_ItsTrendAlertsAsTheWholeEvaluationGivesThem()
    {
        AssessmentFact[] stored = [Madrs("BL", 1, 20), Madrs("INF1", 2, 22), Madrs("POST24", 3, 22), MadrsWithoutItem10("FU-D14")];
        var added = Madrs("FU-D28", 5, 30);

        var outcome = New(stored, added);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Alerts.Select(a => a.Rule), Is.EqualTo(new[]
        {
            SafetyEngine.Madrs10High, SafetyEngine.Madrs10Rise, SafetyEngine.MadrsWorse, SafetyEngine.SuicidalityEscalating,
        }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(WholeAlertsOf([.. stored, added], added.Id)));
        Assert.That(outcome.Alerts.Single(a => a.Rule == SafetyEngine.Madrs10Rise).Message, Does.Contain("item 10 was not answered at FU-D14"));
    }

    [Test]
    public void EvaluateNew_StoredAssessmentsFire_OnlyTheNewRecordsAlertsAreGiven()
    {
        AssessmentFact[] stored = [Madrs("BL", 5, 30), Bsl("BL", 10, (5, 4))];
        var added = Bsl("FU-D7", 10);

        var outcome = New(stored, added);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(Evaluate(Data([.. stored, added])), Is.Not.Empty, "the stored records do fire");
        Assert.That(outcome.Alerts, Is.Empty);
    }

    [Test]
    public void EvaluateNew_DailySelfReportAgainstBlBaseline_BslBandUpAsTheWholeEvaluationGivesIt()
    {
        var baseline = Bsl("BL", 23);
        var selfReport = Assessment(InstrumentCatalog.Bsl23, "SR-0001", null, ItemBuilder.Filled(23, 3), At("FU-M3", null));

        var outcome = New([baseline, Bsl("FU-D7", 30)], selfReport);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Alerts.Select(a => a.Rule), Is.EqualTo(new[] { SafetyEngine.BslSelfHarm, SafetyEngine.BslBandUp }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(WholeAlertsOf([baseline, Bsl("FU-D7", 30), selfReport], selfReport.Id)));
    }

    [Test]
    public void EvaluateNew_T40BprsAfterTheStoredPre_BprsPosRiseAgainstThatPre()
    {
        var pre = BprsPositive("INF2", "pre", 1, 1, 1, 1);
        var t40 = BprsPositive("INF2", "t40", 2, 2, 2, 2);

        var outcome = New([BprsPositive("INF1", "pre", 1, 1, 1, 1), pre], t40);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Alerts.Select(a => a.Rule), Is.EqualTo(new[] { SafetyEngine.BprsPosRise }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(WholeAlertsOf([pre, t40], t40.Id)));
    }

    [Test]
    public void EvaluateNew_MadrsEnteredLate_TheNextMadrsAreEvaluatedAgainAgainstIt()
    {
        // FU-D7 entered after FU-D14: FU-D14 was a rise of 3 from BL (MADRS10_RISE); against FU-D7 it is a rise of 1, and
        // BL -> FU-D7 -> FU-D14 is now two consecutive rises after treatment began (SUICIDALITY_ESCALATING on FU-D14).
        AssessmentFact[] stored = [Madrs("BL", 1, 20), Madrs("FU-D14", 4, 20)];
        var late = Madrs("FU-D7", 3, 20);
        Assert.That(Evaluate(Data(stored)).Select(a => (a.Rule, a.SourceKey)), Does.Contain((SafetyEngine.Madrs10Rise, Key(stored[1]))), "before");

        var outcome = New(stored, late);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Reevaluated, Is.EqualTo(new[] { stored[1].Id }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EquivalentTo(WholeAlertsOf([.. stored, late], late.Id, stored[1].Id)));
        Assert.That(outcome.Alerts.Where(a => a.SourceKey == Key(stored[1])).Select(a => a.Rule),
            Is.EquivalentTo(new[] { SafetyEngine.Madrs10High, SafetyEngine.SuicidalityEscalating }));
    }

    [Test]
    public void EvaluateNew_MadrsEnteredLate_OnlyTheMadrsWhoseComparisonsReachItAreEvaluatedAgain()
    {
        // Two consecutive rises escalate, so each MADRS is compared with the two before it that answered item 10: after
        // FU-D7, FU-D14 and FU-D28 (FU-M3 left item 10 out: FU-D28's comparison skips it and names it) reach back to it,
        // FU-M6 no longer does.
        AssessmentFact[] stored =
        [
            Madrs("BL", 1, 20), Madrs("POST24", 1, 20), Madrs("FU-D14", 1, 20), MadrsWithoutItem10("FU-M3"), Madrs("FU-D28", 2, 20), Madrs("FU-M6", 1, 20),
        ];
        stored[3] = Administered(stored[3], At("FU-D14", null).AddDays(1));
        var late = Madrs("FU-D7", 0, 20);

        var outcome = New(stored, late);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Reevaluated, Is.EquivalentTo(new[] { stored[2].Id, stored[3].Id, stored[4].Id }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EquivalentTo(WholeAlertsOf([.. stored, late], late.Id, stored[2].Id, stored[3].Id, stored[4].Id)));
    }

    [Test]
    public void EvaluateNew_PreBprsEnteredAfterItsVisitsT40_T40IsEvaluatedAgainAgainstIt()
    {
        // t40 was stored without its pre, so nothing to compare with; the pre entered late makes it a rise of 4 (BPRS_POS_RISE).
        var t40 = BprsPositive("INF2", "t40", 2, 2, 2, 2);
        var pre = BprsPositive("INF2", "pre", 1, 1, 1, 1);

        var outcome = New([BprsPositive("INF1", "t40", 3, 3, 3, 3), t40], pre);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Reevaluated, Is.EqualTo(new[] { t40.Id }));
        Assert.That(outcome.Alerts.Select(a => (a.Rule, a.SourceKey)), Is.EqualTo(new[] { (SafetyEngine.BprsPosRise, Key(t40)) }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(WholeAlertsOf([t40, pre], pre.Id, t40.Id)));
    }

    [Test]
    public void EvaluateNew_BlMadrsAdministeredAfterTheOthers_EveryMadrsIsEvaluatedAgainAgainstIt()
    {
        // Without a BL MADRS, POST24 is compared with INF1 pre; a BL MADRS (dated after POST24 by mistake) becomes the
        // baseline of every MADRS: POST24 (total 30) is now worse than 1.2 x 20.
        AssessmentFact[] stored = [Madrs("INF1", 1, 30), Madrs("POST24", 1, 30)];
        var lateBaseline = Administered(Madrs("BL", 1, 20), At("POST24", null).AddHours(1));
        Assert.That(WholeAlertsOf(stored, stored[1].Id), Is.Empty, "before");

        var outcome = New(stored, lateBaseline);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Reevaluated, Is.EquivalentTo(stored.Select(a => a.Id)));
        Assert.That(outcome.Alerts.Select(Describe), Is.EquivalentTo(WholeAlertsOf([.. stored, lateBaseline], lateBaseline.Id, stored[0].Id, stored[1].Id)));
        Assert.That(outcome.Alerts.Select(a => (a.Rule, a.SourceKey)), Does.Contain((SafetyEngine.MadrsWorse, Key(stored[1]))));
    }

    [Test]
    public void EvaluateNew_FirstInfusionPreBslWithoutABlOne_TheLaterBslAreEvaluatedAgainAgainstIt()
    {
        // FU-D7 had no baseline to be compared with; the INF1 pre BSL-23 (entered late) is that baseline now, bands below it.
        AssessmentFact[] stored = [Bsl("FU-D7", 69)];
        var baseline = Administered(Bsl("INF1", 0), At("INF1", "pre"));
        Assert.That(WholeAlertsOf([.. stored, baseline], stored[0].Id), Has.Some.StartsWith(SafetyEngine.BslBandUp), "the whole evaluation's finding");

        var outcome = New(stored, baseline);

        Assert.That(IncrementalReading.StoredFor(DefaultProtocol, stored, [baseline]), Is.EqualTo(stored), "every stored BSL-23 is read");
        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Reevaluated, Is.EqualTo(new[] { stored[0].Id }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EquivalentTo(WholeAlertsOf([.. stored, baseline], baseline.Id, stored[0].Id)));
    }

    [Test]
    public void EvaluateNew_PreBprsWhenTheVisitsT40IsStored_NeedsFullEvaluation()
    {
        // Administered after t40 by its recorded time, so not "late"; but t40's rise is measured against it.
        var t40 = BprsPositive("INF2", "t40", 3, 3, 3, 3);
        var pre = Administered(BprsPositive("INF2", "pre", 1, 1, 1, 1), t40.AdministeredUtc.AddMinutes(5));

        var outcome = New([t40], pre);

        Assert.That(outcome.NeedsFullEvaluation, Is.True);
        Assert.That(outcome.FullEvaluationReason, Is.EqualTo(
            "BPRS at INF2 pre is the pre-infusion rating that BPRS at INF2 t40, already recorded and administered before it, is compared with"));
    }

    [Test]
    public void EvaluateNew_NewVitalsAndAdverseEvents_TheirOwnAlertsAsTheWholeEvaluationGivesThem()
    {
        var vitals = Vitals("INF2", "t40", systolic: 185, heartRate: 125);
        var serious = SeriousAdverseEvent(new DateOnly(2026, 3, 3), sponsorReportedUtc: null) with { SpecialInterest = "suicidal-behaviour" };
        AssessmentFact[] stored = [Madrs("BL", 5, 30)];

        var outcome = IncrementalReading.EvaluateNew(DefaultProtocol, stored, [], Later, [vitals], [serious]);

        var whole = Evaluate(Data(stored, [vitals], [serious])).Where(a => a.SourceKey != Key(stored[0])).Select(Describe);
        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Alerts.Select(a => a.Rule), Is.EqualTo(new[]
        {
            SafetyEngine.VitalsBp, SafetyEngine.VitalsHr, SafetyEngine.SaeReported, SafetyEngine.SaeClock, SafetyEngine.Aesi,
        }));
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(whole));
    }

    [Test]
    public void EvaluateNew_NewRecordsAlsoAmongTheStoredOnes_RecognisedByIdAndEvaluatedOnce()
    {
        var stored = Madrs("BL", 1, 20);
        var added = Madrs("FU-D7", 4, 30);

        var outcome = SafetyEngine.EvaluateNew(DefaultProtocol, Data(stored, added, added), new NewSafetyRecords([added, added], [], []), Later);

        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(WholeAlertsOf([stored, added], added.Id)));
    }

    [Test]
    public void EvaluateNew_LocalTime_Throws()
    {
        var local = new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Local);

        Assert.That(() => SafetyEngine.EvaluateNew(DefaultProtocol, Data(), new NewSafetyRecords([], [], []), local), Throws.ArgumentException);
    }

    [Test]
    public void IncrementalReadsFor_DefaultProtocol_WhatEachInstrumentsRulesCompareWith()
    {
        var reads = SafetyEngine.IncrementalReadsFor(DefaultProtocol);

        Assert.That(reads.ComparisonVisits, Is.EqualTo(new[] { "BL", "INF1" }));
        // MADRS: its baseline (MADRS_WORSE) and the two latest that answered item 10 (MADRS10_RISE, SUICIDALITY_ESCALATING).
        Assert.That(reads.For(InstrumentCatalog.Madrs), Is.EqualTo(new InstrumentReads(true, false, new ItemLookBack(10, 2))));
        Assert.That(reads.For(InstrumentCatalog.Bsl23), Is.EqualTo(new InstrumentReads(true, false, null)), "BSL_BAND_UP");
        Assert.That(reads.For(InstrumentCatalog.Bprs), Is.EqualTo(new InstrumentReads(false, true, null)), "BPRS_POS_RISE");
        Assert.That(reads.For(InstrumentCatalog.Cadss), Is.EqualTo(new InstrumentReads(false, true, null)), "CADSS_PERSIST");
        Assert.That(reads.Instruments.Keys, Is.EquivalentTo(new[] { InstrumentCatalog.Madrs, InstrumentCatalog.Bsl23, InstrumentCatalog.Bprs, InstrumentCatalog.Cadss }));
        Assert.That(reads.VitalsAtSameVisit, Is.True, "VITALS_BP_RISE");
        Assert.That(reads.StratificationVisit, Is.EqualTo("BL"), "STRATUM_CHANGED");
    }

    [Test]
    public void IncrementalReadsFor_ComparingRulesSwitchedOff_NothingIsReadForTheirInstruments()
    {
        var protocol = DefaultProtocol with
        {
            SafetyRules = [.. DefaultProtocol.SafetyRules.Select(r => r.Code is SafetyEngine.BslBandUp or SafetyEngine.BprsPosRise or SafetyEngine.MadrsWorse
                or SafetyEngine.CadssPersist or SafetyEngine.VitalsBpRise or SafetyEngine.StratumChanged ? r with { Enabled = false } : r)],
        };

        var reads = SafetyEngine.IncrementalReadsFor(protocol);

        Assert.That(reads.Instruments.Keys, Is.EqualTo(new[] { InstrumentCatalog.Madrs }));
        Assert.That(reads.For(InstrumentCatalog.Madrs), Is.EqualTo(new InstrumentReads(false, false, new ItemLookBack(10, 2))));
        Assert.That(reads.VitalsAtSameVisit, Is.False);
        Assert.That(reads.StratificationVisit, Is.Null);
    }

    [Test]
    public void EvaluateNew_CadssAtBaseline_EvaluatedAloneWithNothingStoredRead()
    {
        // A CADSS is compared only with its own visit's pre-infusion CADSS, so one at the baseline visit reads nothing of INF1.
        var stored = Cadss("INF1", "t40", 30);
        var added = Cadss("BL", null, 30);

        var outcome = IncrementalReading.EvaluateNew(DefaultProtocol, [stored], [added], Later);

        Assert.That(IncrementalReading.StoredFor(DefaultProtocol, [stored], [added]), Is.Empty);
        Assert.That(outcome.NeedsFullEvaluation, Is.False, outcome.FullEvaluationReason);
        Assert.That(outcome.Alerts.Select(Describe), Is.EqualTo(WholeAlertsOf([stored, added], added.Id)));
    }

    [TestCase(true, true, 3, 3)]
    [TestCase(true, false, 3, 1)]
    [TestCase(false, true, 3, 3)]
    [TestCase(false, false, 3, 0)]
    [TestCase(true, true, 1, 1)]
    public void IncrementalReadsFor_TrendRuleSettings_LookBackAsFarAsTheRulesCompare(bool rise, bool escalating, int consecutiveRises, int expected)
    {
        ProtocolDefinition protocol = WithRule(SafetyEngine.SuicidalityEscalating, r => WithParameter(r, "consecutiveRises", consecutiveRises) with { Enabled = escalating });
        protocol = protocol with { SafetyRules = [.. protocol.SafetyRules.Select(r => r.Code == SafetyEngine.Madrs10Rise ? r with { Enabled = rise } : r)] };

        var reads = SafetyEngine.IncrementalReadsFor(protocol);

        Assert.That(reads.For(InstrumentCatalog.Madrs).LookBack?.Count ?? 0, Is.EqualTo(expected));
    }
}
