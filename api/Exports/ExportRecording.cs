namespace Trial.Api.Exports;

/// <summary>One extract as it must be recorded: who took what, with which filters, how many rows, as of when.</summary>
public sealed record ExportRecord(
    Guid ExtractId, Guid UserId, string UserName, string Role, string Kind, IReadOnlyDictionary<string, long> RowCounts,
    ExportFilters Filters, DateTime SnapshotUtc, bool Completed);

/// <summary>
/// The one place an extract is recorded (regulatory: every copy of clinical data handed out is
/// attributable). For now a structured Information log entry; the audit trail, once it exists,
/// takes the record here instead, and no endpoint changes.
/// </summary>
public sealed class ExportRecording(ILogger<ExportRecording> log)
{
    public Task RecordAsync(ExportRecord record, CancellationToken ct = default)
    {
        log.LogInformation(
            "Extract {ExtractId} ({Kind}) by {UserName} ({UserId}, {Role}): rows {RowCounts}; filters site={Site} sites={Sites} instrument={Instrument} since={Since} includeFreeText={IncludeFreeText}; snapshot {SnapshotUtc:O}; completed {Completed}",
            record.ExtractId, record.Kind, record.UserName, record.UserId, record.Role,
            string.Join(", ", record.RowCounts.Select(r => $"{r.Key}={r.Value}")),
            record.Filters.Site, record.Filters.Sites is null ? "all" : string.Join(",", record.Filters.Sites), record.Filters.Instrument,
            record.Filters.Since, record.Filters.IncludeFreeText, record.SnapshotUtc, record.Completed);
        return Task.CompletedTask;
    }
}
