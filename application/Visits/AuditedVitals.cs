using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>Vital signs as the audit trail records them: the same fields, under the same names, as the API's vital signs.</summary>
internal sealed record AuditedVitals(
    Guid Id, string ParticipantCode, string VisitCode, string Timepoint, int Systolic, int Diastolic, int HeartRate, int Spo2, DateTime RecordedUtc, int Version)
{
    public static AuditedVitals From(VitalSignRow r, string code) =>
        new(r.Id, code, r.VisitCode, r.Timepoint, r.Systolic, r.Diastolic, r.HeartRate, r.Spo2, r.RecordedUtc, r.RowVersion);
}
