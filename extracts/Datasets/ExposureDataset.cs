using System.Runtime.CompilerServices;
using System.Xml;
using Trial.Core.Protocol;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class ExposureRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;
    public string StudyId { get; set; } = "";
    public int Sequence { get; set; }
    public int? VisitNumber { get; set; }
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
    public DateOnly? DayZero { get; set; }
    /// <summary>The drug of the arm whose preparation was given (unblinded audience only; null for everyone else).</summary>
    public string? Drug { get; set; }

    public decimal DurationMinutes => (decimal)(End - Start).TotalMinutes;
}

/// <summary>
/// One row per infusion given, shaped like the CDISC SDTM EX domain. What the blinded readers get is what the blinded
/// investigator recorded: start and end, volume infused, weight and the preparation's label, none of which can tell the
/// arm (every preparation is made up to the protocol's one volume whatever the arm, and a label may not name an arm or a
/// drug). The treatment and its dose come from the pharmacy's preparation (or, in an open-label study, the dose the
/// investigator recorded) and are written for the unblinded statistician only; for everyone else the query does not
/// even read them.
/// </summary>
public sealed class ExposureDataset(ProtocolDefinition protocol) : ExtractDataset<ExposureRow>
{
    public override string Name => "exposure";
    public override string Description => "One row per infusion given, shaped like the CDISC SDTM EX domain (see docs/extracts.md).";

    /// <summary>SDTM's route terms for the protocol's route codes; a route without one is written as recorded, in capitals.</summary>
    public static readonly IReadOnlyDictionary<string, string> Routes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["IV"] = "INTRAVENOUS", ["IM"] = "INTRAMUSCULAR", ["SC"] = "SUBCUTANEOUS", ["IN"] = "INTRANASAL",
    };

    public override IReadOnlyList<ExtractColumn<ExposureRow>> Columns { get; } =
    [
        Column<ExposureRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<ExposureRow>.Text("DOMAIN", "Domain abbreviation", _ => "EX", "Always EX.", "constant", allowed: "EX"),
        Column<ExposureRow>.Text("USUBJID", "Unique subject identifier", r => r.Source.Text("ParticipantCode"),
            "The participant code (as participant_code elsewhere).", "Participant.Code"),
        Column<ExposureRow>.Integer("EXSEQ", "Sequence number", r => r.Sequence,
            "Numbers the participant's infusions in this file from 1 by start. Positional: merge incremental pulls on EXSPID.", "derived"),
        Column<ExposureRow>.Text("EXSPID", "Infusion id", r => r.Source.Id("Id")?.ToString(), "Stable id of the infusion record across extracts.", "Infusion.Id"),
        Column<ExposureRow>.Integer("VISITNUM", "Visit number", r => r.VisitNumber,
            "Position of the infusion's visit in the protocol's visit plan, from 1 (as visit_num elsewhere).", "protocol file: order of visits[]"),
        Column<ExposureRow>.Text("VISIT", "Visit", r => r.Source.Text("VisitCode"), "The infusion visit (INF1 .. INF4 in the default protocol).", "Infusion.VisitCode"),
        Column<ExposureRow>.LocalDateTime("EXSTDTC", "Start of infusion", r => r.Start,
            "When the infusion started, in the site's local time with its offset from UTC: the date part is the site's calendar date, the one EXSTDY counts.",
            "Infusion.StartUtc"),
        Column<ExposureRow>.LocalDateTime("EXENDTC", "End of infusion", r => r.End,
            "When the infusion ended, in the site's local time with its offset from UTC (as EXSTDTC).", "Infusion.EndUtc"),
        Column<ExposureRow>.Integer("EXSTDY", "Study day of start", r => ExtractText.StudyDay(ExtractText.LocalDate(r.Start), r.DayZero),
            "The date part of EXSTDTC relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0).", "derived", unit: "days"),
        Column<ExposureRow>.Integer("EXENDY", "Study day of end", r => ExtractText.StudyDay(ExtractText.LocalDate(r.End), r.DayZero),
            "The date part of EXENDTC relative to INF1's actual date, counted as EXSTDY (an infusion running past the site's midnight ends a day later).",
            "derived", unit: "days"),
        Column<ExposureRow>.Text("EXDUR", "Duration", r => XmlConvert.ToString(r.End - r.Start),
            "End minus start as an ISO 8601 duration (PT40M for 40 minutes), as SDTM writes durations.", "derived (Infusion.EndUtc - Infusion.StartUtc)"),
        Column<ExposureRow>.Number("EXDURMIN", "Duration in minutes", r => r.DurationMinutes,
            "End minus start in minutes (40 for a 40-minute infusion; fractions of a minute when the times have seconds).",
            "derived (Infusion.EndUtc - Infusion.StartUtc)", unit: "min"),
        Column<ExposureRow>.Text("EXROUTE", "Route of administration", r => r.Source.Text("Route") is { } route ? Routes.GetValueOrDefault(route, route.ToUpperInvariant()) : null,
            "The route recorded, in SDTM's terms (IV is INTRAVENOUS).", "Infusion.Route", allowed: string.Join(", ", Routes.Values)),
        Column<ExposureRow>.Number("EXVAMT", "Volume infused", r => r.Source.Number("VolumeMl"),
            "The volume of the preparation infused, as the blinded investigator recorded it. Blind-safe: every preparation is made up to the protocol's "
            + "one volume whatever the arm (the pharmacy's record refuses any other), so a volume below it tells an infusion stopped early, never the arm. "
            + "Empty in an open-label study, which records the dose instead.", "Infusion.VolumeMl", unit: "mL"),
        Column<ExposureRow>.Text("EXVAMTU", "Volume unit", r => r.Source.Number("VolumeMl") is null ? null : "mL", "mL when EXVAMT is given.", "constant", allowed: "mL"),
        Column<ExposureRow>.Number("EXWTKG", "Body weight at infusion", r => r.Source.Number("WeightKg"),
            "The participant's weight recorded with the infusion. The same whatever the arm (both arms' doses are per kg of it).", "Infusion.WeightKg", unit: "kg"),
        Column<ExposureRow>.Text("EXREFID", "Preparation label", r => r.Source.Text("PreparationId"),
            "The pharmacy's label on the syringe given (the kit number, as SDTM's EXREFID). Blind-safe: blinded staff read it on the ward, and the pharmacy's "
            + "record refuses a label naming an arm or a drug. Empty in an open-label study.", "Infusion.PreparationId"),
        Column<ExposureRow>.Integer("EXREVNUM", "Revision", r => r.Source.Integer("RowVersion"), "1 as first recorded; each correction adds 1.", "Infusion.RowVersion"),
        Column<ExposureRow>.Text("EXTRT", "Name of treatment", r => r.Drug,
            "The drug given: in a blinded study the drug of the arm the pharmacy prepared the syringe for (the actual treatment, even if it was not the "
            + "participant's arm); in an open-label study the protocol's single arm's drug. Unblinded extracts only.",
            "Preparation.Arm, protocol file: design.arms[].drug", unblindedOnly: true),
        Column<ExposureRow>.Number("EXDOSE", "Dose", r => r.Source.Number("TotalDoseMg"),
            "The total dose prepared (blinded study) or recorded (open-label study), in mg. Unblinded extracts only.",
            "Preparation.TotalDoseMg, or Infusion.TotalDoseMg (open-label)", unit: "mg", unblindedOnly: true),
        Column<ExposureRow>.Text("EXDOSU", "Dose unit", r => r.Source.Number("TotalDoseMg") is null ? null : "mg", "mg when EXDOSE is given. Unblinded extracts only.",
            "constant", allowed: "mg", unblindedOnly: true),
        Column<ExposureRow>.Number("EXDOSPKG", "Dose per kg", r => r.Source.Number("DoseMgPerKg"),
            "The dose per kg of body weight the total dose was computed from, in mg/kg. Unblinded extracts only.",
            "Preparation.DoseMgPerKg, or Infusion.DoseMgPerKg (open-label)", unit: "mg/kg", unblindedOnly: true),
    ];

    protected override Func<ExposureRow, string?> ParticipantOf => r => r.Source.Text("ParticipantCode");

    // The columns both audiences' queries read, and what they read them from.
    private const string ExposureColumns =
        """
        i.Id, p.Code AS ParticipantCode, p.SiteCode, i.VisitCode, i.StartUtc, i.EndUtc, i.Route, i.VolumeMl, i.WeightKg, i.PreparationId, i.RowVersion,
               d0.ActualDate AS DayZeroDate
        """;

    private const string ExposureSource =
        $"""
        FROM Infusion i
        JOIN Participant p ON p.Id = i.ParticipantId
        {ExtractSql.DayZeroJoin}
        """;

    private const string ExposureFilterAndOrder =
        $"""
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR i.RecordedUtc >= @sinceUtc OR i.UpdatedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number, i.StartUtc, i.Id
        """;

    /// <summary>The infusions as the blinded read them: nothing of the preparation but the label the ward read.</summary>
    public const string ExposureSql =
        $"""
        SELECT {ExposureColumns}
        {ExposureSource}
        {ExposureFilterAndOrder}
        """;

    /// <summary>
    /// The infusions with what was in the syringe, for the unblinded statistician: the preparation's arm and dose (blinded
    /// study) or the dose the investigator recorded (open-label study, which has no preparations).
    /// </summary>
    public const string UnblindedExposureSql =
        $"""
        SELECT {ExposureColumns},
               pr.Arm AS PreparedArm, COALESCE(pr.DoseMgPerKg, i.DoseMgPerKg) AS DoseMgPerKg, COALESCE(pr.TotalDoseMg, i.TotalDoseMg) AS TotalDoseMg
        {ExposureSource}
        LEFT JOIN Preparation pr ON pr.PreparationId = i.PreparationId
        {ExposureFilterAndOrder}
        """;

    protected override async IAsyncEnumerable<ExposureRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var unblinded = context.Audience.Unblinded;
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, unblinded ? UnblindedExposureSql : ExposureSql, context.Filter, context.Anchors, ct);
        var source = new ReaderRow(reader);
        var row = new ExposureRow(source) { StudyId = context.Protocol.ProtocolId };
        // A study without preparations (open-label) gives every infusion its one arm's drug.
        var onlyDrug = protocol.Design.Arms.Count == 1 ? protocol.Design.Arms[0].Drug : null;
        string? subject = null;
        while (await reader.ReadAsync(ct))
        {
            var code = source.Text("ParticipantCode");
            row.Sequence = code == subject ? row.Sequence + 1 : 1;
            subject = code;
            var site = source.Text("SiteCode")!;
            var visit = source.Text("VisitCode")!;
            row.VisitNumber = context.VisitNumbers.TryGetValue(visit, out var number) ? number : null;
            row.Start = context.LocalDateTime(site, source.Instant("StartUtc")!.Value);
            row.End = context.LocalDateTime(site, source.Instant("EndUtc")!.Value);
            row.DayZero = source.Date("DayZeroDate");
            row.Drug = unblinded ? source.Text("PreparedArm") is { } arm ? protocol.Design.FindArm(arm)?.Drug ?? arm : onlyDrug : null;
            yield return row;
        }
    }
}
