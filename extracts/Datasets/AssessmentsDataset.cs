using System.Globalization;
using System.Runtime.CompilerServices;
using Trial.Core.Instruments;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class AssessmentRow
{
    public Guid Id { get; set; }
    public string ParticipantCode { get; set; } = "";
    public string SiteCode { get; set; } = "";
    public string VisitCode { get; set; } = "";
    public int? VisitNumber { get; set; }
    public string? Timepoint { get; set; }
    public string Instrument { get; set; } = "";
    public bool Unscheduled { get; set; }
    public DateTime AdministeredUtc { get; set; }
    public int? StudyDay { get; set; }
    public bool Complete { get; set; }
    public int MissingItems { get; set; }
    public string? SeverityBand { get; set; }
    public string DefinitionVersion { get; set; } = "";
    public string ProtocolVersion { get; set; } = "";
    public int Revision { get; set; }
    public string? CorrectionReason { get; set; }
    public Dictionary<string, decimal> Scores { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One row per assessment, with every score of every instrument as its own column (INSTRUMENT_score,
/// e.g. MADRS_total, BSL23_mean, ASC5D_OB): a row fills only its own instrument's columns, so the
/// table is sparse across instruments by design. The score columns come from the instrument
/// definitions, so a new score is a new column without a change here.
/// </summary>
public sealed class AssessmentsDataset : ExtractDataset<AssessmentRow>
{
    public override string Name => "assessments";
    public override string Description => "One row per assessment with its scores; one column per score of each instrument, empty for other instruments' rows.";

    public override IReadOnlyList<ExtractColumn<AssessmentRow>> Columns { get; } =
    [
        Column<AssessmentRow>.Text("assessment_id", "Assessment id", r => r.Id.ToString(),
            "Stable id of the assessment; a correction keeps it (and raises revision).", "Assessment.Id"),
        Column<AssessmentRow>.Text("participant_code", "Participant code", r => r.ParticipantCode, "The participant (see participants).", "Participant.Code"),
        Column<AssessmentRow>.Text("site", "Site code", r => r.SiteCode, "The participant's site.", "Participant.SiteCode"),
        Column<AssessmentRow>.Text("visit_code", "Visit code", r => r.VisitCode, "The visit the assessment belongs to.", "Assessment.VisitCode"),
        Column<AssessmentRow>.Integer("visit_num", "Visit number", r => r.VisitNumber, "Position of the visit in the protocol's visit plan (as in visits).", "protocol file: order of visits[]"),
        Column<AssessmentRow>.Text("timepoint", "Infusion timepoint", r => r.Timepoint,
            "pre: before the infusion; t40: end of infusion; t120, t240: minutes after its start. Empty at visits without infusion timepoints.",
            "Assessment.Timepoint", allowed: "pre, t40, t120, t240"),
        Column<AssessmentRow>.Text("instrument", "Instrument", r => r.Instrument, "The rating scale.", "Assessment.Instrument",
            allowed: string.Join(", ", InstrumentCatalog.All.Select(i => $"{i.Code} ({i.Abbreviation})"))),
        Column<AssessmentRow>.Boolean("unscheduled", "Unscheduled", r => r.Unscheduled,
            "True when the protocol does not schedule this instrument at this visit and timepoint and the site recorded it anyway.", "Assessment.Unscheduled"),
        Column<AssessmentRow>.Instant("administered_utc", "Administered", r => r.AdministeredUtc, "When the assessment was administered, as stated by the site, in UTC.", "Assessment.AdministeredUtc"),
        Column<AssessmentRow>.Integer("study_day", "Study day", r => r.StudyDay,
            "The site's date of administration relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0). Empty before INF1 has happened.", "derived", unit: "days"),
        Column<AssessmentRow>.Boolean("complete", "Complete", r => r.Complete,
            "Whether enough items were answered for the instrument's scores (see each instrument's rule); incomplete assessments have no or partial scores.", "Assessment.Complete"),
        Column<AssessmentRow>.Integer("missing_items", "Missing items", r => r.MissingItems, "Number of items left unanswered.", "count of AssessmentItem.Value IS NULL", unit: "items"),
        Column<AssessmentRow>.Text("severity_band", "Severity band", r => r.SeverityBand,
            "Severity band of the score that has bands (MADRS total, BSL-23 mean), from the unrounded score; empty for other instruments or incomplete assessments.",
            "Assessment.SeverityBand",
            allowed: string.Join("; ", InstrumentCatalog.All.Where(i => i.SeverityBands.Count > 0).Select(i => $"{i.Code}: {string.Join(", ", i.SeverityBands.Select(b => b.Name))}"))),
        Column<AssessmentRow>.Text("definition_version", "Instrument definition version", r => r.DefinitionVersion,
            "Version of the instrument definition that scored the assessment.", "Assessment.DefinitionVersion"),
        Column<AssessmentRow>.Text("protocol_version", "Protocol version", r => r.ProtocolVersion, "Protocol version in force when the assessment was entered or last corrected.", "Assessment.ProtocolVersion"),
        Column<AssessmentRow>.Integer("revision", "Revision", r => r.Revision, "1 as first entered; each correction adds 1 (earlier versions are kept in the audit of the assessment).", "Assessment.RowVersion"),
        .. ScoreColumns(),
        Column<AssessmentRow>.Text("correction_reason", "Reason for the last correction", r => r.CorrectionReason,
            "The site's free-text reason for the latest correction; empty when never corrected.", "AssessmentRevision.Reason", freeText: true),
    ];

    /// <summary>The column of one score: INSTRUMENT_key.</summary>
    public static string ScoreColumnName(InstrumentDefinition instrument, ScoreRule score) => $"{instrument.Code}_{score.Key}";

    private static IEnumerable<ExtractColumn<AssessmentRow>> ScoreColumns() =>
        InstrumentCatalog.All.SelectMany(instrument => instrument.Scores.Select(score =>
            Column<AssessmentRow>.Number(ScoreColumnName(instrument, score), $"{instrument.Abbreviation} {score.Name}",
                r => r.Instrument == instrument.Code && r.Scores.TryGetValue(score.Key, out var value) ? value : null,
                $"{instrument.Abbreviation} {score.Name}: {Method(score.Method)} of items {Items(score.Items)}"
                + (score.Method != ScoreMethod.Sum ? $", rounded to {InstrumentCatalog.MeanDecimals} decimals" : "")
                + $". Only on {instrument.Code} rows (empty on other instruments' rows: the table is sparse across instruments), and empty when fewer than "
                + $"{score.MinimumAnswered} of these items were answered."
                + (instrument.ProvisionalNotes.Count > 0 ? " Provisional rules: " + string.Join(" ", instrument.ProvisionalNotes) : ""),
                $"AssessmentScore.Value (Name = '{score.Key}'), computed by the server ({instrument.Version})",
                allowed: Range(instrument, score))));

    private static string Method(ScoreMethod method) => method switch
    {
        ScoreMethod.Sum => "sum",
        ScoreMethod.Mean => "mean",
        ScoreMethod.ProratedSum => "sum prorated to all items (mean of the answered items × their number)",
        _ => method.ToString(),
    };

    private static string Range(InstrumentDefinition instrument, ScoreRule score)
    {
        var (min, max) = score.Method is ScoreMethod.Sum or ScoreMethod.ProratedSum
            ? (instrument.MinValue * score.Items.Count, instrument.MaxValue * score.Items.Count)
            : (instrument.MinValue, instrument.MaxValue);
        return $"{ExtractText.Number(min)} to {ExtractText.Number(max)}";
    }

    private static string Items(IReadOnlyList<int> items) =>
        items.Count > 1 && items[^1] - items[0] == items.Count - 1 ? $"{items[0]}-{items[^1]}" : string.Join(", ", items.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    protected override Func<AssessmentRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>One row per assessment and score (an assessment without scores once, with a null score), in assessment order.</summary>
    public const string AssessmentScoresSql =
        $"""
        SELECT a.Id, p.Code AS ParticipantCode, p.SiteCode, a.VisitCode, a.Timepoint, a.Instrument, a.Unscheduled, a.AdministeredUtc,
               a.Complete, a.SeverityBand, a.DefinitionVersion, a.ProtocolVersion, a.RowVersion, d0.ActualDate AS DayZeroDate,
               COALESCE(m.MissingItems, 0) AS MissingItems, rv.Reason AS CorrectionReason, s.Name AS ScoreName, s.Value AS ScoreValue
        FROM Assessment a
        JOIN Participant p ON p.Id = a.ParticipantId
        {ExtractSql.DayZeroJoin}
        LEFT JOIN (SELECT AssessmentId, COUNT(*) AS MissingItems FROM AssessmentItem WHERE Value IS NULL GROUP BY AssessmentId) m ON m.AssessmentId = a.Id
        LEFT JOIN AssessmentRevision rv ON rv.AssessmentId = a.Id AND rv.RowVersion = a.RowVersion - 1
        LEFT JOIN AssessmentScore s ON s.AssessmentId = a.Id
        WHERE {ExtractSql.SiteFilter}
          AND (@instrument IS NULL OR a.Instrument = @instrument)
          AND (@sinceUtc IS NULL OR {ExtractSql.AssessmentChanged})
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id
        """;

    protected override async IAsyncEnumerable<AssessmentRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, AssessmentScoresSql, context.Filter, context.Anchors, ct);
        int id = reader.GetOrdinal("Id"), code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), visit = reader.GetOrdinal("VisitCode"),
            timepoint = reader.GetOrdinal("Timepoint"), instrument = reader.GetOrdinal("Instrument"), unscheduled = reader.GetOrdinal("Unscheduled"),
            administered = reader.GetOrdinal("AdministeredUtc"), complete = reader.GetOrdinal("Complete"), band = reader.GetOrdinal("SeverityBand"),
            definition = reader.GetOrdinal("DefinitionVersion"), protocol = reader.GetOrdinal("ProtocolVersion"), revision = reader.GetOrdinal("RowVersion"),
            dayZero = reader.GetOrdinal("DayZeroDate"), missing = reader.GetOrdinal("MissingItems"), reason = reader.GetOrdinal("CorrectionReason"),
            scoreName = reader.GetOrdinal("ScoreName"), scoreValue = reader.GetOrdinal("ScoreValue");

        // An assessment's scores arrive as consecutive rows: one CSV row per run of the same id.
        var row = new AssessmentRow();
        var started = false;
        while (await reader.ReadAsync(ct))
        {
            var rowId = ExportValues.Id(reader, id)!.Value;
            if (!started || rowId != row.Id)
            {
                if (started) yield return row;
                started = true;
                row.Id = rowId;
                row.ParticipantCode = reader.GetString(code);
                row.SiteCode = reader.GetString(site);
                row.VisitCode = reader.GetString(visit);
                row.VisitNumber = context.VisitNumbers.TryGetValue(row.VisitCode, out var n) ? n : null;
                row.Timepoint = ExportValues.Text(reader, timepoint) is { Length: > 0 } tp ? tp : null;
                row.Instrument = reader.GetString(instrument);
                row.Unscheduled = ExportValues.Flag(reader, unscheduled)!.Value;
                row.AdministeredUtc = ExportValues.Instant(reader, administered)!.Value;
                row.StudyDay = ExtractText.StudyDay(context.LocalDate(row.SiteCode, row.AdministeredUtc), ExportValues.Date(reader, dayZero));
                row.Complete = ExportValues.Flag(reader, complete)!.Value;
                row.MissingItems = ExportValues.Integer(reader, missing) ?? 0;
                row.SeverityBand = ExportValues.Text(reader, band);
                row.DefinitionVersion = reader.GetString(definition);
                row.ProtocolVersion = reader.GetString(protocol);
                row.Revision = ExportValues.Integer(reader, revision)!.Value;
                row.CorrectionReason = ExportValues.Text(reader, reason);
                row.Scores.Clear();
            }
            if (ExportValues.Text(reader, scoreName) is { } name) row.Scores[name] = ExportValues.Number(reader, scoreValue)!.Value;
        }
        if (started) yield return row;
    }
}
