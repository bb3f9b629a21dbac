using System.Globalization;
using Trial.Core.Efficacy;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Core.Safety;
using Trial.Core.Schedule;

namespace Trial.Core.Reports;

/// <summary>
/// The data monitoring committee's two reports, built from one read of the data (<see cref="DmcData"/>): the closed-session
/// report by arm, for the unblinded, and the open-session report pooled over the arms, which tells nothing of them. Both
/// come from the same computation, so the open report's figures are the closed report's arms added together.
/// <list type="bullet">
/// <item>Treatment-emergent: an adverse event with onset on or after the site's date of the participant's first infusion.
/// Earlier events, and every event of a participant never dosed, are counted pooled as pre-treatment and never credited to
/// an arm.</item>
/// <item>An alert is on treatment when the record that raised it is: an assessment or vital signs at the first infusion's
/// visit at a timepoint after pre, or at a later visit (in the protocol's order; a visit the protocol does not know counts
/// as later, as in the safety rules); an adverse event by its onset, as above; a missed visit when it comes after the first
/// infusion's visit; an emergency unblinding when it happened after the first infusion started. Alerts on earlier data are
/// counted pooled as pre-treatment.</item>
/// <item>Peaks of CADSS total and BPRS positive subscale at each infusion visit given: per participant the highest value at a
/// timepoint after pre. MADRS item 10 after infusion k: the highest item 10 rated after the infusion (its post-dose
/// timepoints), at any visit before the participant's next infusion and at that infusion's pre-dose rating; after the last
/// infusion given, through the first follow-up visit. Assessments count whether scheduled or not, each with the score it has.</item>
/// <item>Vital signs at each infusion visit given, at the timepoints after pre: per participant the highest systolic,
/// diastolic and heart rate, the lowest heart rate and SpO2.</item>
/// <item>Efficacy by visit from the first dose on: complete MADRS totals that count for responders by <see cref="EfficacyPoint.CountsForResponders"/>
/// (an analysis visit, so scheduled; after the first dose; judged against a baseline), judged by <see cref="EfficacyEvaluation"/> as the
/// extracts' efficacy dataset is; never the baseline visit, the pre-dose rating of the first infusion or an unscheduled rating.</item>
/// </list>
/// </summary>
public static class DmcReport
{
    public static DmcClosedReport Closed(ProtocolDefinition protocol, DmcData data)
    {
        var a = new DmcAnalysis(protocol, data);
        var arms = protocol.Design.Arms.Select(x => x.Code)
            .Concat(data.Participants.Select(p => p.Arm).Where(arm => protocol.Design.Arms.All(x => x.Code != arm)).Distinct().Order(StringComparer.Ordinal))
            .ToList();
        string NameOf(string arm) => protocol.Design.Arms.FirstOrDefault(x => x.Code == arm)?.Name ?? arm;
        var byArm = new Grouping(arms, p => p.Arm);

        return new DmcClosedReport(
            a.Enrolment(),
            [.. a.Randomisation(byArm).Select(r => new ArmRandomisationCount(r.Site, r.Month, r.Group, r.Count))],
            [.. a.Participants(byArm).Select(g => new ArmParticipantCounts(g.Group, NameOf(g.Group), g.Value.Randomised, g.Value.Dosed,
                g.Value.InfusionsDiscontinued, g.Value.Withdrawn, g.Value.EmergencyUnblinded))],
            [.. a.Exposure(byArm).Select(g => new ArmExposure(g.Group, g.Value.Randomised, g.Value.Dosed, g.Value.Infusions, g.Value.MeanPerRandomised,
                g.Value.MeanPerDosed, g.Value.Distribution))],
            [.. a.Disposition().Select(d => new ArmDispositionEvent(d.Participant.Code, d.Participant.Arm, d.Event, d.Date, d.Reason))],
            [.. a.AdverseEvents(byArm).Select(g => new ArmAdverseEventCounts(g.Group, g.Value.ParticipantsDosed, g.Value.Events, g.Value.ParticipantsWithEvent,
                g.Value.SevereEvents, g.Value.SeriousEvents, g.Value.ParticipantsWithSeriousEvent, g.Value.Deaths, g.Value.SpecialInterestEvents))],
            a.PreTreatmentAdverseEvents(),
            [.. a.SpecialInterest(byArm).Select(s => new ArmSpecialInterestCounts(s.Category, s.Group, s.Events, s.Participants))],
            [.. a.SeriousEvents(deathsOnly: false).Select(Listed)],
            [.. a.SeriousEvents(deathsOnly: true).Select(Listed)],
            [.. a.Alerts(byArm, onTreatment: true).Select(r => new AlertCounts(r.Rule, r.Group, r.Alerts, r.Participants))],
            [.. a.Alerts(Grouping.Pooled, onTreatment: false).Select(r => new PooledAlertCounts(r.Rule, r.Alerts, r.Participants))],
            [.. a.PostDosePeaks(byArm, InstrumentCatalog.Cadss).Select(Peak)],
            [.. a.PostDosePeaks(byArm, InstrumentCatalog.Bprs).Select(Peak)],
            [.. a.MadrsItem10Peaks(byArm).Select(Peak)],
            [.. a.VitalSigns(byArm).Select(v => new ArmVitalSignExtremes(v.Visit, v.Group, v.Participants, v.HighestSystolic, v.HighestDiastolic,
                v.HighestHeartRate, v.LowestHeartRate, v.LowestSpo2))],
            [.. a.Unblindings().Select(u => new ArmUnblinding(u.Participant.Code, u.Unblinding.UnblindedUtc, u.Participant.Arm, u.Unblinding.Reason))],
            [.. a.Efficacy(byArm).Select(e => new EfficacyCounts(e.Visit, e.Group, e.Participants, e.MeanTotal, e.MeanChange, e.Responders, e.Remitters))]);

        static ArmSeriousEvent Listed((DmcParticipant Participant, DmcAdverseEvent Event) s) =>
            new(s.Participant.Code, s.Participant.Arm, s.Event.Term, s.Event.OnsetDate, s.Event.SeriousCriteria, s.Event.Severity, s.Event.Outcome,
                s.Event.Relatedness, s.Event.Expected, s.Event.SpecialInterest);

        static ArmPeak Peak(DmcAnalysis.PeakRow p) => new(p.Visit, p.Group, p.Participants, p.Mean, p.Max);
    }

    public static DmcOpenReport Open(ProtocolDefinition protocol, DmcData data)
    {
        var a = new DmcAnalysis(protocol, data);
        var pooled = Grouping.Pooled;
        var participants = a.Participants(pooled).Single().Value;
        var exposure = a.Exposure(pooled).Single().Value;
        var events = a.AdverseEvents(pooled).Single().Value;

        // Listings are ordered by date and participant code, never by arm, so their order cannot tell the arms apart.
        return new DmcOpenReport(
            a.Enrolment(),
            [.. a.Randomisation(pooled).Select(r => new PooledRandomisationCount(r.Site, r.Month, r.Count))],
            new PooledParticipantCounts(participants.Randomised, participants.Dosed, participants.InfusionsDiscontinued, participants.Withdrawn,
                participants.EmergencyUnblinded),
            new PooledExposure(exposure.Randomised, exposure.Dosed, exposure.Infusions, exposure.MeanPerRandomised, exposure.MeanPerDosed, exposure.Distribution),
            [.. a.Disposition().Select(d => new PooledDispositionEvent(d.Participant.Code, d.Event, d.Date))],
            new PooledAdverseEventCounts(events.ParticipantsDosed, events.Events, events.ParticipantsWithEvent, events.SevereEvents, events.SeriousEvents,
                events.ParticipantsWithSeriousEvent, events.Deaths, events.SpecialInterestEvents),
            a.PreTreatmentAdverseEvents(),
            [.. a.SpecialInterest(pooled).Select(s => new PooledSpecialInterestCounts(s.Category, s.Events, s.Participants))],
            [.. a.SeriousEvents(deathsOnly: false).Select(Listed)],
            [.. a.SeriousEvents(deathsOnly: true).Select(Listed)],
            [.. a.Alerts(pooled, onTreatment: true).Select(r => new PooledAlertCounts(r.Rule, r.Alerts, r.Participants))],
            [.. a.Alerts(pooled, onTreatment: false).Select(r => new PooledAlertCounts(r.Rule, r.Alerts, r.Participants))],
            [.. a.PostDosePeaks(pooled, InstrumentCatalog.Cadss).Select(Peak)],
            [.. a.PostDosePeaks(pooled, InstrumentCatalog.Bprs).Select(Peak)],
            [.. a.MadrsItem10Peaks(pooled).Select(Peak)],
            [.. a.VitalSigns(pooled).Select(v => new PooledVitalSignExtremes(v.Visit, v.Participants, v.HighestSystolic, v.HighestDiastolic,
                v.HighestHeartRate, v.LowestHeartRate, v.LowestSpo2))],
            [.. a.Unblindings().Select(u => new PooledUnblinding(u.Participant.Code, u.Unblinding.UnblindedUtc))],
            [.. a.Efficacy(pooled).Select(e => new PooledEfficacyCounts(e.Visit, e.Participants, e.MeanTotal, e.MeanChange, e.Responders, e.Remitters))]);

        static PooledSeriousEvent Listed((DmcParticipant Participant, DmcAdverseEvent Event) s) =>
            new(s.Participant.Code, s.Event.OnsetDate, s.Event.SeriousCriteria, s.Event.Severity, s.Event.Outcome, s.Event.Relatedness, s.Event.Expected,
                s.Event.SpecialInterest);

        static PooledPeak Peak(DmcAnalysis.PeakRow p) => new(p.Visit, p.Participants, p.Mean, p.Max);
    }
}

/// <summary>The groups a report compares, in order, and which group a participant belongs to: the arms, or everyone together.</summary>
internal sealed record Grouping(IReadOnlyList<string> Groups, Func<DmcParticipant, string> GroupOf)
{
    public static readonly Grouping Pooled = new([""], _ => "");
}

/// <summary>The computations both reports share, over one <see cref="DmcData"/>.</summary>
internal sealed class DmcAnalysis
{
    public sealed record ParticipantTally(int Randomised, int Dosed, int InfusionsDiscontinued, int Withdrawn, int EmergencyUnblinded);

    public sealed record ExposureTally(int Randomised, int Dosed, int Infusions, decimal? MeanPerRandomised, decimal? MeanPerDosed, IReadOnlyList<InfusionsReceived> Distribution);

    public sealed record EventTally(int ParticipantsDosed, int Events, int ParticipantsWithEvent, int SevereEvents, int SeriousEvents, int ParticipantsWithSeriousEvent,
        int Deaths, int SpecialInterestEvents);

    public sealed record PeakRow(string Visit, string Group, int Participants, decimal? Mean, decimal? Max);

    public sealed record VitalsRow(string Visit, string Group, int Participants, VitalExtreme HighestSystolic, VitalExtreme HighestDiastolic,
        VitalExtreme HighestHeartRate, VitalExtreme LowestHeartRate, VitalExtreme LowestSpo2);

    public sealed record EfficacyRow(string Visit, string Group, int Participants, decimal? MeanTotal, decimal? MeanChange, int Responders, int Remitters);

    private const string Severe = "severe";

    private readonly ProtocolDefinition _protocol;
    private readonly DmcData _data;
    private readonly Dictionary<Guid, DmcParticipant> _participants;
    private readonly Dictionary<Guid, List<DmcInfusion>> _infusions;
    private readonly Dictionary<string, int> _visitIndex;
    private readonly Dictionary<string, int> _timepointIndex;
    private readonly List<string> _infusionVisits;
    private readonly List<string> _ruleOrder;

    public DmcAnalysis(ProtocolDefinition protocol, DmcData data)
    {
        _protocol = protocol;
        _data = data;
        _participants = data.Participants.ToDictionary(p => p.Id);
        _infusions = data.Infusions.Where(i => _participants.ContainsKey(i.ParticipantId))
            .GroupBy(i => i.ParticipantId)
            .ToDictionary(g => g.Key, g => g.OrderBy(i => i.StartUtc).ToList());
        _visitIndex = protocol.Visits.Select((v, i) => (v.Code, i)).ToDictionary(x => x.Code, x => x.i, StringComparer.Ordinal);
        _timepointIndex = protocol.Timepoints.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        _infusionVisits = [.. protocol.InfusionVisits.Select(v => v.Code)];
        _ruleOrder = [.. protocol.SafetyRules.Select(r => r.Code)];
    }

    // ---- Where a record lies against the first dose ----

    private IReadOnlyList<DmcInfusion> InfusionsOf(Guid participant) => _infusions.TryGetValue(participant, out var list) ? list : [];

    private DmcInfusion? FirstInfusion(Guid participant) => InfusionsOf(participant).FirstOrDefault();

    private bool Dosed(DmcParticipant p) => FirstInfusion(p.Id) is not null;

    private int VisitIndex(string visit) => _visitIndex.TryGetValue(visit, out var i) ? i : int.MaxValue;

    // The first timepoint of an infusion visit is before the infusion (pre); a visit without timepoints sorts before it.
    private int TimepointIndex(string? timepoint) => timepoint is null ? -1 : _timepointIndex.TryGetValue(timepoint, out var i) ? i : int.MaxValue;

    private const int PreDose = 0;

    private static bool IsAfterPre(int timepointIndex) => timepointIndex > PreDose;

    /// <summary>Whether data at this visit and timepoint were taken after the participant's first infusion started.</summary>
    private bool IsAfterFirstDose(Guid participant, string visit, string? timepoint)
    {
        if (FirstInfusion(participant) is not { } first) return false;
        var (index, firstIndex) = (VisitIndex(visit), VisitIndex(first.VisitCode));
        return index > firstIndex || index == firstIndex && IsAfterPre(TimepointIndex(timepoint));
    }

    private bool IsTreatmentEmergent(DmcAdverseEvent e) => FirstInfusion(e.ParticipantId) is { } first && e.OnsetDate >= first.Date;

    private bool IsOnTreatment(DmcAlert alert, IReadOnlyDictionary<Guid, DmcAssessment> assessments, IReadOnlyDictionary<Guid, DmcVitals> vitals,
        IReadOnlyDictionary<Guid, DmcAdverseEvent> events, IReadOnlyDictionary<Guid, DmcUnblinding> unblindings)
    {
        var id = Guid.TryParseExact(alert.SourceKey, "N", out var parsed) ? parsed : (Guid?)null;
        return alert.SourceType switch
        {
            SourceTypes.Assessment => id is { } a && assessments.TryGetValue(a, out var s) && IsAfterFirstDose(alert.ParticipantId, s.VisitCode, s.Timepoint),
            SourceTypes.Vitals => id is { } v && vitals.TryGetValue(v, out var vs) && IsAfterFirstDose(alert.ParticipantId, vs.VisitCode, vs.Timepoint),
            SourceTypes.AdverseEvent => id is { } e && events.TryGetValue(e, out var ae) && IsTreatmentEmergent(ae),
            SourceTypes.Visit => IsAfterFirstDose(alert.ParticipantId, alert.SourceKey, null),
            EmergencyUnblinding.SourceType => id is { } u && unblindings.TryGetValue(u, out var ub)
                && FirstInfusion(alert.ParticipantId) is { } first && ub.UnblindedUtc >= first.StartUtc,
            // A source the report cannot place in time is not credited to an arm.
            _ => false,
        };
    }

    // ---- Sections ----

    private static string Month(DateOnly date) => date.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public IReadOnlyList<EnrolmentCount> Enrolment() =>
    [
        .. _data.Enrolments.GroupBy(e => (e.SiteCode, Month: Month(e.EnrolledDate)))
            .OrderBy(g => g.Key.SiteCode, StringComparer.Ordinal).ThenBy(g => g.Key.Month, StringComparer.Ordinal)
            .Select(g => new EnrolmentCount(g.Key.SiteCode, g.Key.Month, g.Count())),
    ];

    public IReadOnlyList<(string Site, string Month, string Group, int Count)> Randomisation(Grouping grouping) =>
    [
        .. _data.Participants.GroupBy(p => (p.SiteCode, Month: Month(p.RandomisedDate), Group: grouping.GroupOf(p)))
            .OrderBy(g => g.Key.SiteCode, StringComparer.Ordinal).ThenBy(g => g.Key.Month, StringComparer.Ordinal)
            .ThenBy(g => Index(grouping, g.Key.Group))
            .Select(g => (g.Key.SiteCode, g.Key.Month, g.Key.Group, g.Count())),
    ];

    private IEnumerable<(string Group, List<DmcParticipant> Participants)> Groups(Grouping grouping) =>
        grouping.Groups.Select(g => (g, _data.Participants.Where(p => grouping.GroupOf(p) == g).ToList()));

    private static int Index(Grouping grouping, string group) => grouping.Groups.ToList().IndexOf(group);

    public IReadOnlyList<(string Group, ParticipantTally Value)> Participants(Grouping grouping)
    {
        var unblinded = _data.Unblindings.Select(u => u.ParticipantId).ToHashSet();
        return
        [
            .. Groups(grouping).Select(g => (g.Group, new ParticipantTally(g.Participants.Count, g.Participants.Count(Dosed),
                g.Participants.Count(p => p.InfusionsDiscontinuedDate is not null), g.Participants.Count(p => p.WithdrawnDate is not null),
                g.Participants.Count(p => unblinded.Contains(p.Id))))),
        ];
    }

    public IReadOnlyList<(string Group, ExposureTally Value)> Exposure(Grouping grouping)
    {
        // 0 to the protocol's number of infusions; a participant with more (a protocol amended down) widens the range rather than vanish.
        var most = Math.Max(_infusionVisits.Count, _data.Participants.Select(p => InfusionsOf(p.Id).Count).DefaultIfEmpty(0).Max());
        return
        [
            .. Groups(grouping).Select(g =>
            {
                var counts = g.Participants.Select(p => InfusionsOf(p.Id).Count).ToList();
                var total = counts.Sum();
                var dosed = counts.Count(c => c > 0);
                return (g.Group, new ExposureTally(counts.Count, dosed, total, Ratio(total, counts.Count), Ratio(total, dosed),
                    [.. Enumerable.Range(0, most + 1).Select(n => new InfusionsReceived(n, counts.Count(c => c == n)))]));
            }),
        ];
    }

    public IReadOnlyList<(DmcParticipant Participant, string Event, DateOnly Date, string? Reason)> Disposition()
    {
        var events = new List<(DmcParticipant, string, DateOnly, string?)>();
        foreach (var p in _data.Participants)
        {
            if (p.InfusionsDiscontinuedDate is { } stopped) events.Add((p, DispositionEvents.InfusionsDiscontinued, stopped, p.DiscontinuationReason));
            if (p.WithdrawnDate is { } left) events.Add((p, DispositionEvents.Withdrawn, left, p.WithdrawalReason));
        }
        return [.. events.OrderBy(e => e.Item3).ThenBy(e => e.Item1.Code, StringComparer.Ordinal).ThenBy(e => e.Item2, StringComparer.Ordinal)];
    }

    private IEnumerable<(DmcParticipant Participant, DmcAdverseEvent Event)> EventsOfRandomised() =>
        _data.AdverseEvents.Where(e => _participants.ContainsKey(e.ParticipantId)).Select(e => (_participants[e.ParticipantId], e));

    public IReadOnlyList<(string Group, EventTally Value)> AdverseEvents(Grouping grouping)
    {
        var emergent = EventsOfRandomised().Where(x => IsTreatmentEmergent(x.Event)).ToList();
        return
        [
            .. Groups(grouping).Select(g =>
            {
                var own = emergent.Where(x => grouping.GroupOf(x.Participant) == g.Group).Select(x => x.Event).ToList();
                return (g.Group, new EventTally(g.Participants.Count(Dosed), own.Count, own.Select(e => e.ParticipantId).Distinct().Count(),
                    own.Count(e => e.Severity == Severe), own.Count(e => e.Serious), own.Where(e => e.Serious).Select(e => e.ParticipantId).Distinct().Count(),
                    own.Count(IsDeath), own.Count(e => e.SpecialInterest is not null)));
            }),
        ];
    }

    private static bool IsDeath(DmcAdverseEvent e) => AdverseEventRules.IsDeath(e.SeriousCriteria, e.Outcome);

    public PreTreatmentAdverseEvents PreTreatmentAdverseEvents()
    {
        var before = EventsOfRandomised().Where(x => !IsTreatmentEmergent(x.Event)).Select(x => x.Event).ToList();
        return new PreTreatmentAdverseEvents(before.Count, before.Select(e => e.ParticipantId).Distinct().Count(), before.Count(e => e.Serious), before.Count(IsDeath));
    }

    public IReadOnlyList<(string Category, string Group, int Events, int Participants)> SpecialInterest(Grouping grouping)
    {
        var emergent = EventsOfRandomised().Where(x => IsTreatmentEmergent(x.Event) && x.Event.SpecialInterest is not null).ToList();
        var categories = AdverseEventRules.SpecialInterests
            .Concat(emergent.Select(x => x.Event.SpecialInterest!).Where(c => !AdverseEventRules.SpecialInterests.Contains(c)).Distinct().Order(StringComparer.Ordinal));
        return
        [
            .. from category in categories
               from g in grouping.Groups
               let own = emergent.Where(x => x.Event.SpecialInterest == category && grouping.GroupOf(x.Participant) == g).ToList()
               select (category, g, own.Count, own.Select(x => x.Participant.Id).Distinct().Count()),
        ];
    }

    public IReadOnlyList<(DmcParticipant Participant, DmcAdverseEvent Event)> SeriousEvents(bool deathsOnly) =>
    [
        .. EventsOfRandomised().Where(x => IsTreatmentEmergent(x.Event) && (deathsOnly ? IsDeath(x.Event) : x.Event.Serious))
            .OrderBy(x => x.Event.OnsetDate).ThenBy(x => x.Participant.Code, StringComparer.Ordinal).ThenBy(x => x.Event.Id),
    ];

    public IReadOnlyList<(string Rule, string Group, int Alerts, int Participants)> Alerts(Grouping grouping, bool onTreatment)
    {
        var assessments = _data.Assessments.ToDictionary(a => a.Id);
        var vitals = _data.Vitals.ToDictionary(v => v.Id);
        var events = _data.AdverseEvents.ToDictionary(e => e.Id);
        var unblindings = _data.Unblindings.ToDictionary(u => u.Id);
        return
        [
            .. _data.Alerts.Where(a => _participants.ContainsKey(a.ParticipantId) && IsOnTreatment(a, assessments, vitals, events, unblindings) == onTreatment)
                .GroupBy(a => (a.Rule, Group: grouping.GroupOf(_participants[a.ParticipantId])))
                .OrderBy(g => _ruleOrder.IndexOf(g.Key.Rule) is var i && i < 0 ? int.MaxValue : i).ThenBy(g => g.Key.Rule, StringComparer.Ordinal)
                .ThenBy(g => Index(grouping, g.Key.Group))
                .Select(g => (g.Key.Rule, g.Key.Group, g.Count(), g.Select(a => a.ParticipantId).Distinct().Count())),
        ];
    }

    /// <summary>Per infusion visit given, each participant's highest score of <paramref name="instrument"/> at a timepoint after pre.</summary>
    public IReadOnlyList<PeakRow> PostDosePeaks(Grouping grouping, string instrument)
    {
        var values = _data.Assessments
            .Where(a => a.Instrument == instrument && a.Score is not null && _participants.ContainsKey(a.ParticipantId)
                        && IsAfterPre(TimepointIndex(a.Timepoint)) && InfusionsOf(a.ParticipantId).Any(i => i.VisitCode == a.VisitCode))
            .Select(a => (a.ParticipantId, Visit: a.VisitCode, Value: a.Score!.Value));
        return PeakRows(grouping, values);
    }

    /// <summary>
    /// Per infusion given, each participant's highest MADRS item 10 from after the infusion up to and including the pre-dose
    /// rating of their next infusion; after their last infusion, through the first follow-up visit.
    /// </summary>
    public IReadOnlyList<PeakRow> MadrsItem10Peaks(Grouping grouping)
    {
        var values = new List<(Guid, string, decimal)>();
        var ratings = _data.Assessments.Where(a => a.Instrument == InstrumentCatalog.Madrs && a.Item10 is not null).ToLookup(a => a.ParticipantId);
        foreach (var p in _data.Participants)
        {
            var given = InfusionsOf(p.Id).GroupBy(i => i.VisitCode).Select(g => g.Key).OrderBy(VisitIndex).ToList();
            for (var k = 0; k < given.Count; k++)
            {
                var start = (VisitIndex(given[k]), PreDose);
                var end = k + 1 < given.Count ? (VisitIndex(given[k + 1]), PreDose) : (FirstFollowUpAfter(given[k]), int.MaxValue);
                var inWindow = ratings[p.Id].Where(r => Position(r) is var at && Compare(at, start) > 0 && Compare(at, end) <= 0).ToList();
                if (inWindow.Count > 0) values.Add((p.Id, given[k], inWindow.Max(r => r.Item10!.Value)));
            }
        }
        return PeakRows(grouping, values);
    }

    private (int Visit, int Timepoint) Position(DmcAssessment a) => (VisitIndex(a.VisitCode), TimepointIndex(a.Timepoint));

    private static int Compare((int Visit, int Timepoint) x, (int Visit, int Timepoint) y) =>
        x.Visit != y.Visit ? x.Visit.CompareTo(y.Visit) : x.Timepoint.CompareTo(y.Timepoint);

    private int FirstFollowUpAfter(string visit)
    {
        var from = VisitIndex(visit);
        var next = _protocol.Visits.Select((v, i) => (v, i)).FirstOrDefault(x => x.i > from && x.v.Kind == VisitKinds.FollowUp);
        return next.v is null ? int.MaxValue : next.i;
    }

    private List<PeakRow> PeakRows(Grouping grouping, IEnumerable<(Guid Participant, string Visit, decimal Value)> values)
    {
        var highest = values.GroupBy(v => (v.Participant, v.Visit)).Select(g => (g.Key.Participant, g.Key.Visit, Value: g.Max(v => v.Value))).ToList();
        return
        [
            .. from visit in _infusionVisits
               from g in grouping.Groups
               let own = highest.Where(h => h.Visit == visit && grouping.GroupOf(_participants[h.Participant]) == g).Select(h => h.Value).ToList()
               select new PeakRow(visit, g, own.Count, Mean(own), own.Count == 0 ? null : own.Max()),
        ];
    }

    public IReadOnlyList<VitalsRow> VitalSigns(Grouping grouping)
    {
        var perParticipant = _data.Vitals
            .Where(v => _participants.ContainsKey(v.ParticipantId) && IsAfterPre(TimepointIndex(v.Timepoint))
                        && InfusionsOf(v.ParticipantId).Any(i => i.VisitCode == v.VisitCode))
            .GroupBy(v => (v.ParticipantId, v.VisitCode))
            .Select(g => (g.Key.ParticipantId, Visit: g.Key.VisitCode, Systolic: g.Max(v => v.Systolic), Diastolic: g.Max(v => v.Diastolic),
                HeartRateHigh: g.Max(v => v.HeartRate), HeartRateLow: g.Min(v => v.HeartRate), Spo2: g.Min(v => v.Spo2)))
            .ToList();
        return
        [
            .. from visit in _infusionVisits
               from g in grouping.Groups
               let own = perParticipant.Where(x => x.Visit == visit && grouping.GroupOf(_participants[x.ParticipantId]) == g).ToList()
               select new VitalsRow(visit, g, own.Count, Highest(own.Select(x => x.Systolic)), Highest(own.Select(x => x.Diastolic)),
                   Highest(own.Select(x => x.HeartRateHigh)), Lowest(own.Select(x => x.HeartRateLow)), Lowest(own.Select(x => x.Spo2))),
        ];

        static VitalExtreme Highest(IEnumerable<int> values) => values.ToList() is { Count: > 0 } list ? new(Mean(list.Select(v => (decimal)v)), list.Max()) : new(null, null);
        static VitalExtreme Lowest(IEnumerable<int> values) => values.ToList() is { Count: > 0 } list ? new(Mean(list.Select(v => (decimal)v)), list.Min()) : new(null, null);
    }

    public IReadOnlyList<(DmcParticipant Participant, DmcUnblinding Unblinding)> Unblindings() =>
    [
        .. _data.Unblindings.Where(u => _participants.ContainsKey(u.ParticipantId))
            .Select(u => (_participants[u.ParticipantId], u))
            .OrderBy(x => x.u.UnblindedUtc).ThenBy(x => x.Item1.Code, StringComparer.Ordinal),
    ];

    public IReadOnlyList<EfficacyRow> Efficacy(Grouping grouping)
    {
        var rule = EfficacyBaselineRule.Of(_protocol);
        var firstDose = new FirstDose(_protocol);
        var points = new List<(string Visit, string Group, decimal Total, decimal Change, bool Response, bool Remission)>();
        // Unscheduled ratings are passed on with their flag: the one rule of EfficacyEvaluation (no analysis visit, never counted) decides, as in the extract.
        var madrs = _data.Assessments.Where(a => a.Instrument == InstrumentCatalog.Madrs && a.Complete && a.Score is not null)
            .ToLookup(a => a.ParticipantId);
        foreach (var p in _data.Participants)
        {
            var own = madrs[p.Id].OrderBy(a => VisitIndex(a.VisitCode)).ThenBy(a => TimepointIndex(a.Timepoint)).ToList();
            // Baseline, change, response and remission as the extracts' efficacy dataset has them: one function decides both.
            var judged = EfficacyEvaluation.Evaluate(rule, _protocol.Efficacy,
                [.. own.Select(a => new EfficacyTotal(a.VisitCode, a.Timepoint, a.Score!.Value, Unscheduled: !a.Scheduled))], firstDose);
            // From the first dose on, one MADRS per visit: the earliest after the dose (at a later infusion visit, its pre-dose rating).
            foreach (var visit in judged.Where(j => j.CountsForResponders).GroupBy(j => j.Total.VisitCode))
            {
                var point = visit.First();
                points.Add((visit.Key, grouping.GroupOf(p), point.Total.Total, point.Outcome.Change!.Value, point.Outcome.Response == true, point.Outcome.Remission == true));
            }
        }

        return
        [
            .. points.GroupBy(p => (p.Visit, p.Group))
                .OrderBy(g => VisitIndex(g.Key.Visit)).ThenBy(g => g.Key.Visit, StringComparer.Ordinal).ThenBy(g => Index(grouping, g.Key.Group))
                .Select(g => new EfficacyRow(g.Key.Visit, g.Key.Group, g.Count(), Mean(g.Select(p => p.Total)), Mean(g.Select(p => p.Change)),
                    g.Count(p => p.Response), g.Count(p => p.Remission))),
        ];
    }

    private static decimal? Ratio(int numerator, int denominator) =>
        denominator == 0 ? null : Math.Round((decimal)numerator / denominator, 2, MidpointRounding.AwayFromZero);

    private static decimal? Mean(IEnumerable<decimal> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? null : Math.Round(list.Average(), 2, MidpointRounding.AwayFromZero);
    }
}
