namespace Trial.Core.Schedule;

/// <summary>A visit that took place, as entered by the site.</summary>
public sealed record RecordedVisit(string VisitCode, DateOnly ActualDate);

/// <summary>
/// Everything about one participant that the schedule depends on. The date "today" is not
/// part of it: it is passed separately so Core never reads a clock. <paramref name="WithdrawnDate"/>
/// is the date the participant left the study, if they did.
/// </summary>
public sealed record ScheduleInput(DateOnly EnrolledDate, IReadOnlyList<RecordedVisit> Visits, DateOnly? InfusionsDiscontinuedDate, DateOnly? WithdrawnDate = null);

/// <summary>
/// One visit of a participant's schedule. <see cref="Provisional"/> means the target rests on
/// an anchor that has not happened yet, so it will move; <see cref="InWindow"/> is only known
/// for visits that are done (false = protocol deviation, kept and flagged).
/// </summary>
public sealed record ScheduledVisit(
    string VisitCode,
    string Name,
    string Kind,
    DateOnly TargetDate,
    DateOnly WindowStart,
    DateOnly WindowEnd,
    bool Provisional,
    string Status,
    DateOnly? ActualDate,
    bool? InWindow);

/// <summary>A visit on a worklist: how many days remain until its window closes, and how pressing it is (<see cref="Urgencies"/>).</summary>
public sealed record DueVisit(ScheduledVisit Visit, int DaysLeft, string Urgency);
