using System.Runtime.CompilerServices;
using Trial.Core.Protocol;
using Trial.Db.Exports;

namespace Trial.Api.Exports.Datasets;

public sealed class EfficacyRow
{
    public string ParticipantCode { get; set; } = "";
    public string SiteCode { get; set; } = "";
    public string VisitCode { get; set; } = "";
    public int? VisitNumber { get; set; }
    public string? Timepoint { get; set; }
    public DateTime AdministeredUtc { get; set; }
    public int? StudyDay { get; set; }
    public decimal Total { get; set; }
    public string? BaselineSource { get; set; }
    public decimal? Baseline { get; set; }
    public bool IsBaseline { get; set; }
    public EfficacyOutcome Outcome { get; set; } = EfficacyOutcome.None;
}

/// <summary>A MADRS total judged against the participant's baseline by the protocol's efficacy rules.</summary>
public sealed record EfficacyOutcome(decimal? Change, decimal? PercentChange, bool? Response, bool Remission)
{
    public static readonly EfficacyOutcome None = new(null, null, null, false);

    /// <summary>
    /// Change and percent change from <paramref name="baseline"/>; response = a reduction of at least the protocol's
    /// percentage, decided on exact values (the percent change is rounded only for display); remission = total at or
    /// below the protocol's maximum, which needs no baseline. Without a baseline (or on the baseline record itself)
    /// change, percent change and response are empty; with a baseline of 0 the percentages are undefined.
    /// </summary>
    public static EfficacyOutcome Of(decimal total, decimal? baseline, bool isBaseline, EfficacyRules rules)
    {
        var remission = total <= rules.RemissionMaxTotal;
        if (baseline is not { } b || isBaseline) return new EfficacyOutcome(null, null, null, remission);
        var change = total - b;
        if (b == 0) return new EfficacyOutcome(change, null, null, remission);
        var percent = Math.Round(change * 100 / b, 2, MidpointRounding.AwayFromZero);
        var response = (b - total) * 100 >= rules.ResponseMinReductionPercent * b;
        return new EfficacyOutcome(change, percent, response, remission);
    }
}

/// <summary>
/// One row per participant and visit (and timepoint) with a MADRS total, judged against the participant's
/// baseline as the protocol defines it: the BL MADRS, or INF1 pre when BL has no total. Response and
/// remission thresholds come from the protocol file (efficacy), so an amendment needs no code change.
/// </summary>
public sealed class EfficacyDataset(EfficacyRules rules) : ExtractDataset<EfficacyRow>
{
    public override string Name => "efficacy";
    public override string Description => "One row per participant and visit with a MADRS total: baseline, change, percent change, response, remission.";

    public override IReadOnlyList<ExtractColumn<EfficacyRow>> Columns { get; } =
    [
        Column<EfficacyRow>.Text("participant_code", "Participant code", r => r.ParticipantCode, "The participant (see participants).", "Participant.Code"),
        Column<EfficacyRow>.Text("site", "Site code", r => r.SiteCode, "The participant's site.", "Participant.SiteCode"),
        Column<EfficacyRow>.Text("visit_code", "Visit code", r => r.VisitCode, "The visit of the MADRS.", "Assessment.VisitCode"),
        Column<EfficacyRow>.Integer("visit_num", "Visit number", r => r.VisitNumber, "Position of the visit in the protocol's visit plan (as in visits).", "protocol file: order of visits[]"),
        Column<EfficacyRow>.Text("timepoint", "Infusion timepoint", r => r.Timepoint, "pre at infusion visits; empty elsewhere.", "Assessment.Timepoint", allowed: "pre, t40, t120, t240"),
        Column<EfficacyRow>.Instant("administered_utc", "Administered", r => r.AdministeredUtc, "When the MADRS was administered, in UTC.", "Assessment.AdministeredUtc"),
        Column<EfficacyRow>.Integer("study_day", "Study day", r => r.StudyDay,
            "UTC date of administration relative to INF1's actual date (day 0; the day before is -1). Empty before INF1.", "derived", unit: "days"),
        Column<EfficacyRow>.Number("madrs_total", "MADRS total", r => r.Total, "The MADRS total of this visit (complete assessments only).", "AssessmentScore.Value (MADRS total)",
            allowed: "0 to 60", unit: "points"),
        Column<EfficacyRow>.Text("baseline_source", "Baseline visit", r => r.BaselineSource,
            "Which MADRS is the baseline: the BL visit's, or INF1 pre when BL has no total (protocol). Empty when neither has a total.", "derived",
            allowed: "BL, INF1 pre (the protocol's baseline visit, else its first infusion's first timepoint)"),
        Column<EfficacyRow>.Number("baseline_total", "Baseline MADRS total", r => r.Baseline, "The participant's baseline MADRS total; empty when there is no baseline.", "derived", unit: "points"),
        Column<EfficacyRow>.Boolean("is_baseline", "Baseline record", r => r.IsBaseline, "True on the row that is the baseline itself.", "derived"),
        Column<EfficacyRow>.Number("change_from_baseline", "Change from baseline", r => r.Outcome.Change,
            "madrs_total - baseline_total (negative = improvement). Empty without a baseline and on the baseline record.", "derived", unit: "points"),
        Column<EfficacyRow>.Number("percent_change", "Percent change from baseline", r => r.Outcome.PercentChange,
            "100 x change / baseline, rounded to 2 decimals. Empty without a baseline, on the baseline record, and when the baseline is 0.", "derived", unit: "%"),
        Column<EfficacyRow>.Boolean("response", "Response", r => r.Outcome.Response,
            "True when the total fell by at least the protocol's response threshold (default 50 %) from baseline, judged on exact values. "
            + "Empty without a baseline, on the baseline record, and when the baseline is 0.", "derived: protocol efficacy.responseMinReductionPercent"),
        Column<EfficacyRow>.Boolean("remission", "Remission", r => r.Outcome.Remission,
            "True when the total is at or below the protocol's remission threshold (default 10); needs no baseline.", "derived: protocol efficacy.remissionMaxTotal"),
    ];

    protected override async IAsyncEnumerable<EfficacyRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var anchors = context.Anchors;
        var fallbackSource = $"{anchors.FallbackVisit} {anchors.FallbackTimepoint}";
        var row = new EfficacyRow();
        await using var reader = await ExportQueries.EfficacyAsync(context.Snapshot, context.Filter, anchors, ct);
        int code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), visit = reader.GetOrdinal("VisitCode"),
            timepoint = reader.GetOrdinal("Timepoint"), administered = reader.GetOrdinal("AdministeredUtc"), dayZero = reader.GetOrdinal("DayZeroDate"),
            total = reader.GetOrdinal("Total"), baseline = reader.GetOrdinal("BaselineTotal"), fallback = reader.GetOrdinal("FallbackTotal");
        while (await reader.ReadAsync(ct))
        {
            row.ParticipantCode = reader.GetString(code);
            row.SiteCode = reader.GetString(site);
            row.VisitCode = reader.GetString(visit);
            row.VisitNumber = context.VisitNumbers.TryGetValue(row.VisitCode, out var n) ? n : null;
            var tp = reader.GetString(timepoint);
            row.Timepoint = tp.Length > 0 ? tp : null;
            row.AdministeredUtc = ExportValues.Instant(reader, administered)!.Value;
            row.StudyDay = ExtractText.StudyDay(context.LocalDate(row.SiteCode, row.AdministeredUtc), ExportValues.Date(reader, dayZero));
            row.Total = ExportValues.Number(reader, total)!.Value;

            var bl = ExportValues.Number(reader, baseline);
            var fb = ExportValues.Number(reader, fallback);
            (row.BaselineSource, row.Baseline) = bl is not null ? (anchors.BaselineVisit, bl) : fb is not null ? (fallbackSource, fb) : (null, null);
            row.IsBaseline = bl is not null
                ? row.VisitCode == anchors.BaselineVisit && tp == anchors.BaselineTimepoint
                : fb is not null && row.VisitCode == anchors.FallbackVisit && tp == anchors.FallbackTimepoint;
            row.Outcome = EfficacyOutcome.Of(row.Total, row.Baseline, row.IsBaseline, rules);
            yield return row;
        }
    }
}
