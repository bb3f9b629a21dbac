using System.Runtime.CompilerServices;
using Trial.Core.Schedule;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class VisitRow
{
    public string ParticipantCode { get; set; } = "";
    public string SiteCode { get; set; } = "";
    public ScheduledVisit Visit { get; set; } = null!;
    public int VisitNumber { get; set; }
    public DateOnly? DayZero { get; set; }
    public string ProtocolVersion { get; set; } = "";

    /// <summary>Days outside the window: negative before it opened, positive after it closed, 0 within it; empty when not done.</summary>
    public int? DeviationDays => Visit.ActualDate is not { } actual ? null
        : actual < Visit.WindowStart ? actual.DayNumber - Visit.WindowStart.DayNumber
        : actual > Visit.WindowEnd ? actual.DayNumber - Visit.WindowEnd.DayNumber
        : 0;
}

/// <summary>
/// One row per participant and protocol visit: planned target and window, what happened, whether it
/// was in window. Computed here with the protocol's schedule maths (Core's ScheduleCalculator) from the
/// visit records in the snapshot, not read from the stored ScheduledVisit table: the stored plan is
/// rebuilt by a background job after each write and by a daily sweep when windows close, so it may lag
/// behind the visits and assessments of the same snapshot; computing it keeps every file of a bundle
/// consistent, judged as of the snapshot's date, exactly as GET /participants/{code}/visits shows it.
/// </summary>
public sealed class VisitsDataset : ExtractDataset<VisitRow>
{
    public override string Name => "visits";
    public override string Description => "One row per participant and protocol visit (scheduled, done or missed).";

    public override IReadOnlyList<ExtractColumn<VisitRow>> Columns { get; } =
    [
        Column<VisitRow>.Text("participant_code", "Participant code", r => r.ParticipantCode, "The participant (see participants).", "Participant.Code"),
        Column<VisitRow>.Text("site", "Site code", r => r.SiteCode, "The participant's site.", "Participant.SiteCode"),
        Column<VisitRow>.Text("visit_code", "Visit code", r => r.Visit.VisitCode, "The protocol's stable visit code.", "protocol file: visits[].code",
            allowed: "the protocol's visit codes (SCR, BL, INF1, POST24, INF2, INF3, INF4, FU-D7, FU-D14, FU-D28, FU-M3, FU-M6 in the default protocol)"),
        Column<VisitRow>.Integer("visit_num", "Visit number", r => r.VisitNumber, "Position of the visit in the protocol's visit plan, from 1 (VISITNUM in items).", "protocol file: order of visits[]"),
        Column<VisitRow>.Text("visit_name", "Visit name", r => r.Visit.Name, "The visit's name in the protocol.", "protocol file: visits[].name"),
        Column<VisitRow>.Date("target_date", "Target date", r => r.Visit.TargetDate,
            "Planned date: computed from the actual date of the visit's anchor (INF1, or the last infusion given for follow-ups).", "derived: protocol schedule maths"),
        Column<VisitRow>.Date("window_start", "Window start", r => r.Visit.WindowStart, "First day of the visit window (inclusive).", "derived: target date - window before"),
        Column<VisitRow>.Date("window_end", "Window end", r => r.Visit.WindowEnd, "Last day of the visit window (inclusive).", "derived: target date + window after"),
        Column<VisitRow>.Date("actual_date", "Actual date", r => r.Visit.ActualDate, "Date the visit took place; empty when it has not.", "VisitRecord.ActualDate"),
        Column<VisitRow>.Text("status", "Visit status", r => r.Visit.Status,
            "done: recorded; missed: the window closed (as of the snapshot date) with no visit and the target was firm; scheduled: neither yet.",
            "derived: protocol schedule maths", allowed: "scheduled, done, missed"),
        Column<VisitRow>.Boolean("in_window", "In window", r => r.Visit.InWindow,
            "Whether the visit took place within its window; false is a protocol deviation (kept and flagged). Empty when not done.", "derived"),
        Column<VisitRow>.Integer("deviation_days", "Days outside the window", r => r.DeviationDays,
            "Days before the window opened (negative) or after it closed (positive); 0 within the window; empty when not done.", "derived", unit: "days"),
        Column<VisitRow>.Integer("days_from_target", "Days from target", r => r.Visit.ActualDate is { } a ? a.DayNumber - r.Visit.TargetDate.DayNumber : null,
            "Actual date minus target date; empty when not done.", "derived", unit: "days"),
        Column<VisitRow>.Boolean("provisional", "Provisional target", r => r.Visit.Provisional,
            "True while the visit's anchor has not happened, so its target and window will still move; a provisional visit is never missed.", "derived"),
        Column<VisitRow>.Integer("study_day", "Study day of the visit", r => ExtractText.StudyDay(r.Visit.ActualDate, r.DayZero),
            "Actual date relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0). Empty when not done or INF1 has not happened.", "derived", unit: "days"),
        Column<VisitRow>.Text("protocol_version", "Protocol version of the plan", r => r.ProtocolVersion,
            "Version of the protocol file whose visit plan computed this row (the one in force when the extract was made).", "protocol file: version"),
    ];

    protected override Func<VisitRow, string?> ParticipantOf => r => r.ParticipantCode;

    /// <summary>One row per participant and recorded visit (a participant with none once, with a null visit), in participant order.</summary>
    public const string VisitRecordsSql =
        $"""
        SELECT p.Code AS ParticipantCode, p.SiteCode, p.EnrolledDate, p.InfusionsDiscontinuedDate, p.WithdrawnDate, v.VisitCode, v.ActualDate,
               CASE WHEN @sinceUtc IS NULL OR {ExtractSql.ParticipantChanged}
                    THEN 1 ELSE 0 END AS ChangedSince
        FROM Participant p
        LEFT JOIN VisitRecord v ON v.ParticipantId = p.Id
        WHERE {ExtractSql.SiteFilter}
        ORDER BY p.SiteCode, p.Number, v.VisitCode
        """;

    protected override async IAsyncEnumerable<VisitRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var protocol = context.Protocol;
        var sinceDate = context.Filter.SinceUtc is { } since ? DateOnly.FromDateTime(since) : (DateOnly?)null;
        var row = new VisitRow { ProtocolVersion = protocol.Version };

        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, VisitRecordsSql, context.Filter, ct);
        int code = reader.GetOrdinal("ParticipantCode"), site = reader.GetOrdinal("SiteCode"), enrolled = reader.GetOrdinal("EnrolledDate"),
            discontinued = reader.GetOrdinal("InfusionsDiscontinuedDate"), withdrawn = reader.GetOrdinal("WithdrawnDate"),
            visit = reader.GetOrdinal("VisitCode"), actual = reader.GetOrdinal("ActualDate"),
            changed = reader.GetOrdinal("ChangedSince");

        // A participant's visit records arrive together: collect them (a dozen at most), then emit the plan.
        string? current = null;
        var input = (Enrolled: default(DateOnly), Discontinued: (DateOnly?)null, Withdrawn: (DateOnly?)null, Changed: false);
        var records = new List<RecordedVisit>();
        var more = await reader.ReadAsync(ct);
        while (true)
        {
            var participant = more ? reader.GetString(code) : null;
            if (participant != current && current is not null)
            {
                var schedule = ScheduleCalculator.Build(protocol, new ScheduleInput(input.Enrolled, records, input.Discontinued, input.Withdrawn), context.Today(row.SiteCode));
                // Windows close with time, not with a write: a visit that turned missed since `since` is a change too.
                var include = sinceDate is null || input.Changed
                    || schedule.Any(v => v.Status == VisitStatuses.Missed && v.WindowEnd.AddDays(1) >= sinceDate);
                if (include)
                {
                    row.DayZero = schedule.FirstOrDefault(v => v.VisitCode == context.Anchors.DayZeroVisit)?.ActualDate;
                    foreach (var v in schedule)
                    {
                        row.Visit = v;
                        row.VisitNumber = context.VisitNumbers[v.VisitCode];
                        yield return row;
                    }
                }
            }
            if (!more) break;
            if (participant != current)
            {
                current = participant;
                row.ParticipantCode = participant!;
                row.SiteCode = reader.GetString(site);
                input = (ExportValues.Date(reader, enrolled)!.Value, ExportValues.Date(reader, discontinued), ExportValues.Date(reader, withdrawn),
                    ExportValues.Integer(reader, changed) == 1);
                records.Clear();
            }
            if (!reader.IsDBNull(visit)) records.Add(new RecordedVisit(reader.GetString(visit), ExportValues.Date(reader, actual)!.Value));
            more = await reader.ReadAsync(ct);
        }
    }
}
