using Trial.Db.Assessments;

namespace Trial.Application.Assessments;

/// <summary>
/// An assessment as the audit trail records it: what was entered, the same fields under the same names as the API's
/// assessment. OutOfWindow stays null: the trail records what was entered, not how it stood against the schedule.
/// </summary>
internal sealed record AuditedAssessment(
    Guid Id, string ParticipantCode, string VisitCode, string Instrument, string? Timepoint, bool Unscheduled,
    DateTime AdministeredUtc, DateTime ReceivedUtc, bool Complete, string? SeverityBand,
    IReadOnlyDictionary<string, decimal> Scores, IReadOnlyList<decimal?> Items,
    string DefinitionVersion, string ProtocolVersion, int Version, bool? OutOfWindow = null)
{
    public static AuditedAssessment From(StoredAssessment a) => new(
        a.Row.Id, a.Row.ParticipantCode, a.Row.VisitCode, a.Row.Instrument, a.Row.Timepoint.Length == 0 ? null : a.Row.Timepoint,
        a.Row.Unscheduled, a.Row.AdministeredUtc, a.Row.ReceivedUtc, a.Row.Complete, a.Row.SeverityBand,
        ScoreFormat.InScoreOrder(a.Row.Instrument, a.Scores), ScoreFormat.Items(a.Items),
        a.Row.DefinitionVersion, a.Row.ProtocolVersion, a.Row.RowVersion);
}
