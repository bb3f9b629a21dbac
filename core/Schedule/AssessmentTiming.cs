using System.Globalization;
using Trial.Core.Protocol;

namespace Trial.Core.Schedule;

/// <summary>
/// How an assessment's date stands against its visit. <see cref="Refusal"/> is null when the date is accepted, else a
/// message naming the problem; <see cref="OutOfWindow"/> (meaningful only when accepted) flags an assessment administered
/// outside the visit's window: a protocol deviation, kept and flagged, never refused.
/// </summary>
public sealed record AssessmentTimingResult(string? Refusal, bool OutOfWindow);

/// <summary>Whether an assessment may carry the date it was administered, given the visit it belongs to.</summary>
public static class AssessmentTiming
{
    /// <summary>
    /// An assessment at one of the protocol's infusion timepoints (pre, t40, …) measures that infusion, so it must be
    /// administered on the day the infusion was given: another day is refused, even inside the visit's window. Any other
    /// assessment is accepted on any day, and flagged out of window when administered outside the visit's window
    /// (inclusive ends). An accepted infusion-timepoint assessment is out of window exactly when its infusion was.
    /// </summary>
    /// <param name="protocol">The protocol whose timepoints are the infusion timepoints.</param>
    /// <param name="visit">The visit the assessment belongs to.</param>
    /// <param name="timepoint">The infusion timepoint, or null outside infusion timepoints.</param>
    /// <param name="visitDate">The visit's recorded actual date.</param>
    /// <param name="windowStart">First day of the visit's window, from the schedule.</param>
    /// <param name="windowEnd">Last day of the visit's window, from the schedule.</param>
    /// <param name="administeredDate">The date the assessment was administered, in the site's calendar.</param>
    public static AssessmentTimingResult Check(ProtocolDefinition protocol, VisitDefinition visit, string? timepoint,
        DateOnly visitDate, DateOnly windowStart, DateOnly windowEnd, DateOnly administeredDate)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(visit);
        if (windowEnd < windowStart)
            throw new ArgumentException($"The window of {visit.Code} ends ({Format(windowEnd)}) before it starts ({Format(windowStart)}).", nameof(windowEnd));

        if (timepoint is not null)
        {
            if (!protocol.Timepoints.Contains(timepoint))
                return new($"'{timepoint}' is not a timepoint of protocol {protocol.ProtocolId} version {protocol.Version} (timepoints: {string.Join(", ", protocol.Timepoints)}).", false);
            if (administeredDate != visitDate)
                return new($"The {timepoint} assessment of {visit.Code} ({visit.Name}) is dated {Format(administeredDate)}, but infusion timepoints are measured on the day of the infusion, {Format(visitDate)}.", false);
        }

        return new(null, administeredDate < windowStart || administeredDate > windowEnd);
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
