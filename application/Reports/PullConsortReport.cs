using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Reports;
using Trial.Db.Access;
using Trial.Db.Infrastructure;
using Trial.Db.Reports;

namespace Trial.Application.Reports;

/// <summary>
/// The CONSORT flow as pulled: built from one snapshot, whose moment is <c>CutoffUtc</c>, at <c>GeneratedUtc</c>, of
/// <c>Sites</c> (null: every site). <c>ByArm</c> says whether the caller may be shown the arms' flows: when false, the
/// report's <see cref="ConsortReport.Arms"/> must not leave the server.
/// </summary>
public sealed record PulledConsortReport(ConsortReport Report, bool ByArm, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites);

/// <summary>A pull of the CONSORT flow as the audit trail records it: whether it was by arm, and the cut-off of its snapshot.</summary>
internal sealed record AuditedConsortReportPull(string Report, IReadOnlyList<string>? Sites, DateTime CutoffUtc, DateTime GeneratedUtc, bool ByArm);

/// <summary>
/// The CONSORT 2010 flow diagram's numbers (statisticians, unblinded statisticians, admins), from one snapshot: by arm for
/// the roles that see arms (<see cref="Roles.Unblinded"/>, of which only the unblinded statistician may pull it), pooled for
/// everyone else. Every pull is recorded in the audit trail without its contents, as the other reports' are.
/// </summary>
public sealed class PullConsortReport(Database db, ProtocolDefinition protocol, TimeProvider clock)
{
    public const string Report = "consort";

    public async Task<Outcome<PulledConsortReport>> PullAsync(Actor actor, string? site, CancellationToken ct)
    {
        if (protocol.Design.Randomisation is null)
            return new Conflict($"Protocol version {protocol.Version} does not randomise: there is no allocation for a CONSORT flow to follow.");
        site = string.IsNullOrWhiteSpace(site) ? null : site.Trim();
        // An unknown site would give an empty flow that reads like a site with nobody screened: refused, as the extracts refuse it.
        if (site is not null && await db.ReadAsync(c => AccessQueries.FindSiteAsync(c, site)) is null)
            return Invalid.Field("site", $"Unknown site '{site}'.");
        var (sites, siteError) = ParticipantAccess.SiteScope(actor, site);
        if (siteError is not null) return siteError;

        var (cutoff, screenings, participants) = await db.ReadAsync(c => ConsortQueries.ReadAsync(c, sites, Visits(protocol), () => clock.GetUtcNow().UtcDateTime, ct), ct);
        var report = ConsortFlowCounts.Build(protocol, screenings, participants);
        var byArm = Roles.Unblinded.Contains(actor.Role);
        var now = clock.GetUtcNow().UtcDateTime;
        await ReportPulls.RecordAsync(db, actor, now, Report, new AuditedConsortReportPull(Report, sites, cutoff, now, byArm), armData: byArm);
        return new PulledConsortReport(report, byArm, cutoff, now, sites);
    }

    /// <summary>The visits the flow reads, as disposition.csv reads them: the unanchored infusion visit (INF1) is the first.</summary>
    private static ConsortVisits Visits(ProtocolDefinition protocol)
    {
        var infusions = protocol.InfusionVisits.Select(v => v.Code).ToList();
        var first = protocol.InfusionVisits.FirstOrDefault(v => v.Anchor is null)?.Code ?? "";
        return new ConsortVisits(first, infusions, infusions.LastOrDefault() ?? "", protocol.LastFollowUpVisit?.Code ?? "");
    }
}
