using System.Text.Json;
using NUnit.Framework;
using Trial.Core.Efficacy;
using Trial.Core.Protocol;
using Trial.Core.Reports;

namespace Trial.Tests.Core.Reports;

/// <summary>
/// The DMC reports over a small study worked by hand. A (KET, WAW) had INF1 on 2026-03-02 and INF2 on 2026-03-05; B (KET, WAW)
/// had INF1, then stopped infusions and was withdrawn, and was unblinded in an emergency; C (MDZ, KRK) had all four infusions;
/// D (MDZ, KRK) was randomised but never dosed.
/// </summary>
[TestFixture]
public class DmcReportTests
{
    private static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid();
    private static readonly DateOnly Inf1 = new(2026, 3, 2);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerOptions.Web);

    private static readonly DmcParticipant[] Participants =
    [
        new(A, "WAW-0001", "WAW", "KET", new(2026, 2, 27), null, null, null, null),
        new(B, "WAW-0002", "WAW", "KET", new(2026, 3, 1), new(2026, 3, 4), "Ketamine made her feel unreal", new(2026, 3, 6), "Moved to Gdansk"),
        new(C, "KRK-0001", "KRK", "MDZ", new(2026, 3, 1), null, null, null, null),
        new(D, "KRK-0002", "KRK", "MDZ", new(2026, 3, 2), null, null, null, null),
    ];

    private static readonly DmcInfusion[] Infusions =
    [
        Infusion(A, "INF1", Inf1), Infusion(A, "INF2", new(2026, 3, 5)),
        Infusion(B, "INF1", Inf1),
        Infusion(C, "INF1", Inf1), Infusion(C, "INF2", new(2026, 3, 5)), Infusion(C, "INF3", new(2026, 3, 9)), Infusion(C, "INF4", new(2026, 3, 12)),
    ];

    private static DmcInfusion Infusion(Guid participant, string visit, DateOnly date) => new(participant, visit, date, date.ToDateTime(new TimeOnly(8, 10), DateTimeKind.Utc));

    private static DmcData Data(
        DmcEnrolment[]? enrolments = null, DmcAdverseEvent[]? events = null, DmcAlert[]? alerts = null, DmcAssessment[]? assessments = null,
        DmcVitals[]? vitals = null, DmcUnblinding[]? unblindings = null) =>
        new(enrolments ?? [], Participants, Infusions, events ?? [], alerts ?? [], assessments ?? [], vitals ?? [], unblindings ?? []);

    private static DmcAssessment Score(Guid participant, string instrument, string visit, string? timepoint, decimal? score, decimal? item10 = null, bool scheduled = true) =>
        new(Guid.NewGuid(), participant, instrument, visit, timepoint, scheduled, score is not null, score, item10);

    private static DmcAssessment Item10(Guid participant, string visit, string? timepoint, decimal item10, bool scheduled = true) =>
        new(Guid.NewGuid(), participant, "MADRS", visit, timepoint, scheduled, false, null, item10);

    private static DmcAdverseEvent Event(Guid participant, DateOnly onset, string severity = "mild", string[]? criteria = null, string outcome = "recovering",
        string? specialInterest = null, string term = "Headache") =>
        new(Guid.NewGuid(), participant, term, onset, severity, criteria is { Length: > 0 }, criteria ?? [], "possible", true, outcome, specialInterest);

    private static DmcVitals Vitals(Guid participant, string visit, string timepoint, int systolic, int diastolic, int heartRate, int spo2) =>
        new(Guid.NewGuid(), participant, visit, timepoint, systolic, diastolic, heartRate, spo2);

    [Test]
    public void Closed_Participants_DosedCountsParticipantsWithAnInfusionNotInfusions()
    {
        var report = DmcReport.Closed(Protocol, Data(unblindings: [new(Guid.NewGuid(), B, new(2026, 3, 3, 10, 0, 0, DateTimeKind.Utc), "Severe hypotension")]));

        Assert.That(report.Participants, Is.EqualTo(new[]
        {
            new ArmParticipantCounts("KET", "Ketamine", Randomised: 2, Dosed: 2, InfusionsDiscontinued: 1, Withdrawn: 1, EmergencyUnblinded: 1),
            new ArmParticipantCounts("MDZ", "Midazolam (active placebo)", Randomised: 2, Dosed: 1, InfusionsDiscontinued: 0, Withdrawn: 0, EmergencyUnblinded: 0),
        }));
    }

    [Test]
    public void Closed_Exposure_InfusionsPerParticipantWithTheDistributionFromNoneToAll()
    {
        var report = DmcReport.Closed(Protocol, Data());

        // KET: A 2 + B 1 = 3 over 2 randomised and 2 dosed. MDZ: C 4 + D 0 = 4 over 2 randomised, 1 dosed.
        Assert.That(report.Exposure.Select(e => (e.Arm, e.Randomised, e.Dosed, e.Infusions, e.MeanPerRandomised, e.MeanPerDosed)), Is.EqualTo(new[]
        {
            ("KET", 2, 2, 3, (decimal?)1.5m, (decimal?)1.5m),
            ("MDZ", 2, 1, 4, 2m, 4m),
        }));
        Assert.That(report.Exposure[0].Distribution.Select(d => (d.Infusions, d.Participants)), Is.EqualTo(new[] { (0, 0), (1, 1), (2, 1), (3, 0), (4, 0) }));
        Assert.That(report.Exposure[1].Distribution.Select(d => (d.Infusions, d.Participants)), Is.EqualTo(new[] { (0, 1), (1, 0), (2, 0), (3, 0), (4, 1) }));
    }

    [Test]
    public void Open_Exposure_PooledOverTheArms()
    {
        var exposure = DmcReport.Open(Protocol, Data()).Exposure;

        // 7 infusions, 4 randomised, 3 dosed: 1.75 and 7 / 3 = 2.33.
        Assert.That((exposure.Randomised, exposure.Dosed, exposure.Infusions, exposure.MeanPerRandomised, exposure.MeanPerDosed), Is.EqualTo((4, 3, 7, (decimal?)1.75m, (decimal?)2.33m)));
        Assert.That(exposure.Distribution.Select(d => (d.Infusions, d.Participants)), Is.EqualTo(new[] { (0, 1), (1, 1), (2, 1), (3, 0), (4, 1) }));
    }

    [Test]
    public void Closed_EnrolmentAndRandomisation_BySiteAndMonth()
    {
        var report = DmcReport.Closed(Protocol, Data(enrolments:
        [
            new("WAW", new(2026, 2, 16)), new("WAW", new(2026, 2, 16)), new("KRK", new(2026, 2, 20)), new("KRK", new(2026, 3, 1)), new("WAW", new(2026, 3, 3)),
        ]));

        Assert.That(report.Enrolment, Is.EqualTo(new[]
        {
            new EnrolmentCount("KRK", "2026-02", 1), new EnrolmentCount("KRK", "2026-03", 1), new EnrolmentCount("WAW", "2026-02", 2), new EnrolmentCount("WAW", "2026-03", 1),
        }));
        Assert.That(report.Randomisation, Is.EqualTo(new[]
        {
            new ArmRandomisationCount("KRK", "2026-03", "MDZ", 2), new ArmRandomisationCount("WAW", "2026-02", "KET", 1), new ArmRandomisationCount("WAW", "2026-03", "KET", 1),
        }));
        Assert.That(DmcReport.Open(Protocol, Data()).Randomisation, Is.EqualTo(new[]
        {
            new PooledRandomisationCount("KRK", "2026-03", 2), new PooledRandomisationCount("WAW", "2026-02", 1), new PooledRandomisationCount("WAW", "2026-03", 1),
        }));
    }

    private static DmcAdverseEvent[] StudyEvents() =>
    [
        Event(A, new(2026, 3, 1)), // the day before A's first infusion: pre-treatment
        Event(A, Inf1, "severe", ["hospitalisation"], specialInterest: "severe-dissociation", term: "Dissociation after ketamine"), // the day of it: emergent
        Event(B, new(2026, 3, 3), "severe", ["death"], "fatal", "suicidal-behaviour", term: "Suicide"),
        Event(C, new(2026, 3, 5), specialInterest: "misuse", term: "Asked for more midazolam"),
        Event(D, new(2026, 3, 9), "moderate", ["hospitalisation"]), // never dosed: pre-treatment whatever the date
    ];

    [Test]
    public void Closed_AdverseEvents_TreatmentEmergentByOnsetOnOrAfterTheFirstInfusionsDate()
    {
        var report = DmcReport.Closed(Protocol, Data(events: StudyEvents()));

        Assert.That(report.AdverseEvents, Is.EqualTo(new[]
        {
            new ArmAdverseEventCounts("KET", ParticipantsDosed: 2, Events: 2, ParticipantsWithEvent: 2, SevereEvents: 2, SeriousEvents: 2, ParticipantsWithSeriousEvent: 2,
                Deaths: 1, SpecialInterestEvents: 2),
            new ArmAdverseEventCounts("MDZ", ParticipantsDosed: 1, Events: 1, ParticipantsWithEvent: 1, SevereEvents: 0, SeriousEvents: 0, ParticipantsWithSeriousEvent: 0,
                Deaths: 0, SpecialInterestEvents: 1),
        }));
        Assert.That(report.PreTreatmentAdverseEvents, Is.EqualTo(new PreTreatmentAdverseEvents(Events: 2, Participants: 2, SeriousEvents: 1, Deaths: 0)));
    }

    [Test]
    public void Closed_SpecialInterest_EveryCategoryForEveryArm()
    {
        var report = DmcReport.Closed(Protocol, Data(events: StudyEvents()));

        Assert.That(report.SpecialInterest.Select(s => (s.Category, s.Arm, s.Events, s.Participants)), Is.EqualTo(new[]
        {
            ("suicidal-behaviour", "KET", 1, 1), ("suicidal-behaviour", "MDZ", 0, 0),
            ("self-injury", "KET", 0, 0), ("self-injury", "MDZ", 0, 0),
            ("severe-dissociation", "KET", 1, 1), ("severe-dissociation", "MDZ", 0, 0),
            ("psychotic-symptoms", "KET", 0, 0), ("psychotic-symptoms", "MDZ", 0, 0),
            ("misuse", "KET", 0, 0), ("misuse", "MDZ", 1, 1),
        }));
        Assert.That(DmcReport.Open(Protocol, Data(events: StudyEvents())).SpecialInterest.Select(s => (s.Category, s.Events)), Is.EqualTo(new[]
        {
            ("suicidal-behaviour", 1), ("self-injury", 0), ("severe-dissociation", 1), ("psychotic-symptoms", 0), ("misuse", 1),
        }));
    }

    [Test]
    public void Closed_SeriousEventsAndDeaths_ListedWithArmAndTerm_OpenWithNeither()
    {
        var closed = DmcReport.Closed(Protocol, Data(events: StudyEvents()));
        var open = DmcReport.Open(Protocol, Data(events: StudyEvents()));

        Assert.That(closed.SeriousAdverseEvents.Select(s => (s.ParticipantCode, s.Arm, s.Term, s.OnsetDate, string.Join(",", s.SeriousCriteria), s.Outcome)), Is.EqualTo(new[]
        {
            ("WAW-0001", "KET", "Dissociation after ketamine", Inf1, "hospitalisation", "recovering"),
            ("WAW-0002", "KET", "Suicide", new DateOnly(2026, 3, 3), "death", "fatal"),
        }));
        Assert.That(closed.Deaths.Select(s => s.ParticipantCode), Is.EqualTo(new[] { "WAW-0002" }));
        Assert.That(open.SeriousAdverseEvents.Select(s => (s.ParticipantCode, s.OnsetDate, s.Relatedness, s.SpecialInterest)), Is.EqualTo(new[]
        {
            ("WAW-0001", Inf1, "possible", (string?)"severe-dissociation"), ("WAW-0002", new DateOnly(2026, 3, 3), "possible", "suicidal-behaviour"),
        }));
        Assert.That(open.Deaths.Select(s => (s.ParticipantCode, s.Outcome)), Is.EqualTo(new[] { ("WAW-0002", "fatal") }));
    }

    [Test]
    public void Closed_Alerts_CreditedToTheArmOnlyOnDataFromTheFirstDoseOn()
    {
        var bl = Score(A, "MADRS", "BL", null, 30, 5);
        var inf1Pre = Score(A, "CADSS", "INF1", "pre", 28);
        var inf1T40 = Score(A, "CADSS", "INF1", "t40", 30);
        var inf2Pre = Score(C, "MADRS", "INF2", "pre", 20, 4);
        var vitalsPre = Vitals(A, "INF1", "pre", 185, 95, 80, 98);
        var vitalsT40 = Vitals(C, "INF1", "t40", 120, 70, 125, 97);
        var events = StudyEvents();
        var (aSerious, dSerious) = (events[1], events[4]);
        var unblinding = new DmcUnblinding(Guid.NewGuid(), B, new(2026, 3, 3, 10, 0, 0, DateTimeKind.Utc), "Severe hypotension");
        static DmcAlert Alert(Guid participant, string rule, string type, Guid source) => new(participant, rule, type, source.ToString("N"));

        var report = DmcReport.Closed(Protocol, Data(events: events, assessments: [bl, inf1Pre, inf1T40, inf2Pre], vitals: [vitalsPre, vitalsT40], unblindings: [unblinding],
            alerts:
            [
                Alert(A, "MADRS10_HIGH", "assessment", bl.Id), Alert(A, "CADSS_SEVERE", "assessment", inf1Pre.Id), Alert(A, "CADSS_SEVERE", "assessment", inf1T40.Id),
                Alert(C, "MADRS10_HIGH", "assessment", inf2Pre.Id), Alert(A, "VITALS_BP", "vitals", vitalsPre.Id), Alert(C, "VITALS_HR", "vitals", vitalsT40.Id),
                Alert(A, "SAE_REPORTED", "adverse-event", aSerious.Id), Alert(A, "AESI", "adverse-event", aSerious.Id), Alert(D, "SAE_REPORTED", "adverse-event", dSerious.Id),
                new(D, "VISIT_MISSED", "visit", "INF1"), new(A, "VISIT_MISSED", "visit", "INF3"), Alert(B, "UNBLINDED", "unblinding", unblinding.Id),
                Alert(C, "MADRS10_HIGH", "assessment", Guid.NewGuid()),
            ]));

        // In the protocol's order of rules, then of arms.
        Assert.That(report.SafetyAlerts.Select(a => (a.Rule, a.Arm, a.Alerts, a.Participants)), Is.EqualTo(new[]
        {
            ("MADRS10_HIGH", "MDZ", 1, 1), ("CADSS_SEVERE", "KET", 1, 1), ("VITALS_HR", "MDZ", 1, 1), ("SAE_REPORTED", "KET", 1, 1), ("AESI", "KET", 1, 1),
            ("VISIT_MISSED", "KET", 1, 1), ("UNBLINDED", "KET", 1, 1),
        }));
        // BL, INF1 pre, a never-dosed participant's event and missed INF1, and an alert whose source is not among the data.
        Assert.That(report.PreTreatmentAlerts.Select(a => (a.Rule, a.Alerts, a.Participants)), Is.EqualTo(new[]
        {
            ("MADRS10_HIGH", 2, 2), ("CADSS_SEVERE", 1, 1), ("VITALS_BP", 1, 1), ("SAE_REPORTED", 1, 1), ("VISIT_MISSED", 1, 1),
        }));
    }

    [Test]
    public void Closed_Alerts_AnUnblindingBeforeTheFirstInfusionStarted_NotCredited()
    {
        var unblinding = new DmcUnblinding(Guid.NewGuid(), A, Inf1.ToDateTime(new TimeOnly(8, 0), DateTimeKind.Utc), "Before the infusion");

        var report = DmcReport.Closed(Protocol, Data(unblindings: [unblinding], alerts: [new(A, "UNBLINDED", "unblinding", unblinding.Id.ToString("N"))]));

        Assert.That(report.SafetyAlerts, Is.Empty);
        Assert.That(report.PreTreatmentAlerts.Select(a => (a.Rule, a.Alerts)), Is.EqualTo(new[] { ("UNBLINDED", 1) }));
    }

    [Test]
    public void Closed_CadssAndBprsPeaks_HighestAfterPrePerInfusionGiven()
    {
        var report = DmcReport.Closed(Protocol, Data(assessments:
        [
            Score(A, "CADSS", "INF1", "pre", 40), Score(A, "CADSS", "INF1", "t40", 30), Score(A, "CADSS", "INF1", "t120", 12),
            Score(A, "CADSS", "INF2", "t40", null), // incomplete, no total
            Score(B, "CADSS", "INF1", "t40", 20),
            Score(C, "CADSS", "INF1", "t40", 10), Score(C, "CADSS", "INF1", "t120", 14, scheduled: false), Score(C, "CADSS", "INF2", "t40", 6),
            Score(D, "CADSS", "INF1", "t40", 25), // no infusion recorded for D: not after a dose
            Score(A, "BPRS", "INF1", "t40", 7), Score(A, "BPRS", "INF1", "t120", 9), Score(C, "BPRS", "INF1", "t120", 5),
        ]));

        Assert.That(report.CadssTotalPeaks.Select(p => (p.VisitCode, p.Arm, p.Participants, p.Mean, p.Max)), Is.EqualTo(new[]
        {
            ("INF1", "KET", 2, (decimal?)25m, (decimal?)30m), ("INF1", "MDZ", 1, 14m, 14m),
            ("INF2", "KET", 0, null, null), ("INF2", "MDZ", 1, 6m, 6m),
            ("INF3", "KET", 0, null, null), ("INF3", "MDZ", 0, null, null),
            ("INF4", "KET", 0, null, null), ("INF4", "MDZ", 0, null, null),
        }));
        Assert.That(report.BprsPositivePeaks.Where(p => p.VisitCode == "INF1").Select(p => (p.Arm, p.Participants, p.Mean, p.Max)),
            Is.EqualTo(new[] { ("KET", 1, (decimal?)9m, (decimal?)9m), ("MDZ", 1, 5m, 5m) }));
        // (30 + 20 + 14) / 3 = 21.33.
        Assert.That(DmcReport.Open(Protocol, Data(assessments: [.. Data().Assessments, Score(A, "CADSS", "INF1", "t40", 30), Score(B, "CADSS", "INF1", "t40", 20),
                Score(C, "CADSS", "INF1", "t120", 14)])).CadssTotalPeaks[0],
            Is.EqualTo(new PooledPeak("INF1", 3, 21.33m, 30m)));
    }

    [Test]
    public void Closed_MadrsItem10Peaks_FromAfterEachInfusionToTheNextOnesPreDoseRating()
    {
        var report = DmcReport.Closed(Protocol, Data(assessments:
        [
            // A (INF1, INF2): BL and INF1 pre are before any dose; POST24 and INF2 pre follow INF1; INF2 t240 and FU-D7 follow INF2, FU-D14 is past the window.
            Item10(A, "BL", null, 6), Item10(A, "INF1", "pre", 6), Item10(A, "POST24", null, 4), Item10(A, "INF2", "pre", 5),
            Item10(A, "INF2", "t240", 1, scheduled: false), Item10(A, "FU-D7", null, 2), Item10(A, "FU-D14", null, 6),
            // B (INF1 only): through the first follow-up.
            Item10(B, "POST24", null, 3), Item10(B, "FU-D7", null, 4),
            // C (all four): each window ends at the next infusion's pre; the last at FU-D7; FU-D28 is past it.
            Item10(C, "POST24", null, 1), Item10(C, "INF2", "pre", 0), Item10(C, "INF3", "pre", 2), Item10(C, "INF4", "pre", 1), Item10(C, "FU-D7", null, 3),
            Item10(C, "FU-D28", null, 5),
        ]));

        Assert.That(report.MadrsItem10Peaks.Select(p => (p.VisitCode, p.Arm, p.Participants, p.Mean, p.Max)), Is.EqualTo(new[]
        {
            ("INF1", "KET", 2, (decimal?)4.5m, (decimal?)5m), ("INF1", "MDZ", 1, 1m, 1m),
            ("INF2", "KET", 1, 2m, 2m), ("INF2", "MDZ", 1, 2m, 2m),
            ("INF3", "KET", 0, null, null), ("INF3", "MDZ", 1, 1m, 1m),
            ("INF4", "KET", 0, null, null), ("INF4", "MDZ", 1, 3m, 3m),
        }));
    }

    [Test]
    public void Closed_VitalSigns_ExtremesAfterPreAtEachInfusionGiven()
    {
        var data = Data(vitals:
        [
            Vitals(A, "INF1", "pre", 190, 115, 130, 90), Vitals(A, "INF1", "t40", 170, 100, 110, 95), Vitals(A, "INF1", "t120", 140, 85, 55, 97),
            Vitals(B, "INF1", "t40", 130, 80, 70, 93),
            Vitals(C, "INF1", "t40", 120, 70, 60, 99), Vitals(C, "INF1", "t120", 125, 75, 65, 96),
            Vitals(D, "INF1", "t40", 200, 120, 130, 85), // D was never dosed
        ]);

        var inf1 = DmcReport.Closed(Protocol, data).VitalSigns.Where(v => v.VisitCode == "INF1").ToList();
        Assert.That(inf1, Is.EqualTo(new[]
        {
            new ArmVitalSignExtremes("INF1", "KET", 2, new(150m, 170), new(90m, 100), new(90m, 110), new(62.5m, 55), new(94m, 93)),
            new ArmVitalSignExtremes("INF1", "MDZ", 1, new(125m, 125), new(75m, 75), new(65m, 65), new(60m, 60), new(96m, 96)),
        }));
        Assert.That(DmcReport.Open(Protocol, data).VitalSigns[0], Is.EqualTo(
            new PooledVitalSignExtremes("INF1", 3, new(141.67m, 170), new(85m, 100), new(81.67m, 110), new(61.67m, 55), new(94.67m, 93))));
    }

    [Test]
    public void Closed_Efficacy_FromTheFirstDoseOnNeverAtBaselineOrInf1Pre()
    {
        // A: BL 30, INF1 pre 28 (before any dose), POST24 15 (exactly 50 %: response), INF2 pre 12, FU-D7 10 (remission), an
        // unscheduled INF1 t240 9 (not efficacy). B: no BL, INF1 pre 20 is the baseline, POST24 11 (45 %). C: BL 30, POST24 24.
        var report = DmcReport.Closed(Protocol, Data(assessments:
        [
            Score(A, "MADRS", "BL", null, 30), Score(A, "MADRS", "INF1", "pre", 28), Score(A, "MADRS", "POST24", null, 15), Score(A, "MADRS", "INF2", "pre", 12),
            Score(A, "MADRS", "FU-D7", null, 10), Score(A, "MADRS", "INF1", "t240", 9, scheduled: false),
            Score(B, "MADRS", "INF1", "pre", 20), Score(B, "MADRS", "POST24", null, 11),
            Score(C, "MADRS", "BL", null, 30), Score(C, "MADRS", "POST24", null, 24),
        ]));

        Assert.That(report.Efficacy, Is.EqualTo(new[]
        {
            new EfficacyCounts("POST24", "KET", 2, 13m, -12m, 1, 0),
            new EfficacyCounts("POST24", "MDZ", 1, 24m, -6m, 0, 0),
            new EfficacyCounts("INF2", "KET", 1, 12m, -18m, 1, 0),
            new EfficacyCounts("FU-D7", "KET", 1, 10m, -20m, 1, 1),
        }));
    }

    [Test]
    public void Closed_Efficacy_UnscheduledRatingsNotCounted_TheRuleOfTheExtract()
    {
        // C: BL 30, an unscheduled MADRS at INF2 t120 (14: a response were it counted), a scheduled FU-D7 24. The report counts
        // exactly the ratings EfficacyEvaluation says count for responders: those the extract lists with an analysis visit, after the dose.
        Rating[] own = [new("BL", null, 30, true), new("INF2", "t120", 14, false), new("FU-D7", null, 24, true)];
        var report = DmcReport.Closed(Protocol, Data(assessments: [.. own.Select(o => Score(C, "MADRS", o.Visit, o.Timepoint, o.Total, scheduled: o.Scheduled))]));

        var counted = EfficacyEvaluation.Evaluate(Protocol, [.. own.Select(o => new EfficacyTotal(o.Visit, o.Timepoint, o.Total, !o.Scheduled))])
            .Where(p => p.CountsForResponders).Select(p => p.Total.VisitCode);
        Assert.That(report.Efficacy.Select(e => e.VisitCode), Is.EqualTo(counted));
        Assert.That(report.Efficacy, Is.EqualTo(new[] { new EfficacyCounts("FU-D7", "MDZ", 1, 24m, -6m, 0, 0) }));
    }

    private sealed record Rating(string Visit, string? Timepoint, decimal Total, bool Scheduled);

    [Test]
    public void Closed_DispositionAndUnblindings_ListedWithArmAndReason_OpenWithNeither()
    {
        var unblinding = new DmcUnblinding(Guid.NewGuid(), B, new(2026, 3, 3, 10, 0, 0, DateTimeKind.Utc), "Severe hypotension");
        var closed = DmcReport.Closed(Protocol, Data(unblindings: [unblinding]));
        var open = DmcReport.Open(Protocol, Data(unblindings: [unblinding]));

        Assert.That(closed.Disposition, Is.EqualTo(new[]
        {
            new ArmDispositionEvent("WAW-0002", "KET", "infusions-discontinued", new(2026, 3, 4), "Ketamine made her feel unreal"),
            new ArmDispositionEvent("WAW-0002", "KET", "withdrawn", new(2026, 3, 6), "Moved to Gdansk"),
        }));
        Assert.That(open.Disposition, Is.EqualTo(new[]
        {
            new PooledDispositionEvent("WAW-0002", "infusions-discontinued", new(2026, 3, 4)), new PooledDispositionEvent("WAW-0002", "withdrawn", new(2026, 3, 6)),
        }));
        Assert.That(closed.EmergencyUnblindings, Is.EqualTo(new[] { new ArmUnblinding("WAW-0002", unblinding.UnblindedUtc, "KET", "Severe hypotension") }));
        Assert.That(open.EmergencyUnblindings, Is.EqualTo(new[] { new PooledUnblinding("WAW-0002", unblinding.UnblindedUtc) }));
    }

    [Test]
    public void Open_EverySection_IsTheClosedReportsArmsAddedTogether()
    {
        var data = Data(events: StudyEvents(), unblindings: [new(Guid.NewGuid(), B, new(2026, 3, 3, 10, 0, 0, DateTimeKind.Utc), "Severe hypotension")]);
        var closed = DmcReport.Closed(Protocol, data);
        var open = DmcReport.Open(Protocol, data);

        Assert.That(open.Participants, Is.EqualTo(new PooledParticipantCounts(closed.Participants.Sum(p => p.Randomised), closed.Participants.Sum(p => p.Dosed),
            closed.Participants.Sum(p => p.InfusionsDiscontinued), closed.Participants.Sum(p => p.Withdrawn), closed.Participants.Sum(p => p.EmergencyUnblinded))));
        Assert.That((open.AdverseEvents.ParticipantsDosed, open.AdverseEvents.Events, open.AdverseEvents.SeriousEvents, open.AdverseEvents.Deaths),
            Is.EqualTo((closed.AdverseEvents.Sum(e => e.ParticipantsDosed), closed.AdverseEvents.Sum(e => e.Events), closed.AdverseEvents.Sum(e => e.SeriousEvents),
                closed.AdverseEvents.Sum(e => e.Deaths))));
        Assert.That(open.PreTreatmentAdverseEvents, Is.EqualTo(closed.PreTreatmentAdverseEvents));
    }

    [Test]
    public void Open_Serialised_HoldsNoArmDrugOrTextTypedAtASite()
    {
        var data = Data(events: StudyEvents(), unblindings: [new(Guid.NewGuid(), B, new(2026, 3, 3, 10, 0, 0, DateTimeKind.Utc), "Severe hypotension")]);
        var closed = JsonSerializer.Serialize(DmcReport.Closed(Protocol, data), Web);
        var open = JsonSerializer.Serialize(DmcReport.Open(Protocol, data), Web);

        string[] typed = ["Ketamine made her feel unreal", "Moved to Gdansk", "Dissociation after ketamine", "Suicide", "Severe hypotension"];
        Assert.That(typed.Where(t => !closed.Contains(t, StringComparison.Ordinal)), Is.Empty, "the closed report shows them");
        Assert.That(typed.Where(t => open.Contains(t, StringComparison.Ordinal)), Is.Empty);
        foreach (var arm in Protocol.Design.Arms)
        {
            Assert.That(open, Does.Not.Contain(arm.Code));
            Assert.That(open, Does.Not.Contain(arm.Name).IgnoreCase.And.Not.Contain(arm.Drug).IgnoreCase);
        }
        Assert.That(open, Does.Not.Contain("\"arm\"").IgnoreCase);
    }
}
