using Trial.Core.Protocol;

namespace Trial.Core.Schedule;

/// <summary>
/// Turns the protocol's visit plan and what has actually happened to one participant into
/// that participant's schedule: targets, windows and statuses. Everything is derived from the
/// protocol (visit kinds, anchors, offsets, windows), so an amendment needs no code change.
/// </summary>
public static class ScheduleCalculator
{
    /// <summary>
    /// The schedule in protocol visit order. Once infusions are discontinued, infusion visits that can no longer happen
    /// are left out; one whose window had already closed before the discontinuation date stays, as missed. Once the
    /// participant is withdrawn, the same holds for every visit: those still to come are left out, those missed before
    /// the withdrawal stay missed, and those done stay done.
    /// </summary>
    public static IReadOnlyList<ScheduledVisit> Build(ProtocolDefinition protocol, ScheduleInput input, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(input);

        var recorded = RecordedDates.Index(protocol, input.Visits);
        var placed = new Dictionary<string, ScheduledVisit>(StringComparer.Ordinal);

        // Anchors are always unanchored visits (the loader enforces it), so three passes
        // settle every visit: unanchored ones, then those anchored on them, then follow-ups,
        // which need the infusion visits' statuses.
        foreach (var visit in protocol.Visits.Where(v => v.Kind == VisitKinds.Screening))
            placed[visit.Code] = Screening(visit, input, recorded);
        foreach (var visit in protocol.Visits.Where(v => v.Kind != VisitKinds.Screening && v.Anchor is null))
            placed[visit.Code] = Unanchored(protocol, visit, input, recorded, today);
        foreach (var visit in protocol.Visits.Where(v => v.Kind != VisitKinds.Screening && v.Anchor is not null && v.Anchor != ProtocolDefinition.LastInfusionAnchor))
            placed[visit.Code] = AnchoredOnVisit(visit, placed, recorded, today);

        var followUps = protocol.Visits.Where(v => v.Kind != VisitKinds.Screening && v.Anchor == ProtocolDefinition.LastInfusionAnchor).ToList();
        if (followUps.Count > 0)
        {
            var (anchorDate, provisional) = LastInfusionAnchor(protocol, input, placed);
            foreach (var visit in followUps)
                placed[visit.Code] = Place(visit, anchorDate.AddDays(visit.OffsetDays), provisional, Actual(recorded, visit), today);
        }

        return protocol.Visits
            .Select(v => placed[v.Code])
            .Where(s => !StoppedByDiscontinuation(s, input.InfusionsDiscontinuedDate) && !StoppedByWithdrawal(s, input.WithdrawnDate))
            .ToList();
    }

    // Once infusions are discontinued, an infusion not given will never be given; the schedule
    // has no status for "will not happen", so such visits are left out rather than shown as
    // scheduled (misleading) or missed (they were not missed, they were stopped). An infusion
    // whose window had closed before the discontinuation date was missed before anything was
    // stopped, so it stays missed (and its VISIT_MISSED alert stands). A window that ends on the
    // discontinuation day had not closed: the infusion could still have been given that day.
    private static bool StoppedByDiscontinuation(ScheduledVisit visit, DateOnly? discontinued) =>
        discontinued is { } stopped
        && visit.Kind == VisitKinds.Infusion
        && visit.Status != VisitStatuses.Done
        && !(visit.Status == VisitStatuses.Missed && visit.WindowEnd < stopped);

    // A withdrawn participant has no more visits: one not done whose window had not closed before the withdrawal date
    // will not happen and is left out (it was not missed; the participant left), so no missed visit is reported after it.
    private static bool StoppedByWithdrawal(ScheduledVisit visit, DateOnly? withdrawn) =>
        withdrawn is { } left
        && visit.Status != VisitStatuses.Done
        && !(visit.Status == VisitStatuses.Missed && visit.WindowEnd < left);

    // Eligibility is recorded at enrolment, so screening counts as done on the enrolment
    // date unless the site recorded its own screening date.
    private static ScheduledVisit Screening(VisitDefinition visit, ScheduleInput input, IReadOnlyDictionary<string, DateOnly> recorded)
    {
        var date = Actual(recorded, visit) ?? input.EnrolledDate;
        return new ScheduledVisit(visit.Code, visit.Name, visit.Kind, date, date, date, Provisional: false,
            VisitStatuses.Done, date, InWindow: true);
    }

    // An unanchored visit (the first infusion, day 0) is the anchor of everything else. Before it
    // happens its date is only planned (enrolment + the protocol's planning delay), so it is
    // provisional; once it happens its actual date is its target by definition, so it is in window.
    private static ScheduledVisit Unanchored(ProtocolDefinition protocol, VisitDefinition visit, ScheduleInput input,
        IReadOnlyDictionary<string, DateOnly> recorded, DateOnly today)
    {
        var actual = Actual(recorded, visit);
        return actual is { } happened
            ? Place(visit, happened, provisional: false, actual, today)
            : Place(visit, input.EnrolledDate.AddDays(protocol.Inf1PlannedDaysAfterEnrolment + visit.OffsetDays), provisional: true, actual, today);
    }

    // Targets come from the anchor's actual date; until the anchor happened, from its
    // provisional target, and then they are provisional too. Only the named anchor counts, so a
    // late INF2 does not move INF3/INF4, which are anchored on INF1.
    private static ScheduledVisit AnchoredOnVisit(VisitDefinition visit, IReadOnlyDictionary<string, ScheduledVisit> placed,
        IReadOnlyDictionary<string, DateOnly> recorded, DateOnly today)
    {
        if (!placed.TryGetValue(visit.Anchor!, out var anchor))
            throw new InvalidOperationException($"Visit {visit.Code} is anchored on {visit.Anchor}, which is not an unanchored visit of the protocol; load protocols through ProtocolLoader so they are validated.");
        var happened = anchor.Status == VisitStatuses.Done;
        var anchorDate = anchor.ActualDate ?? anchor.TargetDate;
        return Place(visit, anchorDate.AddDays(visit.OffsetDays), provisional: !happened, Actual(recorded, visit), today);
    }

    // The follow-ups' anchor, "the last infusion given", is final once no further infusion can
    // come: every infusion visit is done or missed, or infusions were discontinued. It is then the
    // latest actual infusion date. Before that it is provisional: the last infusion visit still
    // expected (not missed), at its actual date if done, else at its target.
    private static (DateOnly Date, bool Provisional) LastInfusionAnchor(ProtocolDefinition protocol, ScheduleInput input,
        IReadOnlyDictionary<string, ScheduledVisit> placed)
    {
        var infusions = protocol.InfusionVisits.Select(v => placed[v.Code]).ToList();
        if (infusions.Count == 0)
            throw new InvalidOperationException("The protocol has follow-ups anchored on the last infusion but no infusion visit; load protocols through ProtocolLoader so they are validated.");

        var given = infusions.Where(s => s.Status == VisitStatuses.Done).Select(s => s.ActualDate!.Value).ToList();
        var noMoreToCome = input.InfusionsDiscontinuedDate is not null
            || infusions.All(s => s.Status is VisitStatuses.Done or VisitStatuses.Missed);
        if (noMoreToCome && given.Count > 0)
            return (given.Max(), false);

        // Discontinued before any infusion: there is no infusion to anchor on, so the follow-ups
        // stay provisional on the first infusion's planned date; they remain visible for planning
        // but, being provisional, are never reported missed.
        if (given.Count == 0 && input.InfusionsDiscontinuedDate is not null)
            return (infusions[0].TargetDate, true);

        // The first infusion is unanchored, hence never missed, so one is always still expected.
        var lastExpected = infusions.LastOrDefault(s => s.Status != VisitStatuses.Missed) ?? infusions[0];
        return (lastExpected.ActualDate ?? lastExpected.TargetDate, true);
    }

    // Status rules: done when recorded (in window when within both inclusive ends); missed only
    // when the target is firm and the window has closed - a provisional target may still move,
    // so a provisional visit is never missed; otherwise scheduled.
    private static ScheduledVisit Place(VisitDefinition visit, DateOnly target, bool provisional, DateOnly? actual, DateOnly today)
    {
        var start = target.AddDays(-visit.WindowBeforeDays);
        var end = target.AddDays(visit.WindowAfterDays);
        if (actual is { } date)
        {
            return new ScheduledVisit(visit.Code, visit.Name, visit.Kind, target, start, end, provisional,
                VisitStatuses.Done, date, date >= start && date <= end);
        }

        var status = !provisional && today > end ? VisitStatuses.Missed : VisitStatuses.Scheduled;
        return new ScheduledVisit(visit.Code, visit.Name, visit.Kind, target, start, end, provisional, status, null, null);
    }

    private static DateOnly? Actual(IReadOnlyDictionary<string, DateOnly> recorded, VisitDefinition visit) =>
        recorded.TryGetValue(visit.Code, out var date) ? date : null;
}

internal static class RecordedDates
{
    // Codes the protocol does not know are ignored: they cannot place or move any visit of
    // this protocol. Two records of one visit are a caller error (a correction replaces the
    // record), and guessing which one counts could silently move the whole schedule.
    public static IReadOnlyDictionary<string, DateOnly> Index(ProtocolDefinition protocol, IEnumerable<RecordedVisit> visits)
    {
        var index = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var visit in visits)
        {
            if (protocol.FindVisit(visit.VisitCode) is null) continue;
            if (!index.TryAdd(visit.VisitCode, visit.ActualDate))
                throw new ArgumentException($"Visit {visit.VisitCode} is recorded more than once; a correction must replace the earlier record.", nameof(visits));
        }
        return index;
    }
}
