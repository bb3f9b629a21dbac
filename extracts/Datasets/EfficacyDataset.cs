using System.Runtime.CompilerServices;
using Trial.Core.Efficacy;
using Trial.Core.Instruments;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class EfficacyRow
{
    public string ParticipantCode { get; set; } = "";
    public string SiteCode { get; set; } = "";
    public EfficacyEndpoint Endpoint { get; set; } = EfficacyEndpoint.MadrsTotal;
    public int? VisitNumber { get; set; }
    public DateTime AdministeredUtc { get; set; }
    public int? StudyDay { get; set; }
    /// <summary>Whether the visit took place within its protocol window (null: the plan does not know the visit).</summary>
    public bool? InWindow { get; set; }
    /// <summary>The participant's scheduled INF1 pre score of the endpoint, shown beside the baseline whichever was used.</summary>
    public decimal? FirstInfusionPreDose { get; set; }
    public EfficacyPoint Point { get; set; } = null!;
    public string VisitCode => Point.Total.VisitCode;
    public string? Timepoint => Point.Total.Timepoint;
    public decimal Value => Point.Total.Total;
    public string? BaselineSource => Point.Baseline is { } b ? EfficacyBaselineRule.NameOf(b) : null;
    public decimal? Baseline => Point.Baseline?.Total;
    public bool IsBaseline => Point.IsBaseline;
    public EfficacyOutcome Outcome => Point.Outcome;
}

/// <summary>
/// One row per participant, efficacy endpoint (PARAMCD: the MADRS total, the BSL-23 mean, as the protocol file's efficacy
/// section lists them) and visit (and timepoint) with a score, judged against the participant's baseline as the protocol
/// defines it: the BL score, or INF1 pre when BL has none. Response and remission only on the endpoint the protocol gives
/// them to (the MADRS total, thresholds in the protocol file), never before the first dose, never on an unscheduled rating.
/// The judging is Core's <see cref="EfficacyEvaluation"/>, the same the DMC report counts responders with; which ratings
/// count is <see cref="EfficacyPoint.CountsForResponders"/> in both.
/// </summary>
public sealed class EfficacyDataset(ProtocolDefinition protocol) : ExtractDataset<EfficacyRow>
{
    public override string Name => "efficacy";
    public override string Description =>
        "One row per participant, efficacy endpoint (MADRS total, BSL-23 mean) and visit: analysis visit, baseline, change, percent change, response, remission (see docs/extracts.md).";

    private static readonly string Endpoints = "MADRSTOT (MADRS total), BSL23MEA (BSL-23 mean): those the protocol file lists under efficacy.endpoints";

    public override IReadOnlyList<ExtractColumn<EfficacyRow>> Columns { get; } =
    [
        Column<EfficacyRow>.Text("participant_code", "Participant code", r => r.ParticipantCode, "The participant (see participants).", "Participant.Code"),
        Column<EfficacyRow>.Text("site", "Site code", r => r.SiteCode, "The participant's site.", "Participant.SiteCode"),
        Column<EfficacyRow>.Text("paramcd", "Endpoint code", r => r.Endpoint.Code,
            "The endpoint (ADaM PARAMCD): instrument and score, at most 8 characters.", "protocol file: efficacy.endpoints", allowed: Endpoints),
        Column<EfficacyRow>.Text("param", "Endpoint", r => ParamOf(r.Endpoint), "The endpoint in words (ADaM PARAM): the instrument's name and the score.",
            "instrument definition: abbreviation and score name"),
        Column<EfficacyRow>.Text("visit_code", "Visit code", r => r.VisitCode, "The visit of the rating.", "Assessment.VisitCode"),
        Column<EfficacyRow>.Integer("visit_num", "Visit number", r => r.VisitNumber, "Position of the visit in the protocol's visit plan (as in visits).", "protocol file: order of visits[]"),
        Column<EfficacyRow>.Text("timepoint", "Infusion timepoint", r => r.Timepoint, "pre at infusion visits; empty elsewhere.", "Assessment.Timepoint", allowed: "pre, t40, t120, t240"),
        Column<EfficacyRow>.Text("avisit", "Analysis visit", r => r.Point.AnalysisVisit,
            "The analysis visit (ADaM AVISIT): the visit code, with the timepoint after it at infusion visits (BL, INF1 pre, POST24, INF2 pre, FU-D7). "
            + "Empty for an unscheduled rating (the protocol does not schedule the instrument there): it is listed, with its change, but is never a baseline "
            + "and carries no response or remission, as in the DMC report (see docs/extracts.md).", "derived: Assessment.Unscheduled, VisitCode, Timepoint"),
        Column<EfficacyRow>.Boolean("unscheduled", "Unscheduled", r => r.Point.Total.Unscheduled,
            "True when the protocol does not schedule the instrument at this visit and timepoint (as assessments.unscheduled).", "Assessment.Unscheduled"),
        Column<EfficacyRow>.Boolean("pre_treatment", "Before the first dose", r => r.Point.PreDose,
            "True for ratings made before any drug was given: visits before INF1 (BL) and INF1 pre. They carry no response or remission.",
            "derived: protocol visit plan"),
        Column<EfficacyRow>.Boolean("in_window", "Visit in window", r => r.InWindow,
            "Whether the visit took place within its protocol window (as visits.in_window); empty when the visit is not recorded.", "derived: protocol schedule"),
        Column<EfficacyRow>.Instant("administered_utc", "Administered", r => r.AdministeredUtc, "When the rating was made, in UTC.", "Assessment.AdministeredUtc"),
        Column<EfficacyRow>.Integer("study_day", "Study day", r => r.StudyDay,
            "The site's date of administration relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0). Empty before INF1.", "derived", unit: "days"),
        Column<EfficacyRow>.Number("aval", "Analysis value", r => r.Value,
            "The endpoint's score at this visit (ADaM AVAL): the MADRS total (0 to 60, complete assessments only) or the BSL-23 mean (0 to 4).",
            "AssessmentScore.Value (the endpoint's score)", unit: "points"),
        Column<EfficacyRow>.Text("baseline_source", "Baseline visit", r => r.BaselineSource,
            "Which rating is the baseline: the BL visit's, or INF1 pre when BL has no score (protocol). Empty when neither has one.", "derived",
            allowed: "BL, INF1 pre (the protocol's baseline visit, else its first infusion's first timepoint)"),
        Column<EfficacyRow>.Number("baseline_value", "Baseline value", r => r.Baseline,
            "The participant's baseline score of the endpoint (ADaM BASE); empty when there is no baseline.", "derived", unit: "points"),
        Column<EfficacyRow>.Number("inf1_pre_value", "INF1 pre value", r => r.FirstInfusionPreDose,
            "The participant's INF1 pre score of the endpoint, beside the baseline whichever was used (the last rating before the first dose); "
            + "empty when INF1 pre has none.", "AssessmentScore.Value at INF1 pre", unit: "points"),
        Column<EfficacyRow>.Boolean("is_baseline", "Baseline record", r => r.IsBaseline, "True on the row that is the baseline itself (ADaM ABLFL).", "derived"),
        Column<EfficacyRow>.Number("change_from_baseline", "Change from baseline", r => r.Outcome.Change,
            "aval - baseline_value (ADaM CHG; for both scales negative = improvement). Empty without a baseline and on the baseline record.", "derived", unit: "points"),
        Column<EfficacyRow>.Number("percent_change", "Percent change from baseline", r => r.Outcome.PercentChange,
            "100 x change / baseline, rounded to 2 decimals (ADaM PCHG). Empty without a baseline, on the baseline record, and when the baseline is 0.", "derived", unit: "%"),
        Column<EfficacyRow>.Boolean("response", "Response", r => r.Outcome.Response,
            "MADRS total only: true when the total fell by at least the protocol's response threshold (default 50 %) from baseline, judged on exact values. "
            + "Empty for endpoints without responder rules (BSL-23), before the first dose (BL, INF1 pre), on unscheduled ratings, without a baseline, "
            + "and when the baseline is 0.", "derived: protocol efficacy.responseMinReductionPercent"),
        Column<EfficacyRow>.Boolean("remission", "Remission", r => r.Outcome.Remission,
            "MADRS total only: true when the total is at or below the protocol's remission threshold (default 10); needs no baseline. Empty for endpoints "
            + "without responder rules, before the first dose and on unscheduled ratings.", "derived: protocol efficacy.remissionMaxTotal"),
    ];

    private static string ParamOf(EfficacyEndpoint endpoint) =>
        InstrumentCatalog.TryGet(endpoint.Instrument, out var instrument) && instrument.Scores.FirstOrDefault(s => s.Key == endpoint.Score) is { } score
            ? $"{instrument.Abbreviation} {score.Name}"
            : $"{endpoint.Instrument} {endpoint.Score}";

    private readonly EfficacyBaselineRule _baseline = EfficacyBaselineRule.Of(protocol);
    private readonly FirstDose _firstDose = new(protocol);
    private readonly IReadOnlyList<EfficacyEndpoint> _endpoints = protocol.Efficacy.Endpoints;

    protected override Func<EfficacyRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>
    /// Every score of the endpoints' instruments (the exact instrument-and-score pairs are picked when read), in participant
    /// order (a participant's rows together: their baseline is among them). Incremental: all of a participant's rows when any of
    /// their assessments of those instruments changed, since a changed baseline changes every row.
    /// </summary>
    public const string EfficacySql =
        $"""
        SELECT p.Code AS ParticipantCode, p.SiteCode, a.Instrument, s.Name AS ScoreName, a.VisitCode, a.Timepoint, a.Unscheduled, a.AdministeredUtc,
               d0.ActualDate AS DayZeroDate, s.Value AS Total
        FROM Assessment a
        JOIN Participant p ON p.Id = a.ParticipantId
        JOIN AssessmentScore s ON s.AssessmentId = a.Id AND s.Name IN @endpointScores
        {ExtractSql.DayZeroJoin}
        WHERE a.Instrument IN @endpointInstruments
          AND {ExtractSql.SiteFilter}
          AND (@instrument IS NULL OR a.Instrument = @instrument)
          AND (@sinceUtc IS NULL OR EXISTS (
                SELECT 1 FROM Assessment x WHERE x.ParticipantId = a.ParticipantId AND x.Instrument IN @endpointInstruments
                  AND (x.ReceivedUtc >= @sinceUtc OR EXISTS (SELECT 1 FROM AssessmentRevision r WHERE r.AssessmentId = x.Id AND r.ReplacedUtc >= @sinceUtc))))
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id
        """;

    protected override async IAsyncEnumerable<EfficacyRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var inWindow = await VisitsInWindowAsync(context, ct);
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, EfficacySql, context.Filter, context.Anchors,
            new { endpointInstruments = _endpoints.Select(e => e.Instrument).Distinct().ToArray(), endpointScores = _endpoints.Select(e => e.Score).Distinct().ToArray() }, ct);
        int code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), instrument = reader.GetOrdinal("Instrument"),
            scoreName = reader.GetOrdinal("ScoreName"), visit = reader.GetOrdinal("VisitCode"), timepoint = reader.GetOrdinal("Timepoint"),
            unscheduled = reader.GetOrdinal("Unscheduled"), administered = reader.GetOrdinal("AdministeredUtc"), dayZero = reader.GetOrdinal("DayZeroDate"),
            total = reader.GetOrdinal("Total");

        // A participant's scores arrive together (a few dozen): collect them by endpoint, judge each endpoint's against its baseline, then emit.
        var rows = _endpoints.Select(_ => new List<(EfficacyRow Row, EfficacyTotal Total)>()).ToArray();
        string? current = null;
        var more = await reader.ReadAsync(ct);
        while (true)
        {
            var participant = more ? reader.GetString(code) : null;
            if (participant != current && current is not null)
            {
                for (var e = 0; e < _endpoints.Count; e++)
                {
                    var own = rows[e];
                    if (own.Count == 0) continue;
                    var totals = own.Select(r => r.Total).ToList();
                    var points = EfficacyEvaluation.Evaluate(_baseline, protocol.Efficacy, totals, _firstDose, _endpoints[e].Responder);
                    var preDoseValue = totals.FirstOrDefault(_baseline.IsFallback)?.Total;
                    for (var i = 0; i < own.Count; i++)
                    {
                        own[i].Row.Point = points[i];
                        own[i].Row.FirstInfusionPreDose = preDoseValue;
                        yield return own[i].Row;
                    }
                    own.Clear();
                }
            }
            if (!more) break;
            current = participant;
            var endpoint = IndexOf(reader.GetString(instrument), reader.GetString(scoreName));
            if (endpoint >= 0)
            {
                var siteCode = reader.GetString(site);
                var at = ExportValues.Instant(reader, administered)!.Value;
                var visitCode = reader.GetString(visit);
                var tp = reader.GetString(timepoint);
                var row = new EfficacyRow
                {
                    ParticipantCode = participant!, SiteCode = siteCode, Endpoint = _endpoints[endpoint],
                    VisitNumber = context.VisitNumbers.TryGetValue(visitCode, out var n) ? n : null, AdministeredUtc = at,
                    StudyDay = ExtractText.StudyDay(context.LocalDate(siteCode, at), ExportValues.Date(reader, dayZero)),
                    InWindow = inWindow.TryGetValue((participant!, visitCode), out var within) ? within : null,
                };
                rows[endpoint].Add((row, new EfficacyTotal(visitCode, tp.Length > 0 ? tp : null, ExportValues.Number(reader, total)!.Value,
                    ExportValues.Flag(reader, unscheduled) == true)));
            }
            more = await reader.ReadAsync(ct);
        }
    }

    private int IndexOf(string instrument, string score)
    {
        for (var i = 0; i < _endpoints.Count; i++)
            if (_endpoints[i].Instrument == instrument && _endpoints[i].Score == score) return i;
        return -1;
    }

    /// <summary>
    /// Whether each recorded visit of each participant took place within its window, by the protocol's schedule maths (Core's
    /// <see cref="ScheduleCalculator"/>) from the same records as the visits dataset, so in_window agrees with visits.in_window.
    /// </summary>
    private async Task<Dictionary<(string Participant, string Visit), bool?>> VisitsInWindowAsync(ExportContext context, CancellationToken ct)
    {
        var inWindow = new Dictionary<(string, string), bool?>();
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, VisitsDataset.VisitRecordsSql, context.Filter with { SinceUtc = null }, ct);
        int code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), enrolled = reader.GetOrdinal("EnrolledDate"),
            discontinued = reader.GetOrdinal("InfusionsDiscontinuedDate"), withdrawn = reader.GetOrdinal("WithdrawnDate"),
            visit = reader.GetOrdinal("VisitCode"), actual = reader.GetOrdinal("ActualDate");
        string? current = null, siteCode = null;
        ScheduleInput? input = null;
        var records = new List<RecordedVisit>();
        void Judge()
        {
            if (current is null || input is null) return;
            foreach (var v in ScheduleCalculator.Build(protocol, input with { Visits = [.. records] }, context.Today(siteCode!)))
                if (v.ActualDate is not null) inWindow[(current, v.VisitCode)] = v.InWindow;
        }
        while (await reader.ReadAsync(ct))
        {
            var participant = reader.GetString(code);
            if (participant != current)
            {
                Judge();
                current = participant;
                siteCode = reader.GetString(site);
                input = new ScheduleInput(ExportValues.Date(reader, enrolled)!.Value, [], ExportValues.Date(reader, discontinued), ExportValues.Date(reader, withdrawn));
                records.Clear();
            }
            if (!reader.IsDBNull(visit)) records.Add(new RecordedVisit(reader.GetString(visit), ExportValues.Date(reader, actual)!.Value));
        }
        Judge();
        return inWindow;
    }
}
