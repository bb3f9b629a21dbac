using System.Runtime.CompilerServices;
using Trial.Core.Participants;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

/// <summary>One disposition record of a participant: a protocol milestone or a disposition event.</summary>
public sealed class DispositionRow
{
    public string StudyId { get; set; } = "";
    public string ParticipantCode { get; set; } = "";
    public int Sequence { get; set; }
    public string Term { get; set; } = "";
    public string? Decoded { get; set; }
    public string Category { get; set; } = "";
    public string? Subcategory { get; set; }
    public string Epoch { get; set; } = "";
    public DateOnly Date { get; set; }
    public int? StudyDay { get; set; }
    public string? SiteWords { get; set; }
    /// <summary>Which milestone or event (1 randomised, 2 first infusion, 3 end of treatment, 4 end of study): the order of DSSEQ.</summary>
    public int Order { get; set; }
}

/// <summary>
/// One row per disposition milestone of each participant, shaped like the CDISC SDTM DS domain: randomised (never the
/// arm: the arm columns follow only in unblinded extracts), first infusion, end of treatment (all infusions of the plan
/// given, or infusions stopped early with the coded reason) and end of study (completed, or withdrawn with the coded
/// reason; lost to follow-up is a withdrawal coded LOST TO FOLLOW-UP). The site's words for a reason are free text,
/// present only when an admin asks for free text. The derivation rules are in docs/extracts.md.
/// </summary>
public sealed class DispositionDataset(ProtocolDefinition protocol) : ExtractDataset<DispositionRow>
{
    public const string Milestone = "PROTOCOL MILESTONE", Event = "DISPOSITION EVENT";
    public const string StudyTreatment = "STUDY TREATMENT", StudyParticipation = "STUDY PARTICIPATION";
    public const string Randomized = "RANDOMIZED", FirstInfusion = "FIRST INFUSION", Completed = "COMPLETED";

    private readonly string? _lastInfusionVisit = protocol.InfusionVisits.LastOrDefault()?.Code;
    private readonly string? _lastFollowUpVisit = protocol.LastFollowUpVisit?.Code;

    public override string Name => "disposition";
    public override string Description => "One row per disposition milestone of each participant, shaped like the CDISC SDTM DS domain (see docs/extracts.md).";

    private static readonly string Decodes = string.Join(", ", new[] { Randomized, FirstInfusion, Completed }.Concat(DispositionReasons.All));

    public override IReadOnlyList<ExtractColumn<DispositionRow>> Columns { get; } =
    [
        Column<DispositionRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<DispositionRow>.Text("DOMAIN", "Domain abbreviation", _ => "DS", "Always DS.", "constant", allowed: "DS"),
        Column<DispositionRow>.Text("USUBJID", "Unique subject identifier", r => r.ParticipantCode, "The participant code (as participant_code elsewhere).", "Participant.Code"),
        Column<DispositionRow>.Integer("DSSEQ", "Sequence number", r => r.Sequence,
            "Numbers the participant's rows in this file from 1, in the order randomised, first infusion, end of treatment, end of study (the order of the study, "
            + "whatever order the data were entered in).", "derived"),
        Column<DispositionRow>.Text("DSTERM", "Reported term", r => r.Term,
            "The milestone or event as a term: RANDOMIZED, FIRST INFUSION, COMPLETED, or the coded reason for not completing (the site's words are in DSREASTX, "
            + "with free text only). NOT RECORDED for an early end recorded before coded reasons were kept.", "derived",
            allowed: Decodes + ", NOT RECORDED"),
        Column<DispositionRow>.Text("DSDECOD", "Standardised disposition term", r => r.Decoded,
            "For disposition events the CDISC NCOMPLT term (COMPLETED, or the coded reason given by the site); for milestones RANDOMIZED (CDISC) or FIRST INFUSION "
            + "(the study's own term). Empty for an early end recorded before coded reasons were kept.",
            "Participant.DiscontinuationReasonCode, Participant.WithdrawalReasonCode, or derived", allowed: Decodes),
        Column<DispositionRow>.Text("DSCAT", "Category", r => r.Category,
            "PROTOCOL MILESTONE (randomised, first infusion) or DISPOSITION EVENT (end of treatment, end of study).", "derived", allowed: $"{Milestone}, {Event}"),
        Column<DispositionRow>.Text("DSSCAT", "Subcategory", r => r.Subcategory,
            "For disposition events: STUDY TREATMENT (end of the infusions) or STUDY PARTICIPATION (end of the study). Empty for milestones.", "derived",
            allowed: $"{StudyTreatment}, {StudyParticipation}"),
        Column<DispositionRow>.Text("EPOCH", "Epoch", r => r.Epoch,
            "The part of the study the row falls in: SCREENING before the first infusion (randomisation, a withdrawal before INF1), TREATMENT from the first "
            + "infusion to the end of the infusions (a withdrawal while infusions were still planned), FOLLOW-UP after it (completion, later withdrawals).",
            "derived", allowed: string.Join(", ", StudyEpochs.All)),
        Column<DispositionRow>.Date("DSSTDTC", "Date of the milestone or event",
            r => r.Date,
            "Randomised: the site's calendar date of randomisation. First infusion: INF1's date. End of treatment: the last infusion visit's date when all were given, "
            + "else the date infusions were stopped (or the withdrawal date when the participant left during the infusions without a recorded discontinuation). "
            + "End of study: the last follow-up visit's date (completed) or the withdrawal date.",
            "Allocation.RandomisedUtc, VisitRecord.ActualDate, Participant.InfusionsDiscontinuedDate, Participant.WithdrawnDate"),
        Column<DispositionRow>.Integer("DSSTDY", "Study day", r => r.StudyDay,
            "Study day of DSSTDTC as SDTM counts it: INF1's date is day 1, the day before day -1 (no day 0). Empty before INF1 is recorded.", "derived", unit: "days"),
        Column<DispositionRow>.Text("DSREASTX", "Reason in the site's words", r => r.SiteWords,
            "The site's free-text reason for stopping infusions or leaving the study; empty for milestones and completion.",
            "Participant.DiscontinuationReason, Participant.WithdrawalReason", freeText: true),
    ];

    protected override Func<DispositionRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>
    /// Each participant with what their disposition is derived from: the randomisation, the first and last infusion
    /// visits and the last follow-up visit of the plan (their codes are parameters), the discontinuation and the
    /// withdrawal. Incremental: participants changed, or randomised, since.
    /// </summary>
    public const string DispositionSql =
        $"""
        SELECT p.Code, p.SiteCode, p.Status, p.InfusionsDiscontinuedDate, p.DiscontinuationReasonCode, p.DiscontinuationReason,
               p.WithdrawnDate, p.WithdrawalReasonCode, p.WithdrawalReason, al.RandomisedUtc,
               d0.ActualDate AS DayZeroDate, li.ActualDate AS LastInfusionDate, fu.ActualDate AS LastFollowUpDate
        FROM Participant p
        LEFT JOIN Allocation al ON al.ParticipantId = p.Id
        {ExtractSql.DayZeroJoin}
        LEFT JOIN VisitRecord li ON li.ParticipantId = p.Id AND li.VisitCode = @lastInfusionVisit
        LEFT JOIN VisitRecord fu ON fu.ParticipantId = p.Id AND fu.VisitCode = @lastFollowUpVisit
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR {ExtractSql.ParticipantChanged} OR al.RandomisedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number
        """;

    protected override async IAsyncEnumerable<DispositionRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, DispositionSql, context.Filter, context.Anchors,
            new { lastInfusionVisit = _lastInfusionVisit ?? "", lastFollowUpVisit = _lastFollowUpVisit ?? "" }, ct);
        var source = new ReaderRow(reader);
        while (await reader.ReadAsync(ct))
        {
            var sequence = 0;
            foreach (var row in Derive(context, source))
            {
                row.Sequence = ++sequence;
                yield return row;
            }
        }
    }

    private List<DispositionRow> Derive(ExportContext context, ReaderRow source)
    {
        var code = source.Text("Code")!;
        var dayZero = source.Date("DayZeroDate");
        var rows = new List<DispositionRow>();

        void AddRow(int order, DateOnly date, string term, string? decoded, string category, string? subcategory, string epoch, string? words) =>
            rows.Add(new DispositionRow
            {
                StudyId = context.Protocol.ProtocolId, ParticipantCode = code, Order = order, Date = date, Term = term, Decoded = decoded,
                Category = category, Subcategory = subcategory, Epoch = epoch, SiteWords = words, StudyDay = ExtractText.StudyDay(date, dayZero),
            });

        // A disposition event's row: COMPLETED, or the coded reason with the site's words from the record it came from.
        void Add(int order, DispositionEvent e, string subcategory)
        {
            var words = e.Source switch
            {
                DispositionSource.Discontinuation => source.Text("DiscontinuationReason"),
                DispositionSource.Withdrawal => source.Text("WithdrawalReason"),
                _ => null,
            };
            var term = e.Completed ? Completed : e.ReasonCode ?? NotRecorded;
            AddRow(order, e.Date, term, e.Completed ? Completed : e.ReasonCode, Event, subcategory, e.Epoch, words);
        }

        if (source.Instant("RandomisedUtc") is { } randomisedUtc)
            AddRow(1, context.LocalDate(source.Text("SiteCode")!, randomisedUtc), Randomized, Randomized, Milestone, null, StudyEpochs.Screening, null);
        if (dayZero is { } first)
            AddRow(2, first, FirstInfusion, FirstInfusion, Milestone, null, StudyEpochs.Treatment, null);

        var outcome = Disposition.Of(new DispositionFacts(dayZero, source.Date("LastInfusionDate"), source.Date("InfusionsDiscontinuedDate"),
            source.Text("DiscontinuationReasonCode"), source.Date("WithdrawnDate"), source.Text("WithdrawalReasonCode"), source.Text("Status")!,
            source.Date("LastFollowUpDate")));
        if (outcome.EndOfTreatment is { } treatment) Add(3, treatment, StudyTreatment);
        if (outcome.EndOfStudy is { } study) Add(4, study, StudyParticipation);
        return rows;
    }

    private const string NotRecorded = "NOT RECORDED";

}
