using System.Text;
using Trial.Application.Audit;
using Trial.Db.Audit;

namespace Trial.Hosting.Audit;

/// <summary>
/// Anchors posted as JSON to a URL (a log service, a timestamping or notary service of the sponsor's), which keeps them
/// and checks them against the trail; a failed post fails the job, which Hangfire retries.
/// </summary>
public sealed class AuditAnchorUrl(Uri url, HttpClient http) : IAuditAnchorSink
{
    private AuditAnchor? _last;

    public Task<AuditAnchor?> LastAsync(CancellationToken ct = default) => Task.FromResult(_last);

    public async Task WriteAsync(AuditAnchor anchor, CancellationToken ct = default)
    {
        using var response = await http.PostAsync(url, new StringContent(anchor.ToJson(), Encoding.UTF8, "application/json"), ct);
        response.EnsureSuccessStatusCode();
        _last = anchor;
    }
}

/// <summary>Anchors as log lines (event <see cref="EventName"/>) for a log collector or SIEM, which keeps them and checks them against the trail.</summary>
public sealed class AuditAnchorLog(ILogger<AuditAnchorLog> log) : IAuditAnchorSink
{
    public const string EventName = "AuditAnchor";
    private static readonly EventId Event = new(7101, EventName);
    private AuditAnchor? _last;

    public Task<AuditAnchor?> LastAsync(CancellationToken ct = default) => Task.FromResult(_last);

    public Task WriteAsync(AuditAnchor anchor, CancellationToken ct = default)
    {
        log.LogInformation(Event, "Audit chain anchor: row {AuditLastId}, hash {AuditLastHash}, at {AuditAnchorUtc:O} {AuditAnchor}",
            anchor.LastId, anchor.LastHash, anchor.AtUtc, anchor.ToJson());
        _last = anchor;
        return Task.CompletedTask;
    }
}
