using System.Runtime.CompilerServices;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class ConcomitantMedicationRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;
    public string StudyId { get; set; } = "";
    public int Sequence { get; set; }
    public DateOnly? DayZero { get; set; }
    public string? RestrictedClasses { get; set; }
}

/// <summary>
/// One row per concomitant medication, shaped like the CDISC SDTM CM domain. The name is kept as the site wrote it
/// (CMTRT): a medication's name says nothing about who takes it, and it is what a statistician classifies by. Entry
/// refuses text starting with =, +, - or @, so no cell of it reads as a spreadsheet formula. The indication is free
/// text the site writes about the participant, so it appears only when an admin asks for free text. CMDECOD stays empty
/// until medications are coded against a dictionary.
/// </summary>
public sealed class ConcomitantMedicationsDataset(ProtocolDefinition protocol) : ExtractDataset<ConcomitantMedicationRow>
{
    public override string Name => "concomitant-medications";
    public override string Description => "One row per concomitant medication, shaped like the CDISC SDTM CM domain (see docs/extracts.md).";

    public override IReadOnlyList<ExtractColumn<ConcomitantMedicationRow>> Columns { get; } =
    [
        Column<ConcomitantMedicationRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<ConcomitantMedicationRow>.Text("DOMAIN", "Domain abbreviation", _ => "CM", "Always CM.", "constant", allowed: "CM"),
        Column<ConcomitantMedicationRow>.Text("USUBJID", "Unique subject identifier", r => r.Source.Text("ParticipantCode"),
            "The participant code (as participant_code elsewhere).", "Participant.Code"),
        Column<ConcomitantMedicationRow>.Integer("CMSEQ", "Sequence number", r => r.Sequence,
            "Numbers the subject's medications in this file from 1 by start date. Positional: merge incremental pulls on CMSPID.", "derived"),
        Column<ConcomitantMedicationRow>.Text("CMSPID", "Medication id", r => r.Source.Id("Id")?.ToString(),
            "Stable id of the medication record across extracts.", "ConcomitantMedication.Id"),
        Column<ConcomitantMedicationRow>.Text("CMTRT", "Reported name of drug or therapy", r => r.Source.Text("Name"),
            "The medication (or therapy, such as ECT) as the site wrote it: a brand or a substance.", "ConcomitantMedication.Name"),
        Column<ConcomitantMedicationRow>.Text("CMDECOD", "Standardised medication name", _ => null,
            "The dictionary-coded name; empty: medications are not coded against a dictionary yet.", "not collected"),
        Column<ConcomitantMedicationRow>.Text("CMCLASCD", "ATC code", r => r.Source.Text("AtcCode"),
            "The WHO ATC code as entered, of any level (e.g. N05BA06 substance, N05BA chemical subgroup, N05 therapeutic subgroup), in capitals; empty when the site gave none.",
            "ConcomitantMedication.AtcCode"),
        Column<ConcomitantMedicationRow>.Text("CMCLAS", "Restricted class", r => r.RestrictedClasses,
            "The protocol's restricted medication classes (CONMED_PROHIBITED) the medication belongs to by its ATC code or name, comma-separated (e.g. benzodiazepine); empty when none.",
            "derived (protocol file: CONMED_PROHIBITED medicationClasses)"),
        Column<ConcomitantMedicationRow>.Text("CMDOSTXT", "Dose description", r => r.Source.Text("Dose"),
            "The dose as the site wrote it, with its unit and frequency (e.g. 1 mg at night).", "ConcomitantMedication.Dose"),
        Column<ConcomitantMedicationRow>.Text("CMROUTE", "Route of administration", r => r.Source.Text("Route"),
            "The route as the site wrote it (e.g. oral); not mapped to controlled terminology.", "ConcomitantMedication.Route"),
        Column<ConcomitantMedicationRow>.Date("CMSTDTC", "Start date", r => r.Source.Date("StartDate"),
            "The date the medication was started (the site's calendar).", "ConcomitantMedication.StartDate"),
        Column<ConcomitantMedicationRow>.Date("CMENDTC", "End date", r => r.Source.Date("EndDate"),
            "The date the medication was stopped (the site's calendar); empty while it is ongoing.", "ConcomitantMedication.EndDate"),
        Column<ConcomitantMedicationRow>.Text("CMENRTPT", "End relative to reference time point", r => r.Source.Flag("Ongoing") == true ? "ONGOING" : null,
            "ONGOING when the site recorded the medication as still taken at its latest entry (then CMENDTC is empty); empty when it has ended.",
            "ConcomitantMedication.Ongoing", allowed: "ONGOING"),
        Column<ConcomitantMedicationRow>.Text("CMINDC", "Indication", r => r.Source.Text("Indication"),
            "What the medication is taken for, in the site's free text.", "ConcomitantMedication.Indication", freeText: true),
        Column<ConcomitantMedicationRow>.Integer("CMSTDY", "Study day of start", r => ExtractText.StudyDay(r.Source.Date("StartDate"), r.DayZero),
            "Start relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0). Empty before INF1 is recorded.",
            "derived", unit: "days"),
        Column<ConcomitantMedicationRow>.Integer("CMENDY", "Study day of end", r => ExtractText.StudyDay(r.Source.Date("EndDate"), r.DayZero),
            "End relative to INF1's actual date, counted as CMSTDY. Empty while ongoing or before INF1 is recorded.", "derived", unit: "days"),
        Column<ConcomitantMedicationRow>.Integer("CMREVNUM", "Revision", r => r.Source.Integer("RowVersion"),
            "1 as first recorded; each correction adds 1.", "ConcomitantMedication.RowVersion"),
    ];

    protected override Func<ConcomitantMedicationRow, string?> ParticipantOf => r => r.Source.Text("ParticipantCode");

    public const string ConcomitantMedicationsSql =
        $"""
        SELECT m.Id, p.Code AS ParticipantCode, p.SiteCode, m.Name, m.AtcCode, m.Dose, m.Route, m.StartDate, m.EndDate, m.Ongoing, m.Indication, m.RowVersion,
               d0.ActualDate AS DayZeroDate
        FROM ConcomitantMedication m
        JOIN Participant p ON p.Id = m.ParticipantId
        {ExtractSql.DayZeroJoin}
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR m.UpdatedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number, m.StartDate, m.Id
        """;

    protected override async IAsyncEnumerable<ConcomitantMedicationRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, ConcomitantMedicationsSql, context.Filter, context.Anchors, ct);
        var source = new ReaderRow(reader);
        var row = new ConcomitantMedicationRow(source) { StudyId = context.Protocol.ProtocolId };
        string? subject = null;
        while (await reader.ReadAsync(ct))
        {
            var code = source.Text("ParticipantCode");
            row.Sequence = code == subject ? row.Sequence + 1 : 1;
            subject = code;
            row.DayZero = source.Date("DayZeroDate");
            var classes = SafetyEngine.RestrictedClasses(protocol, new ConcomitantMedicationFact(
                source.Id("Id")!.Value, source.Text("Name")!, source.Text("AtcCode"), source.Date("StartDate")!.Value, source.Date("EndDate"), source.Flag("Ongoing")!.Value));
            row.RestrictedClasses = classes.Count == 0 ? null : string.Join(",", classes);
            yield return row;
        }
    }
}
