using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Trial.Core.Protocol;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

/// <summary>One test of one vital-signs record: the record's fields and which of its measurements this row is.</summary>
public sealed class VitalSignRow
{
    public string StudyId { get; set; } = "";
    public string ParticipantCode { get; set; } = "";
    public int Sequence { get; set; }
    public Guid RecordId { get; set; }
    public VitalSignsDataset.Test Test { get; set; } = VitalSignsDataset.Tests[0];
    public int Value { get; set; }
    public string VisitCode { get; set; } = "";
    public int? VisitNumber { get; set; }
    public string Timepoint { get; set; } = "";
    public int? TimepointNumber { get; set; }
    public DateOnly? VisitDate { get; set; }
    public DateOnly? DayZero { get; set; }
    public DateTimeOffset? InfusionStart { get; set; }
    public bool Baseline { get; set; }
    public int Revision { get; set; }
}

/// <summary>
/// One row per vital-sign measurement and timepoint, shaped like the CDISC SDTM VS domain: each vital-signs record
/// (systolic and diastolic pressure, heart rate, SpO2 at one timepoint of an infusion visit) gives four rows, one per
/// test. The time of the measurement is not recorded, only its visit and timepoint, so VSDTC is the visit's date (the
/// site's calendar) and the timing is VSTPT relative to the infusion's start (VSRFTDTC). The baseline (VSBLFL) is the
/// pre-infusion record of INF1: vitals are measured on infusion days only, and that is the last one before the first
/// dose.
/// </summary>
public sealed partial class VitalSignsDataset(ProtocolDefinition protocol) : ExtractDataset<VitalSignRow>
{
    /// <summary>A vital-signs test: its SDTM code and name, its unit and the stored column it is read from.</summary>
    public sealed record Test(string Code, string Name, string Unit, string Column);

    /// <summary>The tests of a record, in the order their rows are written (CDISC VSTESTCD codes).</summary>
    public static readonly IReadOnlyList<Test> Tests =
    [
        new("SYSBP", "Systolic Blood Pressure", "mmHg", "Systolic"),
        new("DIABP", "Diastolic Blood Pressure", "mmHg", "Diastolic"),
        new("HR", "Heart Rate", "beats/min", "HeartRate"),
        new("OXYSAT", "Oxygen Saturation", "%", "Spo2"),
    ];

    /// <summary>The timepoint whose record on the first infusion's visit is the baseline.</summary>
    public const string BaselineTimepoint = "pre";

    private readonly IReadOnlyList<string> _timepoints = protocol.Timepoints;

    public override string Name => "vital-signs";
    public override string Description => "One row per vital-sign measurement and timepoint, shaped like the CDISC SDTM VS domain (see docs/extracts.md).";

    public override IReadOnlyList<ExtractColumn<VitalSignRow>> Columns { get; } =
    [
        Column<VitalSignRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<VitalSignRow>.Text("DOMAIN", "Domain abbreviation", _ => "VS", "Always VS.", "constant", allowed: "VS"),
        Column<VitalSignRow>.Text("USUBJID", "Unique subject identifier", r => r.ParticipantCode, "The participant code (as participant_code elsewhere).", "Participant.Code"),
        Column<VitalSignRow>.Integer("VSSEQ", "Sequence number", r => r.Sequence,
            "Numbers the participant's rows in this file from 1, by visit, timepoint and test. Positional: merge incremental pulls on VSSPID and VSTESTCD.", "derived"),
        Column<VitalSignRow>.Text("VSSPID", "Vital-signs record id", r => r.RecordId.ToString(),
            "Stable id of the vital-signs record the row is a test of (the record's four tests share it).", "VitalSign.Id"),
        Column<VitalSignRow>.Text("VSTESTCD", "Test short name", r => r.Test.Code, "The measurement (CDISC VSTESTCD).", "derived (the column of VitalSign)",
            allowed: string.Join(", ", Tests.Select(t => t.Code))),
        Column<VitalSignRow>.Text("VSTEST", "Test name", r => r.Test.Name, "The measurement's name (CDISC VSTEST).", "derived (the column of VitalSign)",
            allowed: string.Join(", ", Tests.Select(t => t.Name))),
        Column<VitalSignRow>.Text("VSORRES", "Result as collected", r => r.Value.ToString(CultureInfo.InvariantCulture),
            "The value as entered, as text.", "VitalSign.Systolic, Diastolic, HeartRate, Spo2"),
        Column<VitalSignRow>.Text("VSORRESU", "Unit as collected", r => r.Test.Unit, "The unit the value was entered in.", "derived",
            allowed: string.Join(", ", Tests.Select(t => t.Unit).Distinct())),
        Column<VitalSignRow>.Text("VSSTRESC", "Result in standard format", r => r.Value.ToString(CultureInfo.InvariantCulture),
            "The value in the standard unit, as text (the units collected are the standard ones).", "VitalSign.Systolic, Diastolic, HeartRate, Spo2"),
        Column<VitalSignRow>.Integer("VSSTRESN", "Numeric result in standard units", r => r.Value,
            "The value in the standard unit, as a number.", "VitalSign.Systolic, Diastolic, HeartRate, Spo2"),
        Column<VitalSignRow>.Text("VSSTRESU", "Standard unit", r => r.Test.Unit, "The unit of VSSTRESC and VSSTRESN.", "derived",
            allowed: string.Join(", ", Tests.Select(t => t.Unit).Distinct())),
        Column<VitalSignRow>.Text("VSBLFL", "Baseline flag", r => r.Baseline ? "Y" : null,
            $"Y on the baseline record: the pre-infusion ({BaselineTimepoint}) measurement at INF1, the last before the first dose (vitals are measured on "
            + "infusion days only). Empty otherwise, and no baseline when INF1's pre-infusion vitals are missing.", "derived", allowed: "Y"),
        Column<VitalSignRow>.Integer("VISITNUM", "Visit number", r => r.VisitNumber,
            "Position of the visit in the protocol's visit plan, from 1 (as visit_num elsewhere).", "protocol file: order of visits[]"),
        Column<VitalSignRow>.Text("VISIT", "Visit", r => r.VisitCode, "The infusion visit the vitals were measured at.", "VitalSign.VisitCode"),
        Column<VitalSignRow>.Text("VSTPT", "Planned time point", r => r.Timepoint,
            "pre: before the infusion; t40: end of infusion (40 minutes after its start); t120, t240: minutes after its start.", "VitalSign.Timepoint",
            allowed: "pre, t40, t120, t240"),
        Column<VitalSignRow>.Integer("VSTPTNUM", "Planned time point number", r => r.TimepointNumber,
            "Position of VSTPT in the protocol's timepoints, from 1 (pre = 1).", "protocol file: order of timepoints[]"),
        Column<VitalSignRow>.Text("VSELTM", "Planned elapsed time from reference", r => PlannedElapsed(r.Timepoint),
            "Planned time after the infusion's start (VSTPTREF) as an ISO 8601 duration (t40 is PT40M); empty for pre, which is before it.", "derived (VitalSign.Timepoint)"),
        Column<VitalSignRow>.Text("VSTPTREF", "Time point reference", _ => "INFUSION START", "What VSTPT and VSELTM count from: the start of the visit's infusion.",
            "constant", allowed: "INFUSION START"),
        Column<VitalSignRow>.LocalDateTime("VSRFTDTC", "Date/time of reference time point", r => r.InfusionStart,
            "When the visit's infusion started, in the site's local time with its offset from UTC (as EXSTDTC); empty when no infusion is recorded at the visit.",
            "Infusion.StartUtc"),
        Column<VitalSignRow>.Date("VSDTC", "Date of measurement", r => r.VisitDate,
            "The visit's date in the site's calendar. The time of a measurement is not recorded, only its timepoint: see VSTPT and VSRFTDTC.", "VisitRecord.ActualDate"),
        Column<VitalSignRow>.Integer("VSDY", "Study day of measurement", r => ExtractText.StudyDay(r.VisitDate, r.DayZero),
            "VSDTC relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0).", "derived", unit: "days"),
        Column<VitalSignRow>.Integer("VSREVNUM", "Revision", r => r.Revision, "1 as first recorded; each correction of the record adds 1.", "VitalSign.RowVersion"),
    ];

    [GeneratedRegex("^t([0-9]+)$")]
    private static partial Regex MinutesAfterStart();

    /// <summary>A timepoint tNN as the ISO 8601 duration of NN minutes (PT40M); null for pre or any other timepoint.</summary>
    public static string? PlannedElapsed(string timepoint) =>
        MinutesAfterStart().Match(timepoint) is { Success: true } match ? $"PT{int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)}M" : null;

    protected override Func<VitalSignRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>
    /// Each vital-signs record with its visit's date, the start of its visit's infusion and INF1's date. Incremental:
    /// records entered or corrected since.
    /// </summary>
    public const string VitalSignsSql =
        $"""
        SELECT v.Id, p.Code AS ParticipantCode, p.SiteCode, v.VisitCode, v.Timepoint, v.Systolic, v.Diastolic, v.HeartRate, v.Spo2, v.RowVersion,
               vr.ActualDate AS VisitDate, i.StartUtc AS InfusionStartUtc, d0.ActualDate AS DayZeroDate
        FROM VitalSign v
        JOIN Participant p ON p.Id = v.ParticipantId
        LEFT JOIN VisitRecord vr ON vr.ParticipantId = v.ParticipantId AND vr.VisitCode = v.VisitCode
        LEFT JOIN Infusion i ON i.ParticipantId = v.ParticipantId AND i.VisitCode = v.VisitCode
        {ExtractSql.DayZeroJoin}
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR v.RecordedUtc >= @sinceUtc OR v.UpdatedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number, v.Id
        """;

    protected override async IAsyncEnumerable<VitalSignRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, VitalSignsSql, context.Filter, context.Anchors, ct);
        var source = new ReaderRow(reader);
        // A participant's records come together; they are put in the order of the study (visit, then timepoint) before
        // they are numbered, which the query cannot do as the order is the protocol's. A participant has a few dozen at most.
        var records = new List<VitalSignRow>();
        string? subject = null;
        while (await reader.ReadAsync(ct))
        {
            var code = source.Text("ParticipantCode")!;
            if (code != subject)
            {
                foreach (var row in Numbered(records)) yield return row;
                records.Clear();
                subject = code;
            }
            var site = source.Text("SiteCode")!;
            var visit = source.Text("VisitCode")!;
            var timepoint = source.Text("Timepoint")!;
            var timepointIndex = IndexOf(_timepoints, timepoint);
            foreach (var test in Tests)
            {
                records.Add(new VitalSignRow
                {
                    StudyId = context.Protocol.ProtocolId, ParticipantCode = code, RecordId = source.Id("Id")!.Value, Test = test, Value = source.Integer(test.Column)!.Value,
                    VisitCode = visit, VisitNumber = context.VisitNumbers.TryGetValue(visit, out var number) ? number : null, Timepoint = timepoint,
                    TimepointNumber = timepointIndex is { } index ? index + 1 : null, VisitDate = source.Date("VisitDate"), DayZero = source.Date("DayZeroDate"),
                    InfusionStart = source.Instant("InfusionStartUtc") is { } start ? context.LocalDateTime(site, start) : null,
                    Baseline = visit == context.Anchors.DayZeroVisit && timepoint == BaselineTimepoint, Revision = source.Integer("RowVersion")!.Value,
                });
            }
        }
        foreach (var row in Numbered(records)) yield return row;
    }

    private static IEnumerable<VitalSignRow> Numbered(List<VitalSignRow> records)
    {
        var sequence = 0;
        foreach (var row in records.OrderBy(r => r.VisitNumber ?? int.MaxValue).ThenBy(r => r.TimepointNumber ?? int.MaxValue).ThenBy(r => IndexOf(Tests, r.Test)))
        {
            row.Sequence = ++sequence;
            yield return row;
        }
    }

    private static int? IndexOf<T>(IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
            if (EqualityComparer<T>.Default.Equals(list[i], item)) return i;
        return null;
    }
}
