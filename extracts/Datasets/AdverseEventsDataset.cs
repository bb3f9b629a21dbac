using System.Runtime.CompilerServices;
using Trial.Application.Coding;
using Trial.Core.Safety;
using Trial.Core.Sites;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class AdverseEventRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;
    public string StudyId { get; set; } = "";
    public int Sequence { get; set; }
    public IReadOnlyList<string> Criteria { get; set; } = [];
    public SusarStatus Susar { get; set; } = new(false, null, null);
    public DateOnly? DayZero { get; set; }

    /// <summary>The site's time zone: SDTM's --DTC of an instant is the site's local date-time.</summary>
    public TimeZoneInfo SiteZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>The site-local date of the participant's first infusion; null before any.</summary>
    public DateOnly? FirstInfusionDate { get; set; }

    /// <summary>Whether the event was coded to a MedDRA load (its LLT and codes are then written).</summary>
    public bool CodedToMeddra => Source.Text("CodingSource") == DictionaryFiles.MeddraSource;

    public string? Dictionary => Source.Text("CodingDictionaryName") is { } name ? $"{name} {Source.Text("CodingDictionaryVersion")}" : null;

    public string? Meddra(string column) => CodedToMeddra ? Source.Text(column) : null;

    public string? Criterion(string criterion) => ExtractText.YesNo(Criteria.Contains(criterion));
}

/// <summary>
/// One row per adverse event, shaped like the CDISC SDTM AE domain, with the coded values mapped to
/// SDTM controlled terminology where it has them (severity, action, outcome) and the study's own
/// columns beside (awareness, sponsor report, special interest, SUSAR). The verbatim term and the
/// site's own coded term are written by sites as free text, so they appear only when an admin asks for
/// free text; the dictionary coding (AEDECOD, AEBODSYS and, for MedDRA, AELLT and the codes) is the
/// coder's choice among the dictionary's terms, not free text, and is written for every audience.
/// </summary>
public sealed class AdverseEventsDataset : ExtractDataset<AdverseEventRow>
{
    public static readonly IReadOnlyDictionary<string, string> Severities = new Dictionary<string, string>
    {
        ["mild"] = "MILD", ["moderate"] = "MODERATE", ["severe"] = "SEVERE",
    };

    public static readonly IReadOnlyDictionary<string, string> Relatedness = new Dictionary<string, string>
    {
        ["not-related"] = "NOT RELATED", ["unlikely"] = "UNLIKELY RELATED", ["possible"] = "POSSIBLY RELATED",
        ["probable"] = "PROBABLY RELATED", ["definite"] = "DEFINITELY RELATED",
    };

    public static readonly IReadOnlyDictionary<string, string> Actions = new Dictionary<string, string>
    {
        ["none"] = "DOSE NOT CHANGED", ["interrupted"] = "DRUG INTERRUPTED", ["dose-reduced"] = "DOSE REDUCED", ["withdrawn"] = "DRUG WITHDRAWN",
    };

    public static readonly IReadOnlyDictionary<string, string> Outcomes = new Dictionary<string, string>
    {
        ["recovered"] = "RECOVERED/RESOLVED", ["recovering"] = "RECOVERING/RESOLVING", ["not-recovered"] = "NOT RECOVERED/NOT RESOLVED",
        ["recovered-with-sequelae"] = "RECOVERED/RESOLVED WITH SEQUELAE", ["fatal"] = "FATAL", ["unknown"] = "UNKNOWN",
    };

    public override string Name => "adverse-events";
    public override string Description => "One row per adverse event, shaped like the CDISC SDTM AE domain (see docs/extracts.md).";

    public override IReadOnlyList<ExtractColumn<AdverseEventRow>> Columns { get; } =
    [
        Column<AdverseEventRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<AdverseEventRow>.Text("DOMAIN", "Domain abbreviation", _ => "AE", "Always AE.", "constant", allowed: "AE"),
        Column<AdverseEventRow>.Text("USUBJID", "Unique subject identifier", r => r.Source.Text("ParticipantCode"), "The participant code (as participant_code elsewhere).", "Participant.Code"),
        Column<AdverseEventRow>.Integer("AESEQ", "Sequence number", r => r.Sequence,
            "Numbers the subject's events in this file from 1 by onset. Positional: merge incremental pulls on AESPID.", "derived"),
        Column<AdverseEventRow>.Text("AESPID", "Adverse event id", r => r.Source.Id("Id")?.ToString(), "Stable id of the adverse event across extracts.", "AdverseEvent.Id"),
        Column<AdverseEventRow>.Text("AETERM", "Reported term", r => r.Source.Text("Term"), "The event as the site described it, in free text.", "AdverseEvent.Term", freeText: true),
        Column<AdverseEventRow>.Text("AEDECOD", "Dictionary-derived term", r => r.Source.Text("PreferredTerm"),
            "The preferred term the event was coded to (MedDRA PT, or the term of a two-level dictionary); empty while not coded.",
            "CodingTerm.PreferredTerm (AdverseEvent.CodingTermCode)"),
        Column<AdverseEventRow>.Text("AEBODSYS", "Body system or organ class", r => r.Source.Text("Soc"),
            "The system organ class of the preferred term (for MedDRA its primary SOC); empty while not coded.", "CodingTerm.Soc"),
        Column<AdverseEventRow>.Text("AELLT", "Lowest level term", r => r.Meddra("CodingTerm"),
            "The MedDRA lowest level term the event was coded to; empty when coded to a two-level dictionary or not coded.", "CodingTerm.Term (MedDRA loads)"),
        Column<AdverseEventRow>.Text("AELLTCD", "Lowest level term code", r => r.Meddra("CodingTermCode"),
            "The MedDRA LLT code; empty when coded to a two-level dictionary or not coded.", "AdverseEvent.CodingTermCode (MedDRA loads)"),
        Column<AdverseEventRow>.Text("AEPTCD", "Preferred term code", r => r.Meddra("PreferredTermCode"),
            "The MedDRA PT code; empty when coded to a two-level dictionary or not coded.", "CodingTerm.PreferredTermCode (MedDRA loads)"),
        Column<AdverseEventRow>.Text("AESOCCD", "Primary system organ class code", r => r.Meddra("SocCode"),
            "The MedDRA code of the PT's primary SOC; empty when coded to a two-level dictionary or not coded.", "CodingTerm.SocCode (MedDRA loads)"),
        Column<AdverseEventRow>.Text("AEDICT", "Coding dictionary", r => r.Dictionary,
            "The dictionary and version the event was coded with (name, a space, version); empty while not coded.", "CodingDictionary.Name, Version"),
        Column<AdverseEventRow>.Text("AECODSIT", "Site's coded term", r => r.Source.Text("CodedTerm"),
            "A coded term the site typed when recording the event (the codedTerm field, kept for compatibility); free text, not checked against a " +
            "dictionary. Coding is the coder's, in AEDECOD.", "AdverseEvent.CodedTerm", freeText: true),
        Column<AdverseEventRow>.Text("TRTEMFL", "Treatment-emergent flag", r => ExtractText.YesOrNull(r.FirstInfusionDate is { } first && r.Source.Date("OnsetDate") >= first),
            "Y when the event's onset date is on or after the date of the participant's first infusion (site's calendar); empty otherwise, and " +
            "while no infusion is recorded (ADaM convention: Y or null).", "derived (AdverseEvent.OnsetDate, Infusion.StartUtc)", allowed: "Y"),
        Column<AdverseEventRow>.Text("AESEV", "Severity", r => Map(Severities, r.Source.Text("Severity")),
            "Intensity of the event (not seriousness).", "AdverseEvent.Severity", allowed: string.Join(", ", Severities.Values)),
        Column<AdverseEventRow>.Text("AESER", "Serious", r => ExtractText.YesNo(r.Source.Flag("Serious")),
            "Y when any ICH E2A seriousness criterion is met.", "AdverseEvent.Serious", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESDTH", "Results in death", r => r.Criterion("death"), "Seriousness criterion: death.", "AdverseEvent.SeriousCriteria", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESLIFE", "Life-threatening", r => r.Criterion("life-threatening"), "Seriousness criterion: life-threatening.", "AdverseEvent.SeriousCriteria", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESHOSP", "Hospitalisation", r => r.Criterion("hospitalisation"),
            "Seriousness criterion: requires or prolongs hospitalisation.", "AdverseEvent.SeriousCriteria", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESDISAB", "Disability", r => r.Criterion("disability"),
            "Seriousness criterion: persistent or significant disability or incapacity.", "AdverseEvent.SeriousCriteria", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESCONG", "Congenital anomaly", r => r.Criterion("congenital-anomaly"),
            "Seriousness criterion: congenital anomaly or birth defect.", "AdverseEvent.SeriousCriteria", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESMIE", "Important medical event", r => r.Criterion("important-medical-event"),
            "Seriousness criterion: other important medical event.", "AdverseEvent.SeriousCriteria", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AEREL", "Relationship to study drug", r => Map(Relatedness, r.Source.Text("Relatedness")),
            "Causality as judged by the investigator (the study's five-point scale).", "AdverseEvent.Relatedness", allowed: string.Join(", ", Relatedness.Values)),
        Column<AdverseEventRow>.Text("AEACN", "Action taken with study drug", r => Map(Actions, r.Source.Text("ActionTaken")),
            "What was done with the study drug because of the event.", "AdverseEvent.ActionTaken", allowed: string.Join(", ", Actions.Values)),
        Column<AdverseEventRow>.Text("AEOUT", "Outcome", r => Map(Outcomes, r.Source.Text("Outcome")),
            "Outcome of the event.", "AdverseEvent.Outcome", allowed: string.Join(", ", Outcomes.Values)),
        Column<AdverseEventRow>.Date("AESTDTC", "Start date", r => r.Source.Date("OnsetDate"), "Onset date.", "AdverseEvent.OnsetDate"),
        Column<AdverseEventRow>.Date("AEENDTC", "End date", r => r.Source.Date("EndDate"), "End date; empty while the event is ongoing.", "AdverseEvent.EndDate"),
        Column<AdverseEventRow>.Integer("AESTDY", "Study day of start", r => ExtractText.StudyDay(r.Source.Date("OnsetDate"), r.DayZero),
            "Onset relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0). Empty before INF1.", "derived", unit: "days"),
        Column<AdverseEventRow>.Text("AEEXPECT", "Expected", r => ExtractText.YesNo(r.Source.Flag("Expected")),
            "Y when the event is expected (listed in the reference safety information).", "AdverseEvent.Expected", allowed: "Y, N"),
        Column<AdverseEventRow>.Text("AESICAT", "Special-interest category", r => r.Source.Text("SpecialInterest"),
            "Adverse event of special interest category; empty when none.", "AdverseEvent.SpecialInterest", allowed: string.Join(", ", AdverseEventRules.SpecialInterests)),
        Column<AdverseEventRow>.Date("AEAWRDTC", "Date site became aware", r => r.Source.Date("AwareDate"),
            "The date the site learnt of the event (day 0 of the reporting clocks).", "AdverseEvent.AwareDate"),
        Column<AdverseEventRow>.Instant("AEAWRUTC", "Time site became aware", r => r.Source.Instant("AwareUtc"),
            "The instant the site learnt of the event, UTC, when it was recorded (the 24-hour SAE clock starts there); empty when only the date is known.", "AdverseEvent.AwareUtc"),
        Column<AdverseEventRow>.Text("AESPRDTC", "Reported to sponsor",
            r => r.Source.Instant("SponsorReportedUtc") is { } reported ? ExtractText.LocalDateTime(ExtractText.LocalDateTime(reported, r.SiteZone)) : null,
            "When the event was reported to the sponsor, ISO 8601 as the site's clock read it with its offset from UTC (as every SDTM --DTC of an instant); "
            + "empty when not (yet) reported.", "AdverseEvent.SponsorReportedUtc, in the site's time zone", type: ColumnTypes.Instant,
            allowed: "yyyy-MM-ddThh:mm:ss+hh:mm (site's local time and offset)"),
        Column<AdverseEventRow>.Text("AESUSAR", "SUSAR", r => ExtractText.YesNo(r.Susar.IsSusar),
            "Y for a suspected unexpected serious adverse reaction: serious, related (possible, probable or definite) and not expected.", "derived (ICH E2A)", allowed: "Y, N"),
        Column<AdverseEventRow>.Integer("AESUSCLK", "SUSAR reporting clock", r => r.Susar.ReportingClockDays,
            "Days the sponsor has to report the SUSAR: 7 when fatal or life-threatening, else 15. Empty when not a SUSAR.", "derived (ICH E2A)", allowed: "7, 15", unit: "days"),
        Column<AdverseEventRow>.Date("AESUSDUE", "SUSAR report due", r => r.Susar.DueDate,
            "Date the SUSAR report is due (awareness date + clock). Empty when not a SUSAR.", "derived (ICH E2A)"),
        Column<AdverseEventRow>.Integer("AEREVNUM", "Revision", r => r.Source.Integer("RowVersion"), "1 as first recorded; each update adds 1.", "AdverseEvent.RowVersion"),
    ];

    private static string? Map(IReadOnlyDictionary<string, string> terms, string? value) =>
        value is null ? null : terms.GetValueOrDefault(value, value.ToUpperInvariant());

    protected override Func<AdverseEventRow, string?> ParticipantOf => r => r.Source.Text("ParticipantCode");

    public const string AdverseEventsSql =
        $"""
        SELECT e.Id, p.Code AS ParticipantCode, p.SiteCode, e.Term, e.CodedTerm, e.OnsetDate, e.EndDate, e.Severity, e.Serious, e.SeriousCriteria,
               e.Relatedness, e.Expected, e.ActionTaken, e.Outcome, e.AwareDate, e.AwareUtc, e.SponsorReportedUtc, e.SpecialInterest, e.RowVersion,
               d0.ActualDate AS DayZeroDate,
               (SELECT MIN(i.StartUtc) FROM Infusion i WHERE i.ParticipantId = p.Id) AS FirstInfusionUtc,
               e.CodingTermCode, ct.Term AS CodingTerm, ct.PreferredTermCode, ct.PreferredTerm, ct.SocCode, ct.Soc, cd.Source AS CodingSource,
               cd.Name AS CodingDictionaryName, cd.Version AS CodingDictionaryVersion
        FROM AdverseEvent e
        JOIN Participant p ON p.Id = e.ParticipantId
        LEFT JOIN CodingDictionary cd ON cd.Id = e.CodingDictionaryId
        LEFT JOIN CodingTerm ct ON ct.DictionaryId = e.CodingDictionaryId AND ct.TermCode = e.CodingTermCode
        {ExtractSql.DayZeroJoin}
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR e.UpdatedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number, e.OnsetDate, e.Id
        """;

    protected override async IAsyncEnumerable<AdverseEventRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, AdverseEventsSql, context.Filter, context.Anchors, ct);
        var source = new ReaderRow(reader);
        var row = new AdverseEventRow(source) { StudyId = context.Protocol.ProtocolId };
        string? subject = null;
        while (await reader.ReadAsync(ct))
        {
            var code = source.Text("ParticipantCode");
            row.Sequence = code == subject ? row.Sequence + 1 : 1;
            subject = code;
            var criteria = source.Text("SeriousCriteria") ?? "";
            row.Criteria = criteria.Length == 0 ? [] : criteria.Split(',');
            row.DayZero = source.Date("DayZeroDate");
            row.SiteZone = context.Zone(source.Text("SiteCode")!);
            row.FirstInfusionDate = source.Instant("FirstInfusionUtc") is { } firstInfusion
                ? SiteCalendar.LocalDate(firstInfusion, row.SiteZone)
                : null;
            row.Susar = AdverseEventRules.Susar(new AdverseEventFact(
                source.Id("Id")!.Value, "", source.Date("OnsetDate")!.Value, source.Date("EndDate"), source.Text("Severity")!, source.Flag("Serious")!.Value,
                row.Criteria, source.Text("Relatedness")!, source.Flag("Expected")!.Value, source.Text("ActionTaken")!, source.Text("Outcome")!,
                source.Date("AwareDate")!.Value, source.Instant("AwareUtc"), source.Instant("SponsorReportedUtc"), source.Text("SpecialInterest")));
            yield return row;
        }
    }
}
