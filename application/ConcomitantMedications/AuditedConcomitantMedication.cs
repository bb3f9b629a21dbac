using Trial.Db.ConcomitantMedications;

namespace Trial.Application.ConcomitantMedications;

/// <summary>A concomitant medication as the audit trail records it: every field people enter, under the API's names.</summary>
internal sealed record AuditedConcomitantMedication(
    Guid Id, string ParticipantCode, string Name, string? AtcCode, string? Dose, string? Route, DateOnly StartDate, DateOnly? EndDate, bool Ongoing,
    string? Indication, int Version)
{
    public static AuditedConcomitantMedication From(ConcomitantMedicationRow r, string code) =>
        new(r.Id, code, r.Name, r.AtcCode, r.Dose, r.Route, r.StartDate, r.EndDate, r.Ongoing, r.Indication, r.RowVersion);
}
