using System.Globalization;
using Trial.Core.Protocol;

namespace Trial.Core.Schedule;

/// <summary>
/// Whether a visit date may be recorded, given what has already been recorded. Only what is
/// impossible is refused (a visit before the one it follows, infusions out of order or after a
/// later visit already recorded, dates in the future); a visit outside its window is a protocol
/// deviation, kept and flagged by the schedule (InWindow = false), never refused.
/// </summary>
public static class VisitSequencing
{
    /// <summary>Null when recording <paramref name="visitCode"/> on <paramref name="actualDate"/> is allowed, else a message naming the problem.</summary>
    public static string? CheckRecording(ProtocolDefinition protocol, ScheduleInput input, string visitCode, DateOnly actualDate, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(input);

        var visit = protocol.FindVisit(visitCode);
        if (visit is null)
            return $"'{visitCode}' is not a visit of protocol {protocol.ProtocolId} version {protocol.Version} (visits: {string.Join(", ", protocol.Visits.Select(v => v.Code))}).";
        var label = Label(visit);
        if (actualDate > today)
            return $"{label} cannot be recorded on {Format(actualDate)}: that date is in the future (today is {Format(today)}).";
        if (actualDate < input.EnrolledDate)
            return $"{label} cannot be recorded on {Format(actualDate)}: that is before the participant was enrolled ({Format(input.EnrolledDate)}).";

        // A correction is checked as if the visit had never been recorded, so its own earlier
        // date neither blocks nor excuses the new one.
        var recorded = RecordedDates.Index(protocol, input.Visits.Where(v => v.VisitCode != visit.Code));

        if (visit.Kind == VisitKinds.Infusion && input.InfusionsDiscontinuedDate is { } stopped && actualDate > stopped)
            return $"{label} cannot be recorded on {Format(actualDate)}: infusions were discontinued on {Format(stopped)}, and no infusion can be given after that.";

        var anchorProblem = CheckAnchor(protocol, input, visit, label, actualDate, recorded);
        if (anchorProblem is not null)
            return anchorProblem;

        if (visit.Kind != VisitKinds.Infusion)
            return null;
        return CheckInfusionOrder(protocol, visit, label, actualDate, recorded)
            ?? CheckLaterVisitsRecorded(protocol, visit, label, actualDate, recorded);
    }

    // An infusion dated after a visit that comes later in the protocol (a follow-up, POST24 after
    // INF1) would mean that visit was timed from an infusion that had not happened yet, so the
    // data were entered out of order. The same day is allowed: a later visit may share the day.
    private static string? CheckLaterVisitsRecorded(ProtocolDefinition protocol, VisitDefinition visit, string label,
        DateOnly actualDate, IReadOnlyDictionary<string, DateOnly> recorded)
    {
        var earliest = protocol.Visits
            .SkipWhile(v => v.Code != visit.Code)
            .Skip(1)
            .Where(v => recorded.TryGetValue(v.Code, out var date) && date < actualDate)
            .Select(v => (Visit: v, Date: recorded[v.Code]))
            .OrderBy(l => l.Date)
            .FirstOrDefault();
        return earliest.Visit is null
            ? null
            : $"{label} cannot be recorded on {Format(actualDate)}: {Label(earliest.Visit)}, which comes later in the protocol, is already recorded on {Format(earliest.Date)}.";
    }

    // A visit whose window opens before its anchor (baseline: up to 14 days before INF1) is
    // meant to happen before the anchor, so neither "anchor recorded" nor "not before anchor"
    // applies to it; refusing it would refuse correct, in-window visits.
    private static string? CheckAnchor(ProtocolDefinition protocol, ScheduleInput input, VisitDefinition visit, string label,
        DateOnly actualDate, IReadOnlyDictionary<string, DateOnly> recorded)
    {
        if (visit.Anchor is null || visit.OffsetDays - visit.WindowBeforeDays < 0)
            return null;

        if (visit.Anchor == ProtocolDefinition.LastInfusionAnchor)
        {
            var given = protocol.InfusionVisits
                .Where(v => recorded.ContainsKey(v.Code))
                .Select(v => (Visit: v, Date: recorded[v.Code]))
                .ToList();
            if (given.Count == 0)
                return $"{label} cannot be recorded yet: it is timed from the last infusion given, and no infusion has been recorded.";
            var last = given.MaxBy(g => g.Date);
            return actualDate < last.Date
                ? $"{label} cannot be recorded on {Format(actualDate)}: that is before the last infusion given, {Label(last.Visit)} on {Format(last.Date)}."
                : null;
        }

        var anchor = protocol.FindVisit(visit.Anchor)
            ?? throw new InvalidOperationException($"Visit {visit.Code} is anchored on unknown visit {visit.Anchor}; load protocols through ProtocolLoader so they are validated.");
        // Screening is done at enrolment even when no screening date was recorded (see ScheduleCalculator).
        DateOnly? anchorDate = recorded.TryGetValue(anchor.Code, out var d) ? d
            : anchor.Kind == VisitKinds.Screening ? input.EnrolledDate
            : null;
        if (anchorDate is null)
            return $"{label} cannot be recorded before {Label(anchor)} has been recorded.";
        return actualDate < anchorDate
            ? $"{label} cannot be recorded on {Format(actualDate)}: that is before {Label(anchor)} on {Format(anchorDate.Value)}."
            : null;
    }

    // Infusions are given in protocol order, at most one a day: each must come strictly after
    // every earlier infusion recorded and strictly before every later one already recorded. An
    // earlier infusion may still be entered late (e.g. INF2 typed in after INF3) as long as its
    // date fits between them; skipped (missed) infusions do not block later ones.
    private static string? CheckInfusionOrder(ProtocolDefinition protocol, VisitDefinition visit, string label,
        DateOnly actualDate, IReadOnlyDictionary<string, DateOnly> recorded)
    {
        var infusions = protocol.InfusionVisits.ToList();
        var position = infusions.FindIndex(v => v.Code == visit.Code);

        var earlier = infusions.Take(position).Where(v => recorded.ContainsKey(v.Code)).Select(v => (Visit: v, Date: recorded[v.Code])).ToList();
        if (earlier.Count > 0)
        {
            var previous = earlier.MaxBy(e => e.Date);
            if (actualDate <= previous.Date)
                return $"{label} cannot be recorded on {Format(actualDate)}: infusions must follow each other, and {Label(previous.Visit)} was given on {Format(previous.Date)}.";
        }

        var later = infusions.Skip(position + 1).Where(v => recorded.ContainsKey(v.Code)).Select(v => (Visit: v, Date: recorded[v.Code])).ToList();
        if (later.Count > 0)
        {
            var next = later.MinBy(l => l.Date);
            if (actualDate >= next.Date)
                return $"{label} cannot be recorded on {Format(actualDate)}: {Label(next.Visit)}, a later infusion, is already recorded on {Format(next.Date)}, and infusions must follow each other.";
        }
        return null;
    }

    private static string Label(VisitDefinition visit) => $"{visit.Code} ({visit.Name})";

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
