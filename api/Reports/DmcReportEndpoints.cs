using Microsoft.Net.Http.Headers;
using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Reports;
using Trial.Core.Protocol;
using Trial.Core.Reports;

namespace Trial.Api.Reports;

public sealed record ArmResponse(string Code, string Name, string Drug, decimal DoseMgPerKg, int AllocationRatio);

/// <summary>
/// The closed-session report: every section by arm. <c>CutoffUtc</c> is the moment of the one snapshot it was built from
/// (every write committed before it is in the report); <c>GeneratedUtc</c> when it was made.
/// </summary>
public sealed record DmcClosedReportResponse(
    string Session, string ProtocolId, string ProtocolVersion, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites,
    IReadOnlyList<ArmResponse> Arms, decimal ResponseMinReductionPercent, decimal RemissionMaxTotal,
    IReadOnlyList<EnrolmentCount> Enrolment, IReadOnlyList<ArmRandomisationCount> Randomisation, IReadOnlyList<ArmParticipantCounts> Participants,
    IReadOnlyList<ArmExposure> Exposure, IReadOnlyList<ArmDispositionEvent> Disposition, IReadOnlyList<ArmAdverseEventCounts> AdverseEvents,
    PreTreatmentAdverseEvents PreTreatmentAdverseEvents, IReadOnlyList<ArmSpecialInterestCounts> SpecialInterest,
    IReadOnlyList<ArmSeriousEvent> SeriousAdverseEvents, IReadOnlyList<ArmSeriousEvent> Deaths, IReadOnlyList<AlertCounts> SafetyAlerts,
    IReadOnlyList<PooledAlertCounts> PreTreatmentAlerts, IReadOnlyList<ArmPeak> CadssTotalPeaks, IReadOnlyList<ArmPeak> BprsPositivePeaks,
    IReadOnlyList<ArmPeak> MadrsItem10Peaks, IReadOnlyList<ArmVitalSignExtremes> VitalSigns, IReadOnlyList<ArmUnblinding> EmergencyUnblindings,
    IReadOnlyList<EfficacyCounts> Efficacy)
{
    public static DmcClosedReportResponse Of(ProtocolDefinition protocol, DateTime cutoffUtc, DateTime generatedUtc, IReadOnlyList<string>? sites, DmcClosedReport r) =>
        new("closed", protocol.ProtocolId, protocol.Version, cutoffUtc, generatedUtc, sites,
            [.. protocol.Design.Arms.Select(a => new ArmResponse(a.Code, a.Name, a.Drug, a.DoseMgPerKg, a.AllocationRatio))],
            protocol.Efficacy.ResponseMinReductionPercent, protocol.Efficacy.RemissionMaxTotal,
            r.Enrolment, r.Randomisation, r.Participants, r.Exposure, r.Disposition, r.AdverseEvents, r.PreTreatmentAdverseEvents, r.SpecialInterest,
            r.SeriousAdverseEvents, r.Deaths, r.SafetyAlerts, r.PreTreatmentAlerts, r.CadssTotalPeaks, r.BprsPositivePeaks, r.MadrsItem10Peaks,
            r.VitalSigns, r.EmergencyUnblindings, r.Efficacy);
}

/// <summary>
/// The open-session report: the closed report's sections pooled over the arms. It names no arm and no drug, not even the
/// study's identifier (which names one), and holds no text typed at a site (<c>FreeTextWithheld</c>): such text can name a drug.
/// </summary>
public sealed record DmcOpenReportResponse(
    string Session, string ProtocolVersion, DateTime CutoffUtc, DateTime GeneratedUtc, IReadOnlyList<string>? Sites,
    decimal ResponseMinReductionPercent, decimal RemissionMaxTotal, bool FreeTextWithheld,
    IReadOnlyList<EnrolmentCount> Enrolment, IReadOnlyList<PooledRandomisationCount> Randomisation, PooledParticipantCounts Participants,
    PooledExposure Exposure, IReadOnlyList<PooledDispositionEvent> Disposition, PooledAdverseEventCounts AdverseEvents,
    PreTreatmentAdverseEvents PreTreatmentAdverseEvents, IReadOnlyList<PooledSpecialInterestCounts> SpecialInterest,
    IReadOnlyList<PooledSeriousEvent> SeriousAdverseEvents, IReadOnlyList<PooledSeriousEvent> Deaths, IReadOnlyList<PooledAlertCounts> SafetyAlerts,
    IReadOnlyList<PooledAlertCounts> PreTreatmentAlerts, IReadOnlyList<PooledPeak> CadssTotalPeaks, IReadOnlyList<PooledPeak> BprsPositivePeaks,
    IReadOnlyList<PooledPeak> MadrsItem10Peaks, IReadOnlyList<PooledVitalSignExtremes> VitalSigns, IReadOnlyList<PooledUnblinding> EmergencyUnblindings,
    IReadOnlyList<PooledEfficacyCounts> Efficacy)
{
    public static DmcOpenReportResponse Of(ProtocolDefinition protocol, DateTime cutoffUtc, DateTime generatedUtc, IReadOnlyList<string>? sites, DmcOpenReport r) =>
        new("open", protocol.Version, cutoffUtc, generatedUtc, sites, protocol.Efficacy.ResponseMinReductionPercent, protocol.Efficacy.RemissionMaxTotal, true,
            r.Enrolment, r.Randomisation, r.Participants, r.Exposure, r.Disposition, r.AdverseEvents, r.PreTreatmentAdverseEvents, r.SpecialInterest,
            r.SeriousAdverseEvents, r.Deaths, r.SafetyAlerts, r.PreTreatmentAlerts, r.CadssTotalPeaks, r.BprsPositivePeaks, r.MadrsItem10Peaks,
            r.VitalSigns, r.EmergencyUnblindings, r.Efficacy);
}

/// <summary>
/// The routes of the data monitoring committee's two reports (the use case is <see cref="PullDmcReport"/>), each built from one snapshot and stamped with its cut-off: the closed-session
/// report by arm (unblinded statistician only) and the open-session report pooled over the arms (also admins and monitors,
/// as it tells nothing of the arms). JSON, or with <c>Accept: text/html</c> one printable page. Every pull is recorded in the
/// audit trail without its contents.
/// </summary>
public static class DmcReportEndpoints
{
    public static IEndpointRouteBuilder MapDmcReports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/reports/dmc").WithTags("Reports");
        group.MapGet("", ClosedAsync).RequireAuthorization(Policies.UnblindedStatistician).WithName("DmcReport")
            .WithSummary("Closed-session report for the data monitoring committee, by arm (unblinded statistician; your sites, or one with site), stamped with " +
                         "the data cut-off (cutoffUtc) of the one snapshot it is built from: enrolment and randomisation by site and month; participants dosed, " +
                         "infusions per participant, discontinuations and withdrawals with reasons; treatment-emergent adverse events (onset on or after the " +
                         "first infusion; earlier ones counted apart, never credited to an arm), serious adverse events and deaths listed, adverse events of " +
                         "special interest by category; safety alerts in force by rule (on data from the first dose on); peak CADSS, BPRS+ and MADRS item 10 by " +
                         "infusion and vital-sign extremes after dosing; emergency unblindings; MADRS response and remission by visit from the first dose on. " +
                         "JSON, or one printable HTML page with Accept: text/html.")
            .Produces<DmcClosedReportResponse>(StatusCodes.Status200OK, "application/json").ProducesHtml()
            .ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/open", OpenAsync).RequireAuthorization(Policies.DmcOpenReader).WithName("DmcOpenReport")
            .WithSummary("Open-session report for the data monitoring committee, pooled over the arms (unblinded statistician, admin, monitor; your sites, " +
                         "or one with site): the closed report's sections without any arm, and without text typed at the sites (verbatim terms, reasons), " +
                         "which can name a drug. Stamped with the data cut-off (cutoffUtc). JSON, or one printable HTML page with Accept: text/html.")
            .Produces<DmcOpenReportResponse>(StatusCodes.Status200OK, "application/json").ProducesHtml()
            .ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> ClosedAsync(string? site, PullDmcReport reports, ProtocolDefinition protocol, HttpContext http)
    {
        var html = WantsHtml(http.Request);
        var pulled = await reports.ClosedAsync(http.Actor(), site, Format(html), http.RequestAborted);
        if (pulled.IsRefused) return pulled.Refusal!.ToResult();
        var (report, cutoff, generated, sites) = pulled.Value!;
        var response = DmcClosedReportResponse.Of(protocol, cutoff, generated, sites, report);
        return Respond(http, html, response, () => DmcReportHtml.Closed(response));
    }

    private static async Task<IResult> OpenAsync(string? site, PullDmcReport reports, ProtocolDefinition protocol, HttpContext http)
    {
        var html = WantsHtml(http.Request);
        var pulled = await reports.OpenAsync(http.Actor(), site, Format(html), http.RequestAborted);
        if (pulled.IsRefused) return pulled.Refusal!.ToResult();
        var (report, cutoff, generated, sites) = pulled.Value!;
        var response = DmcOpenReportResponse.Of(protocol, cutoff, generated, sites, report);
        return Respond(http, html, response, () => DmcReportHtml.Open(response));
    }

    // The format of the pull, as the audit trail records it.
    private static string Format(bool html) => html ? "html" : "json";

    /// <summary>
    /// HTML when the caller prefers text/html to JSON (a browser does; a script sending no Accept, or */*, gets JSON). Only an
    /// explicit text/html counts: a wildcard is taken as JSON.
    /// </summary>
    internal static bool WantsHtml(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        double html = 0, json = 0;
        foreach (var media in accept)
        {
            var quality = media.Quality ?? 1;
            if (media.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, quality);
            }
            else if (media.MatchesAllTypes || media.MatchesAllSubTypes && media.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                     || media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
        }
        return html > 0 && html >= json;
    }

    private static IResult Respond<T>(HttpContext http, bool html, T json, Func<string> page)
    {
        var headers = http.Response.Headers;
        headers.Vary = HeaderNames.Accept;
        // Unblinded (closed) or not, a report is a copy of clinical data: no cache keeps it.
        headers.CacheControl = "no-store";
        if (!html) return Results.Ok(json);
        // The page needs nothing but its own inline style; a policy that allows nothing else keeps any script from running.
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
        headers.XContentTypeOptions = "nosniff";
        return Results.Content(page(), "text/html; charset=utf-8");
    }
}
