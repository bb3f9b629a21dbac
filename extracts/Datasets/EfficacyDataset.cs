using System.Runtime.CompilerServices;
using Trial.Core.Efficacy;
using Trial.Core.Protocol;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class EfficacyRow
{
    public string ParticipantCode { get; set; } = "";
    public string SiteCode { get; set; } = "";
    public int? VisitNumber { get; set; }
    public DateTime AdministeredUtc { get; set; }
    public int? StudyDay { get; set; }
    public EfficacyPoint Point { get; set; } = null!;
    public string VisitCode => Point.Total.VisitCode;
    public string? Timepoint => Point.Total.Timepoint;
    public decimal Total => Point.Total.Total;
    public string? BaselineSource => Point.Baseline is { } b ? EfficacyBaselineRule.NameOf(b) : null;
    public decimal? Baseline => Point.Baseline?.Total;
    public bool IsBaseline => Point.IsBaseline;
    public EfficacyOutcome Outcome => Point.Outcome;
}

/// <summary>
/// One row per participant and visit (and timepoint) with a MADRS total, judged against the participant's
/// baseline as the protocol defines it: the BL MADRS, or INF1 pre when BL has no total. Response and
/// remission thresholds come from the protocol file (efficacy), so an amendment needs no code change. The
/// judging is Core's <see cref="EfficacyEvaluation"/>, the same the DMC report counts responders with.
/// </summary>
public sealed class EfficacyDataset(ProtocolDefinition protocol) : ExtractDataset<EfficacyRow>
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
            "The site's date of administration relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0). Empty before INF1.", "derived", unit: "days"),
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

    private readonly EfficacyBaselineRule _baseline = EfficacyBaselineRule.Of(protocol);

    protected override Func<EfficacyRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>
    /// Every total of the efficacy instrument, in participant order (a participant's rows together: their baseline is
    /// among them). Incremental: all of a participant's rows when any of their assessments of that instrument changed,
    /// since a changed baseline changes every row.
    /// </summary>
    public const string EfficacySql =
        $"""
        SELECT p.Code AS ParticipantCode, p.SiteCode, a.VisitCode, a.Timepoint, a.AdministeredUtc, d0.ActualDate AS DayZeroDate, s.Value AS Total
        FROM Assessment a
        JOIN Participant p ON p.Id = a.ParticipantId
        JOIN AssessmentScore s ON s.AssessmentId = a.Id AND s.Name = @score
        {ExtractSql.DayZeroJoin}
        WHERE a.Instrument = @efficacyInstrument
          AND {ExtractSql.SiteFilter}
          AND (@instrument IS NULL OR @instrument = @efficacyInstrument)
          AND (@sinceUtc IS NULL OR EXISTS (
                SELECT 1 FROM Assessment x WHERE x.ParticipantId = a.ParticipantId AND x.Instrument = @efficacyInstrument
                  AND (x.ReceivedUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AssessmentRevision r WHERE r.AssessmentId = x.Id AND r.ReplacedUtc >= @sinceUtc))))
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id
        """;

    protected override async IAsyncEnumerable<EfficacyRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, EfficacySql, context.Filter, context.Anchors, ct);
        int code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), visit = reader.GetOrdinal("VisitCode"),
            timepoint = reader.GetOrdinal("Timepoint"), administered = reader.GetOrdinal("AdministeredUtc"), dayZero = reader.GetOrdinal("DayZeroDate"),
            total = reader.GetOrdinal("Total");

        // A participant's totals arrive together (a dozen or so): collect them, judge them against their baseline, then emit.
        var rows = new List<EfficacyRow>();
        var totals = new List<EfficacyTotal>();
        var more = await reader.ReadAsync(ct);
        while (more || rows.Count > 0)
        {
            var participant = more ? reader.GetString(code) : null;
            if (rows.Count > 0 && participant != rows[0].ParticipantCode)
            {
                var points = EfficacyEvaluation.Evaluate(_baseline, protocol.Efficacy, totals);
                for (var i = 0; i < rows.Count; i++)
                {
                    rows[i].Point = points[i];
                    yield return rows[i];
                }
                rows.Clear();
                totals.Clear();
            }
            if (!more) break;
            var siteCode = reader.GetString(site);
            var at = ExportValues.Instant(reader, administered)!.Value;
            var visitCode = reader.GetString(visit);
            var tp = reader.GetString(timepoint);
            totals.Add(new EfficacyTotal(visitCode, tp.Length > 0 ? tp : null, ExportValues.Number(reader, total)!.Value));
            rows.Add(new EfficacyRow
            {
                ParticipantCode = participant!, SiteCode = siteCode, VisitNumber = context.VisitNumbers.TryGetValue(visitCode, out var n) ? n : null,
                AdministeredUtc = at, StudyDay = ExtractText.StudyDay(context.LocalDate(siteCode, at), ExportValues.Date(reader, dayZero)),
            });
            more = await reader.ReadAsync(ct);
        }
    }
}
