namespace Trial.Application.Visits;

/// <summary>A recorded visit as the audit trail sees it.</summary>
internal sealed record AuditedVisit(string ParticipantCode, string VisitCode, DateOnly ActualDate, int Version);
