using System.Runtime.CompilerServices;
using Trial.Db.Exports;

namespace Trial.Api.Exports.Datasets;

/// <summary>One row per participant: who, where, when enrolled, and how far through the study; no eligibility answers or free text.</summary>
public sealed class ParticipantsDataset : ExtractDataset<ReaderRow>
{
    private static readonly IReadOnlyDictionary<string, string> SexWords = new Dictionary<string, string>
    {
        // In words: R's read.csv and readr read a column holding only "F" (a site with only women) as logical FALSE.
        ["F"] = "female", ["M"] = "male", ["X"] = "unspecified",
    };

    public override string Name => "participants";
    public override string Description => "One row per participant.";

    public override IReadOnlyList<ExtractColumn<ReaderRow>> Columns { get; } =
    [
        Column<ReaderRow>.Text("participant_code", "Participant code", r => r.Text("Code"),
            "The participant's pseudonymous code, site code and a number assigned at enrolment in order (e.g. WAW-0001). Joins every other dataset (USUBJID in items and adverse-events).",
            "Participant.Code"),
        Column<ReaderRow>.Text("site", "Site code", r => r.Text("SiteCode"), "The site that enrolled the participant.", "Participant.SiteCode"),
        Column<ReaderRow>.Text("sex", "Sex", r => SexWords.GetValueOrDefault(r.Text("Sex") ?? "", r.Text("Sex")!),
            "Sex as recorded at enrolment (stored as F, M or X), written in words.", "Participant.Sex", allowed: "female, male, unspecified"),
        Column<ReaderRow>.Integer("birth_year", "Year of birth", r => r.Integer("BirthYear"),
            "Year of birth; the full date of birth is not collected.", "Participant.BirthYear", unit: "year"),
        Column<ReaderRow>.Date("enrolled_date", "Enrolment date", r => r.Date("EnrolledDate"), "Date of consent and enrolment.", "Participant.EnrolledDate"),
        Column<ReaderRow>.Text("status", "Participant status", r => r.Text("Status"),
            "Where the participant stands in the study.", "Participant.Status", allowed: "enrolled, withdrawn, completed"),
        Column<ReaderRow>.Date("infusions_discontinued_date", "Infusions discontinued", r => r.Date("InfusionsDiscontinuedDate"),
            "Date infusions were stopped early; empty when they were not. Follow-up continues, anchored on the last infusion given.",
            "Participant.InfusionsDiscontinuedDate"),
        Column<ReaderRow>.Date("withdrawn_date", "Withdrawal date", r => r.Date("WithdrawnDate"), "Date the participant withdrew from the study; empty when they did not.", "Participant.WithdrawnDate"),
        Column<ReaderRow>.Text("protocol_version", "Protocol version at enrolment", r => r.Text("ProtocolVersion"),
            "Version of the protocol file in force when the participant was enrolled.", "Participant.ProtocolVersion"),
        Column<ReaderRow>.Text("discontinuation_reason", "Reason infusions were discontinued", r => r.Text("DiscontinuationReason"),
            "The site's free-text reason for stopping infusions early.", "Participant.DiscontinuationReason", freeText: true),
    ];

    protected override async IAsyncEnumerable<ReaderRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExportQueries.ParticipantsAsync(context.Snapshot, context.Filter, ct);
        var row = new ReaderRow(reader);
        while (await reader.ReadAsync(ct)) yield return row;
    }
}
