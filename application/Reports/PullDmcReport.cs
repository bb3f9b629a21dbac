using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Reports;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;

namespace Trial.Application.Reports;

/// <summary>
/// A DMC report as pulled: built from one snapshot, whose moment is <c>CutoffUtc</c> (every write committed before it is in
/// the report), at <c>GeneratedUtc</c>, of <c>Sites</c> (null: every site).
/// </summary>
public sealed record PulledDmcReport<TReport>(TReport Report, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites);

/// <summary>
/// The data monitoring committee's two reports, each built from one snapshot and stamped with its cut-off: the closed-session
/// report by arm and the open-session report pooled over the arms (who may pull which is the route's to say). Every pull is
/// recorded in the audit trail without its contents, with the format it was pulled in (json, or html for the printable page).
/// </summary>
public sealed class PullDmcReport(Database db, ProtocolDefinition protocol, TimeProvider clock)
{
    /// <summary>The closed-session report, by arm.</summary>
    public async Task<Outcome<PulledDmcReport<DmcClosedReport>>> ClosedAsync(Actor actor, string? site, string format, CancellationToken ct) =>
        (await ReadAsync(actor, site, "dmc", format, ct)).Then(s => new PulledDmcReport<DmcClosedReport>(DmcReport.Closed(protocol, s.Data), s.CutoffUtc, s.GeneratedUtc, s.Sites));

    /// <summary>The open-session report, pooled over the arms.</summary>
    public async Task<Outcome<PulledDmcReport<DmcOpenReport>>> OpenAsync(Actor actor, string? site, string format, CancellationToken ct) =>
        (await ReadAsync(actor, site, "dmc-open", format, ct)).Then(s => new PulledDmcReport<DmcOpenReport>(DmcReport.Open(protocol, s.Data), s.CutoffUtc, s.GeneratedUtc, s.Sites));

    private sealed record Snapshot(DmcData Data, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites);

    private async Task<Outcome<Snapshot>> ReadAsync(Actor actor, string? site, string report, string format, CancellationToken ct)
    {
        if (protocol.Design.Randomisation is null)
            return new Conflict($"Protocol version {protocol.Version} does not randomise: there are no arms for a data monitoring committee to compare.");
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;
        var (cutoff, data) = await db.ReadAsync(c => DmcQueries.ReadAsync(c, sites, () => clock.GetUtcNow().UtcDateTime, ct), ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await ReportPulls.RecordAsync(db, actor, now, report, new AuditedDmcReportPull(report, sites, cutoff, now, format), armData: report == "dmc");
        return new Snapshot(data, cutoff, now, sites);
    }
}
