using Trial.Db.Visits;

namespace Trial.Application.Visits;

/// <summary>
/// An infusion as the audit trail records it: the same fields, under the same names, as the API's infusion. In a blinded
/// protocol the dose fields are empty whatever the arm, so the trail reads the same for every arm.
/// </summary>
internal sealed record AuditedInfusion(
    Guid Id, string ParticipantCode, string VisitCode, decimal WeightKg, decimal? DoseMgPerKg, decimal? TotalDoseMg, string? PreparationId, decimal? VolumeMl,
    string Route, DateTime StartUtc, DateTime EndUtc, DateTime RecordedUtc, int Version)
{
    public static AuditedInfusion From(InfusionRow r, string code) =>
        new(r.Id, code, r.VisitCode, r.WeightKg, r.DoseMgPerKg, r.TotalDoseMg, r.PreparationId, r.VolumeMl, r.Route, r.StartUtc, r.EndUtc, r.RecordedUtc, r.RowVersion);
}
