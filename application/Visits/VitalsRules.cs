using Trial.Application.Participants;
using Trial.Core.Protocol;

namespace Trial.Application.Visits;

/// <summary>What vital signs must satisfy, whether they are recorded or corrected.</summary>
internal static class VitalsRules
{
    /// <summary>
    /// The entered values checked against the protocol's limits; null (with <paramref name="errors"/>) when any is wrong.
    /// <paramref name="routeTimepoint"/> is the timepoint a correction is made at (null when recording), which the body may
    /// repeat but not change.
    /// </summary>
    public static CheckedVitals? Check(VitalsValues body, string? routeTimepoint, ProtocolDefinition protocol, FieldErrors errors, bool reasonRequired)
    {
        var limits = protocol.Vitals;
        var timepoint = routeTimepoint ?? errors.Required(body.Timepoint?.Trim(), "timepoint", "Timepoint");
        if (routeTimepoint is not null && !string.IsNullOrWhiteSpace(body.Timepoint) && body.Timepoint.Trim() != routeTimepoint)
            errors.Add("timepoint", $"A correction cannot move vital signs to another timepoint ({routeTimepoint}).");
        if (timepoint is not null && !protocol.Timepoints.Contains(timepoint))
            errors.Add("timepoint", $"Timepoint must be one of {string.Join(", ", protocol.Timepoints)}; got '{timepoint}'.");
        void CheckRange(int? value, Trial.Core.Protocol.Range range, string field, string what, string unit)
        {
            if (errors.Required(value, field, what) is { } v && !range.Contains(v))
                errors.Add(field, $"{what} must be between {range.Min} and {range.Max} {unit}; got {v}.");
        }
        CheckRange(body.Systolic, limits.Systolic, "systolic", "Systolic blood pressure", "mmHg");
        CheckRange(body.Diastolic, limits.Diastolic, "diastolic", "Diastolic blood pressure", "mmHg");
        CheckRange(body.HeartRate, limits.HeartRate, "heartRate", "Heart rate", "beats/min");
        CheckRange(body.Spo2, limits.Spo2, "spo2", "SpO2", "%");
        if (body.Systolic is { } sys && body.Diastolic is { } dia && dia >= sys)
            errors.Add("diastolic", $"Diastolic pressure ({dia}) must be below systolic ({sys}).");
        var reason = DataEntry.CheckReason(errors, body.Reason, reasonRequired);
        return errors.Any ? null : new CheckedVitals(timepoint!, body.Systolic!.Value, body.Diastolic!.Value, body.HeartRate!.Value, body.Spo2!.Value, reason);
    }
}
