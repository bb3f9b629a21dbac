using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Trial.Core.Efficacy;
using Trial.Core.Instruments;
using Trial.Core.Schedule;
using Trial.Core.Sites;
using Trial.Extracts.Reading;
using Trial.Extracts.Writing;

namespace Trial.Extracts.Datasets;

/// <summary>What an item's rows share, worked out once per instrument and item.</summary>
public sealed record ItemFacts(string TestCode, string Test, string Category, string? Subcategory)
{
    /// <summary>",QSTESTCD,QSTEST,QSCAT,QSSCAT," as the fast writer copies it into every row of the item.</summary>
    public byte[] Csv { get; } = Utf8Csv.Encode($",{Utf8Csv.Field(TestCode)},{Utf8Csv.Field(Test)},{Utf8Csv.Field(Category)},{Utf8Csv.Field(Subcategory)},");
}

public sealed class ItemRow
{
    /// <summary>Goes up whenever a new assessment's rows start, so a writer knows when to rebuild what they share.</summary>
    public int Assessment { get; set; }

    public string StudyId { get; set; } = "";
    public string Subject { get; set; } = "";
    public int Sequence { get; set; }
    public ItemFacts Item { get; set; } = null!;
    public string? Result { get; set; }
    /// <summary><see cref="Result"/> as a CSV field in UTF-8, for the fast writer.</summary>
    public byte[]? ResultCsv { get; set; }
    public int VisitNumber { get; set; }
    public string Visit { get; set; } = "";
    public string? Timepoint { get; set; }
    public string DateTime { get; set; } = "";
    public int? StudyDay { get; set; }
    /// <summary>Who rated the instrument (QSEVAL).</summary>
    public string Evaluator { get; set; } = "";
    public string Epoch { get; set; } = "";
    /// <summary>Whether this item's response is the participant's baseline of the item (QSBLFL).</summary>
    public bool Baseline { get; set; }
}

/// <summary>
/// One row per item response, shaped like the CDISC SDTM QS (Questionnaires) domain; the mapping is
/// in docs/extracts.md. This is the largest dataset (about 1,200 rows per participant), so rows are
/// built with as little work as possible: what an assessment's items share is read and formatted
/// once per assessment, item facts once per instrument, and item values come from a table of
/// their texts.
/// </summary>
public sealed class ItemsDataset : ExtractDataset<ItemRow>
{
    public const string Domain = "QS";
    public const string NotDone = "NOT DONE";

    private static readonly IReadOnlyDictionary<string, ItemFacts[]> Facts = InstrumentCatalog.All.ToDictionary(i => i.Code, FactsOf);
    private static readonly IReadOnlyDictionary<string, string> Evaluators = InstrumentCatalog.All.ToDictionary(i => i.Code, i => i.Rater);

    // Item values are whole numbers or have one decimal (0 to 100 at most): their texts are made once.
    private static readonly string[] ValueTexts = Enumerable.Range(0, 1001).Select(k => ExtractText.Number(k / 10m)!).ToArray();

    public override string Name => "items";
    public override string Description => "One row per item response, shaped like the CDISC SDTM QS domain (see docs/extracts.md).";

    public override IReadOnlyList<ExtractColumn<ItemRow>> Columns { get; } =
    [
        Column<ItemRow>.Text("STUDYID", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<ItemRow>.Text("DOMAIN", "Domain abbreviation", _ => Domain, "Always QS (questionnaires).", "constant", allowed: Domain),
        Column<ItemRow>.Text("USUBJID", "Unique subject identifier", r => r.Subject,
            "The participant code (unique within the study; STUDYID names the study). Joins participant_code in the other datasets.", "Participant.Code"),
        Column<ItemRow>.Integer("QSSEQ", "Sequence number", r => r.Sequence,
            "Numbers the subject's rows in this file from 1, in order of administration and item. Positional: an incremental pull numbers its own rows; "
            + "merge pulls on USUBJID, VISITNUM, QSTPT and QSTESTCD instead.", "derived"),
        Column<ItemRow>.Text("QSTESTCD", "Item short name", r => r.Item.TestCode,
            "Instrument code and two-digit item number (MADRS01, BSL2305, ASC5D94); at most 8 characters. The project's own codes, not CDISC controlled terminology.",
            "derived: instrument and item number"),
        Column<ItemRow>.Text("QSTEST", "Item name", r => r.Item.Test, "The item's label in the instrument definition (\"Item N\" where the definition names none).", "instrument definition: item labels"),
        Column<ItemRow>.Text("QSCAT", "Instrument", r => r.Item.Category, "The instrument's code (as in assessments.instrument).", "Assessment.Instrument",
            allowed: string.Join(", ", InstrumentCatalog.All.Select(i => i.Code))),
        Column<ItemRow>.Text("QSSCAT", "Subscale", r => r.Item.Subcategory,
            "The subscale the item belongs to where the instrument defines one: CADSS depersonalization/derealization/amnesia, BPRS positive symptoms (BPRS+), "
            + "5D-ASC dimension (OB, DED, VR, AA, VIR). Empty for MADRS and BSL-23 and for items in no subscale.", "instrument definition: score item lists"),
        Column<ItemRow>.Text("QSORRES", "Result as collected", r => r.Result,
            "The response as entered (a number on the item's scale); empty for a missing item.", "AssessmentItem.Value", type: ColumnTypes.Number,
            allowed: ItemRanges()),
        Column<ItemRow>.Text("QSSTRESC", "Character result", r => r.Result,
            "The standardised result as text: the number of QSSTRESN written as in QSORRES (the scales' responses are numbers); empty for a missing item.",
            "AssessmentItem.Value", allowed: ItemRanges()),
        Column<ItemRow>.Text("QSSTRESN", "Numeric result", r => r.Result,
            "The response as a number, on the instrument's own scale (BPRS stored 1-7, not rescaled to 0-6); empty for a missing item.",
            "AssessmentItem.Value", type: ColumnTypes.Number, allowed: ItemRanges()),
        Column<ItemRow>.Text("QSSTAT", "Completion status", r => r.Result is null ? NotDone : null,
            "NOT DONE when the item was not answered; empty otherwise.", "derived: AssessmentItem.Value IS NULL", allowed: NotDone),
        Column<ItemRow>.Text("QSBLFL", "Baseline flag", r => ExtractText.YesOrNull(r.Baseline),
            "Y on the participant's baseline record of the item (QSTESTCD): the baseline visit's (BL) response when it was answered, else the first "
            + "infusion's pre-dose (INF1 pre) response when that was answered; the rule of the efficacy baseline, item by item. Empty on every other row "
            + "(see docs/extracts.md).", "derived", allowed: "Y"),
        Column<ItemRow>.Text("QSEVAL", "Evaluator", r => r.Evaluator,
            "Who rated: INVESTIGATOR for the clinician-rated scales (MADRS, CADSS, BPRS), STUDY SUBJECT for the self-rated ones (BSL-23, 5D-ASC).",
            "instrument definition: rater", allowed: string.Join(", ", Raters.All)),
        Column<ItemRow>.Integer("VISITNUM", "Visit number", r => r.VisitNumber, "Position of the visit in the protocol's visit plan, from 1 (as visits.visit_num).", "protocol file: order of visits[]"),
        Column<ItemRow>.Text("VISIT", "Visit", r => r.Visit, "The protocol's visit code (as visits.visit_code).", "Assessment.VisitCode"),
        Column<ItemRow>.Text("EPOCH", "Epoch", r => r.Epoch,
            "SCREENING before the first dose (visits before INF1 and INF1 pre), TREATMENT from the first infusion to the end of the infusions, FOLLOW-UP "
            + "after it; derived as disposition's EPOCH is (see docs/extracts.md).", "derived", allowed: string.Join(", ", StudyEpochs.All)),
        Column<ItemRow>.Text("QSTPT", "Timepoint", r => r.Timepoint, "Infusion timepoint (pre, t40, t120, t240); empty at visits without timepoints.", "Assessment.Timepoint",
            allowed: "pre, t40, t120, t240"),
        Column<ItemRow>.Text("QSDTC", "Date/time of assessment", r => r.DateTime,
            "When the assessment was administered, ISO 8601 as the site's clock read it with its offset from UTC (2026-03-02T00:30:00+01:00): "
            + "its date part is the site's date, the one QSDY counts. assessments.administered_utc has the same instant in UTC.",
            "Assessment.AdministeredUtc, in the site's time zone", type: ColumnTypes.Instant, allowed: "yyyy-MM-ddThh:mm:ss+hh:mm (site's local time and offset)"),
        Column<ItemRow>.Integer("QSDY", "Study day", r => r.StudyDay,
            "The date part of QSDTC (the site's date of administration) relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, "
            + "no day 0), as in assessments.study_day. Empty before INF1 has happened.", "derived", unit: "days"),
    ];

    private static readonly byte[][] ValueBytes = ValueTexts.Select(Utf8Csv.Encode).ToArray();
    private static readonly byte[] NotDoneBytes = Utf8Csv.Encode(",,," + NotDone + ",");
    private static readonly byte[] Comma = ","u8.ToArray();
    // After the three results: an empty QSSTAT, then QSBLFL.
    private static readonly byte[] AnsweredEnd = ",,"u8.ToArray(), BaselineEnd = ",,Y"u8.ToArray();

    private const int BatchRows = 4096;

    /// <summary>Rows handed from the reading thread to the writing one, as references to their encoded pieces.</summary>
    private sealed class Batch
    {
        public readonly byte[][] Head = new byte[BatchRows][];
        public readonly int[] Sequence = new int[BatchRows];
        public readonly byte[][] Item = new byte[BatchRows][];
        public readonly byte[]?[] Result = new byte[BatchRows][];
        public readonly bool[] Baseline = new bool[BatchRows];
        public readonly byte[][] Tail = new byte[BatchRows][];
        public int Count;
    }

    /// <summary>
    /// The items file, about 1,200 rows per participant, is written from pieces encoded once: per item
    /// (test code, label, category, subscale), per subject and per assessment; a row is then a few copies
    /// and a number. One thread reads the rows from the database and picks their pieces; another copies
    /// them into the response, so the two overlap; a few fixed batches go round between them. The values
    /// are those of the column definitions (the dictionary's): a test holds this output byte for byte to
    /// the one the column definitions write cell by cell through Sylvan, as the other datasets are written. For an
    /// unblinded audience the arm columns close each row, encoded once per subject.
    /// This writer exists for speed: cell by cell through Sylvan the file streams slower than sqlite3
    /// prints the same query, and from encoded pieces it streams faster
    /// (docs/decisions/0005-items-csv-from-encoded-pieces.md).
    /// </summary>
    public override async Task<long> WriteCsvAsync(ExportContext context, Stream output, CancellationToken ct)
    {
        // Every column of the dataset's own, then (for an unblinded audience) the arm columns, which are the same on all of a subject's rows.
        var columns = await ColumnsForAsync(context);
        if (!columns.Take(Columns.Count).SequenceEqual(Columns)) return await WriteCsvCellByCellAsync(context, output, ct);
        var perSubject = columns.Skip(Columns.Count).ToList();

        var filled = Channel.CreateBounded<Batch>(new BoundedChannelOptions(3) { SingleReader = true, SingleWriter = true });
        var free = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        for (var i = 0; i < 4; i++) free.Writer.TryWrite(new Batch());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => PickPiecesAsync(context, perSubject, filled.Writer, free.Reader, stop.Token), stop.Token);
        try
        {
            var buffer = new Utf8CsvBuffer(output);
            buffer.Write(Utf8Csv.Encode(string.Join(",", columns.Select(c => Utf8Csv.Field(c.Name))) + "\r\n"));
            long rows = 0;
            // A failure while reading rows ends this enumeration with that failure.
            await foreach (var batch in filled.Reader.ReadAllAsync(ct))
            {
                for (var r = 0; r < batch.Count; r++)
                {
                    await buffer.EnsureAsync(batch.Head[r].Length + batch.Item[r].Length + batch.Tail[r].Length + 3 * (batch.Result[r]?.Length ?? 0) + 64, ct);
                    buffer.Write(batch.Head[r]);
                    buffer.Write(batch.Sequence[r]);
                    buffer.Write(batch.Item[r]);
                    if (batch.Result[r] is { } text)
                    {
                        // QSORRES, QSSTRESC and QSSTRESN are the same text.
                        buffer.Write(text);
                        buffer.Write(Comma);
                        buffer.Write(text);
                        buffer.Write(Comma);
                        buffer.Write(text);
                        buffer.Write(batch.Baseline[r] ? BaselineEnd : AnsweredEnd);
                    }
                    else
                    {
                        buffer.Write(NotDoneBytes);
                    }
                    buffer.Write(batch.Tail[r]);
                }
                rows += batch.Count;
                free.Writer.TryWrite(batch);
            }
            await buffer.CompleteAsync(ct);
            return rows;
        }
        finally
        {
            // Stopped early (the client went away, or a failure): stop reading, and let go of the database reader.
            await stop.CancelAsync();
            try { await reading; } catch (OperationCanceledException) { }
        }
    }

    private async Task PickPiecesAsync(ExportContext context, IReadOnlyList<ExtractColumn<ItemRow>> perSubject, ChannelWriter<Batch> filled,
        ChannelReader<Batch> free, CancellationToken ct)
    {
        try
        {
            var batch = await free.ReadAsync(ct);
            batch.Count = 0;
            var assessment = -1;
            string? subject = null;
            var subjectTail = "";
            byte[] head = [], tail = [];
            await foreach (var row in RowsAsync(context, ct))
            {
                if (row.Assessment != assessment)
                {
                    assessment = row.Assessment;
                    if (!ReferenceEquals(subject, row.Subject))
                    {
                        subject = row.Subject;
                        head = Utf8Csv.Encode($"{Utf8Csv.Field(row.StudyId)},{Domain},{Utf8Csv.Field(row.Subject)},");
                        subjectTail = string.Concat(perSubject.Select(c => "," + c.Csv(row)));
                    }
                    tail = Utf8Csv.Encode(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $",{Utf8Csv.Field(row.Evaluator)},{row.VisitNumber},{Utf8Csv.Field(row.Visit)},{Utf8Csv.Field(row.Epoch)},{Utf8Csv.Field(row.Timepoint)},"
                        + $"{Utf8Csv.Field(row.DateTime)},{row.StudyDay}{subjectTail}\r\n"));
                }
                var k = batch.Count++;
                batch.Head[k] = head;
                batch.Sequence[k] = row.Sequence;
                batch.Item[k] = row.Item.Csv;
                batch.Result[k] = row.ResultCsv;
                batch.Baseline[k] = row.Baseline;
                batch.Tail[k] = tail;
                if (batch.Count < BatchRows) continue;
                await filled.WriteAsync(batch, ct);
                batch = await free.ReadAsync(ct);
                batch.Count = 0;
            }
            if (batch.Count > 0) await filled.WriteAsync(batch, ct);
            filled.Complete();
        }
        catch (Exception e)
        {
            filled.TryComplete(e);
        }
    }

    private static ItemFacts[] FactsOf(InstrumentDefinition instrument) =>
        Enumerable.Range(1, instrument.ItemCount).Select(item => new ItemFacts(
            $"{instrument.Code}{item:00}",
            instrument.ItemLabels[item - 1],
            instrument.Code,
            // The first score that groups some, not all, of the items: the subscale (for 5D-ASC the dimension, which comes before the 11-ASC scales).
            instrument.Scores.FirstOrDefault(s => s.Items.Count < instrument.ItemCount && s.Items.Contains(item))?.Name)).ToArray();

    private static string ItemRanges() =>
        string.Join("; ", InstrumentCatalog.All.Select(i => $"{i.Code} {ExtractText.Number(i.MinValue)}-{ExtractText.Number(i.MaxValue)}{(i.MaxDecimals > 0 ? $" ({i.MaxDecimals} decimal)" : "")}"));

    protected override Func<ItemRow, string?> ParticipantOf => r => r.Subject;

    /// <summary>
    /// One row per item response, in participant, administration and item order. The assessment's
    /// columns repeat on each of its items, so a reader only needs them when the item number
    /// does not go up (a new assessment starts). CROSS JOIN with the join condition in WHERE means the
    /// same as JOIN in both dialects, and tells SQLite to walk participants in index order and sort each
    /// one's few hundred rows, instead of sorting the whole table (it would otherwise start from the items);
    /// INF1's date and what the end of the infusions is derived from (EPOCH) are looked up once per participant, before the
    /// join that multiplies the rows.
    /// </summary>
    public const string ItemsSql =
        $"""
        SELECT i.ItemNumber, i.Value, p.Code AS ParticipantCode, p.SiteCode, a.VisitCode, a.Timepoint, a.Instrument, a.AdministeredUtc, d0.ActualDate AS DayZeroDate,
               p.InfusionsDiscontinuedDate, p.WithdrawnDate, li.ActualDate AS LastInfusionDate
        FROM Participant p
        {ExtractSql.DayZeroJoin}
        LEFT JOIN VisitRecord li ON li.ParticipantId = p.Id AND li.VisitCode = @lastInfusionVisit
        CROSS JOIN Assessment a
        JOIN AssessmentItem i ON i.AssessmentId = a.Id
        WHERE a.ParticipantId = p.Id
          AND {ExtractSql.SiteFilter}
          AND (@instrument IS NULL OR a.Instrument = @instrument)
          AND (@sinceUtc IS NULL OR {ExtractSql.AssessmentChanged})
        ORDER BY p.SiteCode, p.Number, a.AdministeredUtc, a.Id, i.ItemNumber
        """;

    /// <summary>
    /// The baseline visit's assessments with their unanswered items (one row with a null item when all were answered): an item
    /// left unanswered at BL takes its baseline from INF1 pre. Read whatever the pull's since, so an incremental pull flags as a
    /// whole one does.
    /// </summary>
    public const string BaselineGapsSql =
        $"""
        SELECT p.Code AS ParticipantCode, a.Instrument, i.ItemNumber
        FROM Participant p
        JOIN Assessment a ON a.ParticipantId = p.Id AND a.VisitCode = @baselineVisit AND a.Timepoint = ''
        LEFT JOIN AssessmentItem i ON i.AssessmentId = a.Id AND i.Value IS NULL
        WHERE {ExtractSql.SiteFilter}
          AND (@instrument IS NULL OR a.Instrument = @instrument)
        """;

    /// <summary>For each participant and instrument with a baseline-visit assessment, which items it left unanswered (by item number).</summary>
    private static async Task<Dictionary<(string Participant, string Instrument), bool[]>> BaselineGapsAsync(ExportContext context, string? baselineVisit, CancellationToken ct)
    {
        var gaps = new Dictionary<(string, string), bool[]>();
        if (baselineVisit is null) return gaps;
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, BaselineGapsSql, context.Filter, context.Anchors, new { baselineVisit }, ct);
        while (await reader.ReadAsync(ct))
        {
            var key = (reader.GetString(0), reader.GetString(1));
            if (!gaps.TryGetValue(key, out var missing))
                gaps[key] = missing = new bool[(InstrumentCatalog.TryGet(key.Item2, out var definition) ? definition.ItemCount : 0) + 1];
            if (!reader.IsDBNull(2) && reader.GetInt32(2) is var item && item < missing.Length) missing[item] = true;
        }
        return gaps;
    }

    protected override async IAsyncEnumerable<ItemRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var row = new ItemRow { StudyId = context.Protocol.ProtocolId };
        var baselineRule = EfficacyBaselineRule.Of(context.Protocol);
        var firstDose = new FirstDose(context.Protocol);
        var baselineGaps = await BaselineGapsAsync(context, baselineRule.Visit, ct);
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, ItemsSql, context.Filter, context.Anchors,
            new { lastInfusionVisit = context.Protocol.InfusionVisits.LastOrDefault()?.Code ?? "" }, ct);
        // Ordinals as in ItemsSql's select list.
        const int itemNumber = 0, value = 1, code = 2, site = 3, visit = 4, timepoint = 5, instrument = 6, administered = 7, dayZero = 8,
            discontinued = 9, withdrawn = 10, lastInfusion = 11;

        var sqlite = context.Snapshot.Session.Connection is Microsoft.Data.Sqlite.SqliteConnection;
        var previousItem = int.MaxValue;
        ItemFacts[] facts = [];
        DateOnly? firstInfusion = null, treatmentEnded = null;
        // Which of the assessment's answered items are baselines: all (the BL visit's), those BL left unanswered (INF1 pre), or none.
        var baselineAssessment = false;
        bool[]? unansweredAtBaseline = null;
        while (await reader.ReadAsync(ct))
        {
            var item = reader.GetInt32(itemNumber);
            // Items come in item order within an assessment: when the number does not go up, a new assessment starts.
            if (item <= previousItem)
            {
                row.Assessment++;
                var subject = reader.GetString(code);
                if (subject != row.Subject)
                {
                    row.Subject = subject;
                    row.Sequence = 0;
                    firstInfusion = ExportValues.Date(reader, dayZero);
                    treatmentEnded = StudyEpochs.TreatmentEnded(firstInfusion, ExportValues.Date(reader, discontinued), ExportValues.Date(reader, lastInfusion),
                        ExportValues.Date(reader, withdrawn));
                }
                var visitCode = reader.GetString(visit);
                if (visitCode != row.Visit)
                {
                    row.Visit = visitCode;
                    row.VisitNumber = context.VisitNumbers.GetValueOrDefault(visitCode);
                }
                row.Timepoint = reader.GetString(timepoint) is { Length: > 0 } tp ? tp : null;
                var instrumentCode = reader.GetString(instrument);
                facts = Facts[instrumentCode];
                row.Evaluator = Evaluators[instrumentCode];
                var at = ExportValues.Instant(reader, administered)!.Value;
                var zone = context.Zone(reader.GetString(site));
                row.DateTime = ExtractText.LocalDateTime(ExtractText.LocalDateTime(at, zone))!;
                var localDate = SiteCalendar.LocalDate(at, zone);
                row.StudyDay = ExtractText.StudyDay(localDate, firstInfusion);
                row.Epoch = StudyEpochs.Of(localDate, firstInfusion, treatmentEnded, firstDose.IsBefore(visitCode, row.Timepoint));
                var fallback = visitCode == baselineRule.FallbackVisit && row.Timepoint == baselineRule.FallbackTimepoint;
                baselineAssessment = visitCode == baselineRule.Visit && row.Timepoint is null || fallback;
                // At INF1 pre an item is the baseline when BL did not answer it (or there was no BL assessment of the instrument).
                unansweredAtBaseline = fallback && baselineGaps.TryGetValue((subject, instrumentCode), out var gaps) ? gaps : null;
            }
            previousItem = item;
            row.Sequence++;
            row.Item = facts[item - 1];
            // SQLite keeps the DECIMAL column's values as integers or reals (its numeric affinity stores no number as text): read as a double,
            // exact for both, without boxing one object per row as GetValue does. SQL Server's decimals go through GetValue.
            (row.Result, row.ResultCsv) = reader.IsDBNull(value) ? (null, null)
                : sqlite ? Text(reader.GetDouble(value))
                : reader.GetValue(value) switch
                {
                    long whole => Text((double)whole),
                    double real => Text(real),
                    var number => Text(Convert.ToDecimal(number, System.Globalization.CultureInfo.InvariantCulture)),
                };
            row.Baseline = baselineAssessment && row.Result is not null && (unansweredAtBaseline is null || item < unansweredAtBaseline.Length && unansweredAtBaseline[item]);
            yield return row;
        }
    }

    private static (string Text, byte[] Csv) Text(double value)
    {
        var tenths = Math.Round(value * 10);
        return tenths >= 0 && tenths <= 1000 && Math.Abs(value * 10 - tenths) < 1e-6
            ? (ValueTexts[(int)tenths], ValueBytes[(int)tenths])
            : Text((decimal)value);
    }

    private static (string Text, byte[] Csv) Text(decimal value)
    {
        var tenths = value * 10;
        if (tenths >= 0 && tenths <= 1000 && tenths == decimal.Truncate(tenths)) return (ValueTexts[(int)tenths], ValueBytes[(int)tenths]);
        var text = ExtractText.Number(value)!;
        return (text, Utf8Csv.Encode(Utf8Csv.Field(text)));
    }
}
