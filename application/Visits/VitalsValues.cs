namespace Trial.Application.Visits;

/// <summary>Vital signs as entered at one infusion timepoint (pre, t40, t120, t240).</summary>
public sealed record VitalsValues(string? Timepoint, int? Systolic, int? Diastolic, int? HeartRate, int? Spo2, string? Reason);

/// <summary>Checked vital signs.</summary>
public sealed record CheckedVitals(string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2, string? Reason);
