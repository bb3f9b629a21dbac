using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using static Trial.Tests.Core.Safety.SafetyData;

namespace Trial.Tests.Core.Safety;

/// <summary>
/// CONMED_PROHIBITED: a benzodiazepine whose dates touch the 24 hours before an infusion (by the site's calendar: the
/// infusion day or the day before), a new antidepressant or ECT started from the first infusion's date to the last one's.
/// </summary>
[TestFixture]
public class ConmedProhibitedRuleTests
{
    private static readonly InfusionFact Inf1 = Infusion("INF1"), Inf2 = Infusion("INF2"), Inf3 = Infusion("INF3"), Inf4 = Infusion("INF4");

    private static ParticipantSafetyData With(IEnumerable<ConcomitantMedicationFact> medications, IEnumerable<InfusionFact>? infusions = null, TimeZoneInfo? zone = null) =>
        Data(siteTimeZone: zone) with { ConcomitantMedications = [.. medications], Infusions = [.. infusions ?? [Inf1, Inf2, Inf3, Inf4]] };

    private static List<AlertCandidate> Conmed(ParticipantSafetyData data, ProtocolDefinition? protocol = null) =>
        Alerts(SafetyEngine.ConmedProhibited, data, protocol: protocol);

    [Test]
    public void Benzodiazepine_TakenTheDayBeforeAnInfusion_LowAlertNamingTheMedicationAndTheInfusion()
    {
        var lorazepam = SafetyData.Conmed("Lorazepam", "N05BA06", Day("INF2").AddDays(-1), Day("INF2").AddDays(-1));

        var alert = Conmed(With([lorazepam])).Single();

        Assert.Multiple(() =>
        {
            Assert.That(alert.Severity, Is.EqualTo("low"));
            Assert.That(alert.SourceType, Is.EqualTo(SourceTypes.ConcomitantMedication));
            Assert.That(alert.SourceKey, Is.EqualTo(lorazepam.Id.ToString("N")));
            Assert.That(alert.VisitCode, Is.EqualTo("INF2"));
            Assert.That(alert.Message, Is.EqualTo("Lorazepam (N05BA06), 2026-03-04 to 2026-03-04: benzodiazepine within 24 h before INF2 (started 2026-03-05 09:00 UTC)"));
            Assert.That(alert.Values["infusions"], Is.EqualTo("INF2"));
            Assert.That(alert.Values["classes"], Is.EqualTo("benzodiazepine"));
        });
    }

    [TestCase(-2, -2, false, TestName = "Benzodiazepine_StoppedTwoDaysBefore_NoAlert")]
    [TestCase(-1, -1, true, TestName = "Benzodiazepine_OnlyTheDayBefore_Alert")]
    [TestCase(-5, -1, true, TestName = "Benzodiazepine_EndingTheDayBefore_Alert")]
    [TestCase(0, 0, true, TestName = "Benzodiazepine_OnTheInfusionDay_AlertSinceDatesCannotTellBeforeFromAfter")]
    [TestCase(1, 1, false, TestName = "Benzodiazepine_TheDayAfter_NoAlert")]
    public void Benzodiazepine_AroundTheWindowEdges(int fromDays, int toDays, bool fires)
    {
        // One infusion only, so the other infusions' windows do not interfere.
        var medication = SafetyData.Conmed("Lorazepam", "N05BA06", Day("INF2").AddDays(fromDays), Day("INF2").AddDays(toDays));

        Assert.That(Conmed(With([medication], [Inf2])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Benzodiazepine_Ongoing_OneAlertNamingEveryInfusionAfterItsStart()
    {
        var clonazepam = SafetyData.Conmed("Clonazepam", "N03AE01", Day("INF2"));

        var alert = Conmed(With([clonazepam])).Single();

        Assert.That(alert.Values["infusions"], Is.EqualTo("INF2,INF3,INF4"));
        Assert.That(alert.VisitCode, Is.EqualTo("INF2"));
        Assert.That(alert.Message, Does.Contain("from 2026-03-05, ongoing"));
    }

    [TestCase("Temazepam", "N05CD07", true)]
    [TestCase("Diazepam", "N05BA01", true)]
    [TestCase("Clonazepam", "N03AE01", true)]
    [TestCase("Zolpidem", "N05CF02", false)]
    [TestCase("Quetiapine", "N05AH04", false)]
    [TestCase("Benzodiazepine, class only", "N05B", false)] // shorter than the protocol's prefixes: not classified
    [TestCase("Lorazepam", null, false)] // without an ATC code only the listed names classify
    public void Benzodiazepine_ClassifiedByTheProtocolsAtcPrefixes(string name, string? atc, bool fires)
    {
        var medication = SafetyData.Conmed(name, atc, Day("INF1"), Day("INF1"));

        Assert.That(Conmed(With([medication])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Benzodiazepine_PrefixAddedInTheProtocol_Classified()
    {
        var protocol = WithRule(SafetyEngine.ConmedProhibited, r => r with
        {
            MedicationClasses = [.. r.MedicationClasses.Select(c => c.Name == "benzodiazepine" ? c with { AtcPrefixes = [.. c.AtcPrefixes, "N05CF"] } : c)],
        });
        var zolpidem = SafetyData.Conmed("Zolpidem", "N05CF02", Day("INF1"), Day("INF1"));

        Assert.That(Conmed(With([zolpidem]), protocol), Has.Count.EqualTo(1));
    }

    [TestCase(24, false)]
    [TestCase(48, true)]
    public void Benzodiazepine_TwoDaysBefore_CountsOnlyWithAWindowReachingThatDate(int hours, bool fires)
    {
        var protocol = WithRule(SafetyEngine.ConmedProhibited, r => WithParameter(r, "hoursBeforeInfusion", hours));
        var medication = SafetyData.Conmed("Lorazepam", "N05BA06", Day("INF2").AddDays(-2), Day("INF2").AddDays(-2));

        Assert.That(Conmed(With([medication], [Inf2]), protocol), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Benzodiazepine_DatesAreTheSitesCalendar()
    {
        // 23:30 UTC on 1 March is 00:30 on 2 March in Warsaw: the infusion day is the 2nd, the day before the 1st.
        var warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
        var infusion = Infusion("INF1", new DateTime(2026, 3, 1, 23, 30, 0, DateTimeKind.Utc));
        var onThe1st = SafetyData.Conmed("Lorazepam", "N05BA06", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1));
        var onThe28th = SafetyData.Conmed("Lorazepam", "N05BA06", new DateOnly(2026, 2, 28), new DateOnly(2026, 2, 28));

        Assert.That(Conmed(With([onThe1st, onThe28th], [infusion], warsaw)).Select(a => a.SourceKey), Is.EqualTo(new[] { onThe1st.Id.ToString("N") }));
        Assert.That(Conmed(With([onThe1st, onThe28th], [infusion])).Select(a => a.SourceKey), Is.EquivalentTo(new[] { onThe1st.Id.ToString("N"), onThe28th.Id.ToString("N") }),
            "in UTC the infusion is on the 1st, so the 28th of February is the day before");
    }

    [TestCase(-1, false, TestName = "Antidepressant_StartedTheDayBeforeTheFirstInfusion_NotNew")]
    [TestCase(0, true, TestName = "Antidepressant_StartedOnTheFirstInfusionDay_Alert")]
    [TestCase(5, true, TestName = "Antidepressant_StartedBetweenInfusions_Alert")]
    [TestCase(10, true, TestName = "Antidepressant_StartedOnTheLastInfusionDay_Alert")]
    [TestCase(11, false, TestName = "Antidepressant_StartedAfterTheLastInfusion_NoAlert")]
    public void Antidepressant_NewDuringTheInfusionPhase(int daysAfterInf1, bool fires)
    {
        var sertraline = SafetyData.Conmed("Sertraline", "N06AB06", Day("INF1").AddDays(daysAfterInf1));

        Assert.That(Conmed(With([sertraline])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void Antidepressant_StartedBetweenInfusions_NamesTheNextInfusionAndThePhase()
    {
        var sertraline = SafetyData.Conmed("Sertraline", "N06AB06", Day("INF2").AddDays(1));

        var alert = Conmed(With([sertraline])).Single();

        Assert.That(alert.VisitCode, Is.EqualTo("INF3"));
        Assert.That(alert.Message, Is.EqualTo("Sertraline (N06AB06), from 2026-03-06, ongoing: new antidepressant started during the infusion phase "
                                               + "(INF1 on 2026-03-02 to INF4 on 2026-03-12), before or on the day of INF3 (started 2026-03-09 09:00 UTC)"));
    }

    [Test]
    public void Antidepressant_StartedAfterTheLatestInfusionSoFar_AlertsOnceTheNextIsGiven()
    {
        var sertraline = SafetyData.Conmed("Sertraline", "N06AB06", Day("INF2").AddDays(1));

        Assert.That(Conmed(With([sertraline], [Inf1, Inf2])), Is.Empty);
        Assert.That(Conmed(With([sertraline], [Inf1, Inf2, Inf3])).Single().VisitCode, Is.EqualTo("INF3"));
    }

    [TestCase("ECT", true)]
    [TestCase("Bilateral ECT, 3 sessions", true)]
    [TestCase("Electroconvulsive therapy", true)]
    [TestCase("electroconvulsive  THERAPY (right unilateral)", true)]
    [TestCase("Perfect sleep hygiene", false)]
    [TestCase("Electroconvulsive", false)]
    public void Ect_ByWholeWordsOfTheName_NewDuringTheInfusionPhase(string name, bool fires)
    {
        var ect = SafetyData.Conmed(name, null, Day("INF2"), Day("INF3"));

        Assert.That(Conmed(With([ect])), Has.Count.EqualTo(fires ? 1 : 0));
    }

    [Test]
    public void NoInfusionGiven_NothingFires()
    {
        var medications = new[] { SafetyData.Conmed("Lorazepam", "N05BA06", Day("BL")), SafetyData.Conmed("Sertraline", "N06AB06", Day("BL")) };

        Assert.That(Conmed(With(medications, [])), Is.Empty);
    }

    [Test]
    public void RuleDisabled_NothingFires()
    {
        var protocol = WithRule(SafetyEngine.ConmedProhibited, r => r with { Enabled = false });

        Assert.That(Conmed(With([SafetyData.Conmed("Lorazepam", "N05BA06", Day("INF1"))]), protocol), Is.Empty);
    }

    [Test]
    public void Declaration_MedicationsAndInfusions_AndTheNewRecordsEvaluationLeavesTheRuleAlone()
    {
        Assert.That(SafetyEngine.Declarations[SafetyEngine.ConmedProhibited], Is.InstanceOf<RuleReads.MedicationsAndInfusions>());

        // Even when a caller passes medications and infusions with the stored data, new assessments never yield their alerts.
        var stored = With([SafetyData.Conmed("Lorazepam", "N05BA06", Day("INF1"))]);
        var outcome = SafetyEngine.EvaluateNew(DefaultProtocol, stored, new NewSafetyRecords([Madrs("FU-D7", 1, 10)], [], []), Later);

        Assert.That(outcome.NeedsFullEvaluation, Is.False);
        Assert.That(outcome.Alerts.Where(a => a.Rule == SafetyEngine.ConmedProhibited), Is.Empty);
    }

    [Test]
    public void RestrictedClasses_NamesTheProtocolsClassesOfAMedication()
    {
        Assert.That(SafetyEngine.RestrictedClasses(DefaultProtocol, SafetyData.Conmed("Lorazepam", "N05BA06", Day("BL"))), Is.EqualTo(new[] { "benzodiazepine" }));
        Assert.That(SafetyEngine.RestrictedClasses(DefaultProtocol, SafetyData.Conmed("ECT", null, Day("BL"))), Is.EqualTo(new[] { "ECT" }));
        Assert.That(SafetyEngine.RestrictedClasses(DefaultProtocol, SafetyData.Conmed("Paracetamol", "N02BE01", Day("BL"))), Is.Empty);
    }

    [Test]
    public void BothShippedProtocols_ConfigureTheRuleAsProvisional()
    {
        foreach (var protocol in new[] { ProtocolLoader.LoadDefault(), ProtocolLoader.LoadBuiltIn(ProtocolLoader.OpenLabelName) })
        {
            var rule = protocol.FindRule(SafetyEngine.ConmedProhibited)!;
            Assert.That(rule.Enabled, Is.True);
            Assert.That(rule.Severity, Is.EqualTo("low"));
            Assert.That(rule.Parameter("hoursBeforeInfusion"), Is.EqualTo(24));
            Assert.That(rule.MedicationClasses.Single(c => c.Name == "benzodiazepine").AtcPrefixes, Is.EqualTo(new[] { "N05BA", "N05CD", "N03AE" }));
            Assert.That(rule.MedicationClasses.Single(c => c.Name == "antidepressant").AtcPrefixes, Is.EqualTo(new[] { "N06A" }));
        }
    }

    [Test]
    public void Validate_NoMedicationClasses_Problem()
    {
        var protocol = WithRule(SafetyEngine.ConmedProhibited, r => r with { MedicationClasses = [] });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule CONMED_PROHIBITED lists no medication classes" }));
    }

    [Test]
    public void Validate_BadClassSettings_ProblemEach()
    {
        var protocol = WithRule(SafetyEngine.ConmedProhibited, r => r with
        {
            MedicationClasses =
            [
                new MedicationClassSettings { Name = "benzodiazepine", AtcPrefixes = ["n05ba", "N5BA"], Restriction = "before-infusion" },
                new MedicationClassSettings { Name = "antidepressant", Restriction = "during" },
            ],
        });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[]
        {
            "safety rule CONMED_PROHIBITED medication class benzodiazepine has ATC prefix 'n05ba', which is not an ATC code of any level in capitals (e.g. N05BA)",
            "safety rule CONMED_PROHIBITED medication class benzodiazepine has ATC prefix 'N5BA', which is not an ATC code of any level in capitals (e.g. N05BA)",
            "safety rule CONMED_PROHIBITED medication class antidepressant has restriction 'during' (expected one of before-infusion, new-during-infusion-phase)",
            "safety rule CONMED_PROHIBITED medication class antidepressant lists neither ATC prefixes nor names",
        }));
    }

    [TestCase(0)]
    [TestCase(169)]
    public void Validate_HoursOutOfRange_Problem(int hours)
    {
        var protocol = WithRule(SafetyEngine.ConmedProhibited, r => WithParameter(r, "hoursBeforeInfusion", hours));

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { $"safety rule CONMED_PROHIBITED parameter 'hoursBeforeInfusion' must be between 1 and 168; got {hours}" }));
    }

    [Test]
    public void Validate_MedicationClassesOnAnotherRule_Problem()
    {
        var classes = DefaultProtocol.FindRule(SafetyEngine.ConmedProhibited)!.MedicationClasses;
        var protocol = WithRule(SafetyEngine.VitalsBp, r => r with { MedicationClasses = classes });

        Assert.That(ProtocolLoader.Validate(protocol), Is.EqualTo(new[] { "safety rule VITALS_BP lists medication classes, which it does not use" }));
    }
}
