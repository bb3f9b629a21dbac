using System.Runtime.CompilerServices;
using Trial.Core.Participants;
using Trial.Core.Populations;
using Trial.Core.Protocol;
using Trial.Core.Safety;
using Trial.Core.Schedule;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

/// <summary>One participant of subjects.csv, with what is derived for them.</summary>
public sealed class SubjectRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;
    public string StudyId { get; set; } = "";
    public string Code { get; set; } = "";
    public DateOnly? RandomisedDate { get; set; }
    public int Infusions { get; set; }
    public DateTimeOffset? FirstInfusionStart { get; set; }
    public DateTimeOffset? LastInfusionEnd { get; set; }
    public string? EndOfTreatmentStatus { get; set; }
    public DispositionEvent? EndOfTreatment { get; set; }
    public string EndOfStudyStatus { get; set; } = "";
    public DispositionEvent? EndOfStudy { get; set; }
    public PerProtocolVerdict? PerProtocol { get; set; }

    /// <summary>The allocation, for an unblinded audience only (a blinded extract never reads one).</summary>
    public ExtractAllocation? Allocation { get; set; }

    /// <summary>The arm of the preparations infused, for an unblinded audience only.</summary>
    public ArmDefinition? ActualArm { get; set; }
}

/// <summary>
/// One row per enrolled participant, shaped like ADaM's subject-level dataset (ADSL): who and where, screening and enrolment,
/// randomisation (never the arm: the arm columns follow only in unblinded extracts), exposure in dates and counts (never what
/// was infused), end of treatment and end of study as disposition.csv derives them, the emergency unblinding, and the
/// analysis populations ITTFL, SAFFL and PPROTFL (the latter defined by the protocol file's perProtocol section). The
/// derivation of every column is in docs/extracts.md.
/// </summary>
public sealed class SubjectsDataset(ProtocolDefinition protocol) : ExtractDataset<SubjectRow>
{
    public const string Completed = "COMPLETED", Discontinued = "DISCONTINUED", Ongoing = "ONGOING";

    /// <summary>SDTM's actual arm for a participant infused with the preparations of more than one arm.</summary>
    public const string UnplannedCode = "UNPLAN", UnplannedName = "Unplanned Treatment";

    private static readonly ArmDefinition Unplanned = new() { Code = UnplannedCode, Name = UnplannedName, Drug = "" };

    private readonly string? _lastInfusionVisit = protocol.InfusionVisits.LastOrDefault()?.Code;
    private readonly string? _lastFollowUpVisit = protocol.LastFollowUpVisit?.Code;

    public override string Name => "subjects";
    public override string Description => "One row per enrolled participant, shaped like the ADaM subject-level dataset ADSL, with the analysis populations (see docs/extracts.md).";

    private static readonly string Reasons = string.Join(", ", DispositionReasons.All);
    private static readonly string Statuses = $"{Completed}, {Discontinued}, {Ongoing}";

    public override IReadOnlyList<ExtractColumn<SubjectRow>> Columns { get; } =
    [
        Column<SubjectRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<SubjectRow>.Text("USUBJID", "Unique subject identifier", r => r.Code,
            "The participant code (participant_code in participants.csv, USUBJID in the SDTM-shaped files).", "Participant.Code"),
        Column<SubjectRow>.Text("SITEID", "Study site identifier", r => r.Source.Text("SiteCode"), "The site that enrolled the participant.", "Participant.SiteCode"),
        Column<SubjectRow>.Text("SEX", "Sex", r => ParticipantsDataset.SexWords.GetValueOrDefault(r.Source.Text("Sex") ?? "", r.Source.Text("Sex")!),
            "Sex as recorded at enrolment, in words as in participants.csv (stored F, M, X; CDISC's F, M and U): a column of only F would be read as logical FALSE by R.",
            "Participant.Sex", allowed: "female, male, unspecified"),
        Column<SubjectRow>.Integer("BRTHDTC", "Year of birth", r => r.Source.Integer("BirthYear"),
            "The date of birth as SDTM DM's BRTHDTC holds a partial date: the year only, since the full date is not collected.", "Participant.BirthYear", unit: "year"),
        Column<SubjectRow>.Text("SCRNNO", "Screening number", r => r.Source.Text("ScreeningNumber"),
            "The screening the participant was enrolled from (joins screening_number in screening.csv).", "Participant.ScreeningNumber"),
        Column<SubjectRow>.Date("ENRLDT", "Enrolment date", r => r.Source.Date("EnrolledDate"),
            "Date of consent and enrolment (SDTM DM's RFICDTC), in the site's calendar.", "Participant.EnrolledDate"),
        Column<SubjectRow>.Text("RANDFL", "Randomised flag", r => ExtractText.YesNo(r.RandomisedDate is not null),
            "Y when the participant was randomised, else N (always N in a study without randomisation).", "Allocation (exists)", allowed: "Y, N"),
        Column<SubjectRow>.Date("RANDDT", "Date of randomisation", r => r.RandomisedDate,
            "The site's calendar date of the randomisation (as DSSTDTC of disposition.csv's RANDOMIZED row); empty when not randomised.",
            "Allocation.RandomisedUtc (in the site's time zone)"),
        Column<SubjectRow>.Text("STRAT1R", "Stratum as randomised", r => r.Source.Text("Stratum"),
            "The randomisation stratum the participant was allocated in: the site and the band of the baseline MADRS total (e.g. WAW/MADRS<35). Known to the "
            + "sites, it tells nothing of the arm. Kept as randomised even if the baseline MADRS is corrected later. Empty when not randomised.",
            "Allocation.Stratum", allowed: "SITE/MADRS<35, SITE/MADRS>=35 in the default protocol (the protocol's strata)"),
        Column<SubjectRow>.Number("MADRSBLR", "Baseline MADRS total at randomisation", r => r.Source.Number("BaselineMadrsTotal"),
            "The baseline MADRS total the stratum was computed from, as it stood when the participant was randomised (a later correction changes "
            + "efficacy.csv's baseline, not this). Empty when not randomised, or when the design does not stratify by it.", "Allocation.BaselineMadrsTotal",
            unit: "points"),
        Column<SubjectRow>.Date("TRTSDT", "Date of first infusion", r => r.FirstInfusionStart is { } s ? DateOnly.FromDateTime(s.DateTime) : null,
            "The site's calendar date on which the first infusion started (the date of RFSTDTC); empty when none was given.",
            "Infusion.StartUtc (earliest, in the site's time zone)"),
        Column<SubjectRow>.Date("TRTEDT", "Date of last infusion", r => r.LastInfusionEnd is { } e ? DateOnly.FromDateTime(e.DateTime) : null,
            "The site's calendar date on which the last infusion ended (the date of RFENDTC); empty when none was given.",
            "Infusion.EndUtc (latest, in the site's time zone)"),
        Column<SubjectRow>.Integer("NUMINF", "Number of infusions received", r => r.Infusions,
            "How many infusions were given (recorded), whatever their visit; 0 when none.", "Infusion (count)"),
        Column<SubjectRow>.Text("RFSTDTC", "Subject reference start date/time", r => ExtractText.LocalDateTime(r.FirstInfusionStart),
            "SDTM DM's reference start: when the first infusion started, in the site's time with its offset from UTC (ISO 8601), so its date is "
            + "the site's date that the study days count from. Empty when no infusion was given.", "Infusion.StartUtc (earliest)",
            allowed: "yyyy-MM-ddThh:mm:ss+hh:mm (site time)", type: ColumnTypes.Instant),
        Column<SubjectRow>.Text("RFENDTC", "Subject reference end date/time", r => ExtractText.LocalDateTime(r.LastInfusionEnd),
            "SDTM DM's reference end, which the sponsor defines: here the end of the last infusion given (the last exposure to study treatment), in the "
            + "site's time with its offset. Not the last contact: follow-up visits come after it. Empty when no infusion was given.",
            "Infusion.EndUtc (latest)", allowed: "yyyy-MM-ddThh:mm:ss+hh:mm (site time)", type: ColumnTypes.Instant),
        Column<SubjectRow>.Text("EOTSTT", "End of treatment status", r => r.EndOfTreatmentStatus,
            "COMPLETED when every infusion visit of the plan was recorded; DISCONTINUED when infusions were stopped early, or the participant left "
            + "the study after the first infusion with infusions still planned; ONGOING otherwise (first infusion still to come included). Empty "
            + "for a participant who left the study before any infusion. As disposition.csv's end-of-treatment row (DSSCAT STUDY TREATMENT).",
            "derived: Participant.InfusionsDiscontinuedDate, Participant.WithdrawnDate, VisitRecord", allowed: Statuses),
        Column<SubjectRow>.Text("DCTREAS", "Reason for discontinuation of treatment", r => r.EndOfTreatment is { Completed: false } e ? e.ReasonCode : null,
            "The coded reason (CDISC NCOMPLT) when EOTSTT is DISCONTINUED: the discontinuation's, or the withdrawal's when the participant left during "
            + "the infusions. Empty otherwise, and for an early end recorded before coded reasons were kept.",
            "Participant.DiscontinuationReasonCode, Participant.WithdrawalReasonCode", allowed: Reasons),
        Column<SubjectRow>.Date("EOTDT", "End of treatment date", r => r.EndOfTreatment?.Date,
            "The last infusion visit's date (COMPLETED), the date infusions were stopped, or the withdrawal date (DISCONTINUED); empty while ONGOING.",
            "VisitRecord.ActualDate, Participant.InfusionsDiscontinuedDate, Participant.WithdrawnDate"),
        Column<SubjectRow>.Text("EOSSTT", "End of study status", r => r.EndOfStudyStatus,
            "COMPLETED once the last follow-up visit of the plan is recorded; DISCONTINUED when the participant withdrew (lost to follow-up included); "
            + "ONGOING otherwise. As disposition.csv's end-of-study row (DSSCAT STUDY PARTICIPATION).", "derived: Participant.Status, Participant.WithdrawnDate",
            allowed: Statuses),
        Column<SubjectRow>.Text("DCSREAS", "Reason for discontinuation from study", r => r.EndOfStudy is { Completed: false } e ? e.ReasonCode : null,
            "The withdrawal's coded reason (CDISC NCOMPLT; LOST TO FOLLOW-UP for a participant lost) when EOSSTT is DISCONTINUED; empty otherwise, and for "
            + "a withdrawal recorded before coded reasons were kept.", "Participant.WithdrawalReasonCode", allowed: Reasons),
        Column<SubjectRow>.Date("EOSDT", "End of study date", r => r.EndOfStudy?.Date,
            "The last follow-up visit's date (COMPLETED) or the withdrawal date (DISCONTINUED); empty while ONGOING.",
            "VisitRecord.ActualDate, Participant.WithdrawnDate"),
        Column<SubjectRow>.Text("UNBLNDFL", "Emergency unblinding flag", r => ExtractText.YesNo(r.Source.Instant("UnblindedUtc") is not null),
            "Y when an investigator unblinded the participant in an emergency (their arm was revealed at the site, so later data were collected "
            + "unblinded); N otherwise. Says nothing of which arm.", "Participant.UnblindedUtc", allowed: "Y, N"),
        Column<SubjectRow>.Text("ITTFL", "Intention-to-treat population flag", r => ExtractText.YesNo(r.RandomisedDate is not null),
            "Y for every participant randomised (analysed in the arm randomised to, whatever was given), else N.", "Allocation (exists)", allowed: "Y, N"),
        Column<SubjectRow>.Text("SAFFL", "Safety population flag", r => ExtractText.YesNo(r.Infusions > 0),
            "Y when at least one infusion was given, else N.", "Infusion (exists)", allowed: "Y, N"),
        Column<SubjectRow>.Text("PPROTFL", "Per-protocol population flag", r => r.PerProtocol is { } v ? ExtractText.YesNo(v.Included) : null,
            "Y when the participant meets every criterion the protocol file's perProtocol section names, else N (also while infusions are still to "
            + "come). In the shipped protocols: every infusion of the plan given within its visit window; no major deviation, which, as the system "
            + "keeps no deviation log, is a discontinuation or withdrawal coded PROTOCOL DEVIATION; no prohibited concomitant medication as the safety "
            + "rule CONMED_PROHIBITED judges it. Empty when the protocol defines no per-protocol population.",
            "derived: protocol file perProtocol, VisitRecord, Infusion, ConcomitantMedication, Participant reason codes", allowed: "Y, N"),
        Column<SubjectRow>.Text("PPROTRSN", "Per-protocol criteria not met", r => r.PerProtocol is { } v ? string.Join("; ", v.FailedCriteria) : null,
            "The criteria of the protocol file's perProtocol section the participant fails, separated by '; ', in the file's order; empty when PPROTFL is Y "
            + "or empty.", "derived: protocol file perProtocol.criteria", allowed: string.Join(", ", PerProtocolCriteria.All)),
        .. ArmColumns.Definitions.Select(c => c.Through<SubjectRow>(r => r.Allocation)),
        Column<SubjectRow>.Text("ACTARMCD", "Actual arm code", r => r.ActualArm?.Code,
            "The arm of the pharmacy's preparations actually infused (as SDTM's ACTARMCD): a participant given the other arm's preparation shows that "
            + "arm; one given preparations of both arms UNPLAN. In an open-label single-arm study (no preparations) the one arm. Empty when no infusion "
            + "was given. Unblinded extracts only.", "Preparation.Arm (through Infusion.PreparationId)",
            allowed: $"the protocol's arm codes (KET, MDZ in the default protocol), {UnplannedCode}", unblindedOnly: true),
        Column<SubjectRow>.Text("ACTARM", "Actual arm", r => r.ActualArm?.Name,
            "The name of that arm in the protocol (as SDTM's ACTARM); Unplanned Treatment for UNPLAN. Empty when no infusion was given. Unblinded extracts only.",
            "protocol file: design.arms[].name", allowed: $"the protocol's arm names, {UnplannedName}", unblindedOnly: true),
    ];

    /// <summary>
    /// Each participant with what their row is derived from: the randomisation (its date, stratum and baseline MADRS, never the
    /// arm), the first and last infusion visits and the last follow-up visit of the plan (their codes are parameters), the
    /// discontinuation and the withdrawal. Incremental: a participant enrolled, randomised or unblinded since, or with any
    /// audited change since (visits, infusions, medications, disposition), since each can change their row.
    /// </summary>
    public const string SubjectsSql =
        $"""
        SELECT p.Code, p.SiteCode, p.Sex, p.BirthYear, p.ScreeningNumber, p.EnrolledDate, p.Status, p.UnblindedUtc,
               p.InfusionsDiscontinuedDate, p.DiscontinuationReasonCode, p.WithdrawnDate, p.WithdrawalReasonCode,
               al.RandomisedUtc, al.Stratum, al.BaselineMadrsTotal,
               d0.ActualDate AS DayZeroDate, li.ActualDate AS LastInfusionDate, fu.ActualDate AS LastFollowUpDate
        FROM Participant p
        LEFT JOIN Allocation al ON al.ParticipantId = p.Id
        {ExtractSql.DayZeroJoin}
        LEFT JOIN VisitRecord li ON li.ParticipantId = p.Id AND li.VisitCode = @lastInfusionVisit
        LEFT JOIN VisitRecord fu ON fu.ParticipantId = p.Id AND fu.VisitCode = @lastFollowUpVisit
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR p.EnrolledUtc >= @sinceUtc OR p.UnblindedUtc >= @sinceUtc OR al.RandomisedUtc >= @sinceUtc
               OR EXISTS (SELECT 1 FROM AuditEvent e WHERE e.ParticipantCode = p.Code AND e.AtUtc >= @sinceUtc))
        ORDER BY p.SiteCode, p.Number
        """;

    /// <summary>Every visit recorded for the sites' participants: the per-protocol windows are judged on them.</summary>
    public const string SubjectVisitsSql =
        $"""
        SELECT p.Code AS ParticipantCode, v.VisitCode, v.ActualDate
        FROM VisitRecord v
        JOIN Participant p ON p.Id = v.ParticipantId
        WHERE {ExtractSql.SiteFilter}
        """;

    /// <summary>Every infusion given to the sites' participants: when, at which visit; never what was infused.</summary>
    public const string SubjectInfusionsSql =
        $"""
        SELECT p.Code AS ParticipantCode, i.Id, i.VisitCode, i.StartUtc, i.EndUtc
        FROM Infusion i
        JOIN Participant p ON p.Id = i.ParticipantId
        WHERE {ExtractSql.SiteFilter}
        """;

    /// <summary>Every concomitant medication of the sites' participants, as CONMED_PROHIBITED reads them.</summary>
    public const string SubjectMedicationsSql =
        $"""
        SELECT p.Code AS ParticipantCode, m.Id, m.Name, m.AtcCode, m.StartDate, m.EndDate, m.Ongoing
        FROM ConcomitantMedication m
        JOIN Participant p ON p.Id = m.ParticipantId
        WHERE {ExtractSql.SiteFilter}
        """;

    /// <summary>
    /// The arm of each preparation infused (empty for an infusion recorded with its dose, in an open-label study). Read for an
    /// unblinded audience only.
    /// </summary>
    public const string ActualArmsSql =
        $"""
        SELECT p.Code AS ParticipantCode, pr.Arm
        FROM Infusion i
        JOIN Participant p ON p.Id = i.ParticipantId
        LEFT JOIN Preparation pr ON pr.PreparationId = i.PreparationId
        WHERE {ExtractSql.SiteFilter}
        """;

    protected override async IAsyncEnumerable<SubjectRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        // The per-participant facts first (a handful of rows per participant), then the participants streamed: one reader at a time
        // on the snapshot's connection.
        var visits = await ReadGroupedAsync(context, SubjectVisitsSql, r => new RecordedVisit(r.Text("VisitCode")!, r.Date("ActualDate")!.Value), ct);
        var infusions = await ReadGroupedAsync(context, SubjectInfusionsSql, r => new Infusion(
            new InfusionFact(r.Id("Id")!.Value, r.Text("VisitCode")!, r.Instant("StartUtc")!.Value), r.Instant("EndUtc")!.Value), ct);
        var medications = await ReadGroupedAsync(context, SubjectMedicationsSql, r => new ConcomitantMedicationFact(
            r.Id("Id")!.Value, r.Text("Name")!, r.Text("AtcCode"), r.Date("StartDate")!.Value, r.Date("EndDate"), r.Flag("Ongoing") == true), ct);
        var allocations = await context.AllocationsAsync();
        var actualArms = context.Audience.Unblinded
            ? await ReadGroupedAsync(context, ActualArmsSql, r => r.Text("Arm"), ct)
            : new Dictionary<string, List<string?>>(StringComparer.Ordinal);

        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, SubjectsSql, context.Filter, context.Anchors,
            new { lastInfusionVisit = _lastInfusionVisit ?? "", lastFollowUpVisit = _lastFollowUpVisit ?? "" }, ct);
        var row = new SubjectRow(new ReaderRow(reader)) { StudyId = context.Protocol.ProtocolId };
        while (await reader.ReadAsync(ct))
        {
            var code = row.Source.Text("Code")!;
            row.Code = code;
            Derive(context, row, visits.GetValueOrDefault(code) ?? [], infusions.GetValueOrDefault(code) ?? [], medications.GetValueOrDefault(code) ?? []);
            row.Allocation = allocations.Of(code);
            row.ActualArm = context.Audience.Unblinded ? ActualArm(context.Protocol.Design, actualArms.GetValueOrDefault(code)) : null;
            yield return row;
        }
    }

    private sealed record Infusion(InfusionFact Fact, DateTime EndUtc);

    private static void Derive(ExportContext context, SubjectRow row, List<RecordedVisit> visits, List<Infusion> infusions, List<ConcomitantMedicationFact> medications)
    {
        var source = row.Source;
        var site = source.Text("SiteCode")!;
        row.RandomisedDate = source.Instant("RandomisedUtc") is { } randomisedUtc ? context.LocalDate(site, randomisedUtc) : null;
        row.Infusions = infusions.Count;
        row.FirstInfusionStart = infusions.Count == 0 ? null : context.LocalDateTime(site, infusions.Min(i => i.Fact.StartUtc));
        row.LastInfusionEnd = infusions.Count == 0 ? null : context.LocalDateTime(site, infusions.Max(i => i.EndUtc));

        var (discontinued, discontinuationCode) = (source.Date("InfusionsDiscontinuedDate"), source.Text("DiscontinuationReasonCode"));
        var (withdrawn, withdrawalCode) = (source.Date("WithdrawnDate"), source.Text("WithdrawalReasonCode"));
        var disposition = Disposition.Of(new DispositionFacts(source.Date("DayZeroDate"), source.Date("LastInfusionDate"), discontinued, discontinuationCode,
            withdrawn, withdrawalCode, source.Text("Status")!, source.Date("LastFollowUpDate")));
        row.EndOfTreatment = disposition.EndOfTreatment;
        row.EndOfStudy = disposition.EndOfStudy;
        // No end of treatment: still to come or under way, unless the participant left the study before any infusion.
        row.EndOfTreatmentStatus = disposition.EndOfTreatment is { } treatment ? (treatment.Completed ? Completed : Discontinued)
            : disposition.EndOfStudy is null ? Ongoing : null;
        row.EndOfStudyStatus = disposition.EndOfStudy is { } study ? (study.Completed ? Completed : Discontinued) : Ongoing;

        var zone = context.Zone(site);
        row.PerProtocol = PerProtocolPopulation.Judge(context.Protocol, new PerProtocolFacts(source.Date("EnrolledDate")!.Value, visits, discontinued,
            discontinuationCode, withdrawn, withdrawalCode, zone, [.. infusions.Select(i => i.Fact)], medications), context.Today(site), context.Snapshot.TakenUtc);
    }

    /// <summary>
    /// The arm the participant was actually treated in, from the arms of the preparations infused: one arm, that arm; more than one,
    /// unplanned; an infusion without a preparation (open-label, the investigator records the dose) counts for a single-arm design's arm.
    /// </summary>
    private static ArmDefinition? ActualArm(StudyDesign design, List<string?>? armsInfused)
    {
        if (armsInfused is null || armsInfused.Count == 0) return null;
        var single = design.Arms.Count == 1 ? design.Arms[0].Code : null;
        var arms = armsInfused.Select(a => a ?? single).Where(a => a is not null).Distinct(StringComparer.Ordinal).ToList();
        return arms.Count switch
        {
            0 => null,
            1 => design.FindArm(arms[0]) ?? new ArmDefinition { Code = arms[0]!, Name = arms[0]!, Drug = "" },
            _ => Unplanned,
        };
    }

    private static async Task<Dictionary<string, List<T>>> ReadGroupedAsync<T>(ExportContext context, string sql, Func<ReaderRow, T> read, CancellationToken ct)
    {
        var byParticipant = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, sql, context.Filter, ct);
        var row = new ReaderRow(reader);
        while (await reader.ReadAsync(ct))
        {
            var code = row.Text("ParticipantCode")!;
            if (!byParticipant.TryGetValue(code, out var list)) byParticipant[code] = list = [];
            list.Add(read(row));
        }
        return byParticipant;
    }
}
