using System.Runtime.CompilerServices;
using Trial.Core.Participants;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class ParticipantExtractRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;

    /// <summary>The site's calendar date of the first emergency unblinding; null when the participant was never unblinded.</summary>
    public DateOnly? UnblindedDate { get; set; }
}

/// <summary>
/// One row per participant: who, where, when enrolled, how far through the study, and whether they were unblinded in an
/// emergency (which says that the arm was revealed to their investigator, not which arm); no eligibility answers or free text.
/// </summary>
public sealed class ParticipantsDataset : ExtractDataset<ParticipantExtractRow>
{
    /// <summary>Sex in words, as every extract writes it (subjects' SEX too).</summary>
    internal static readonly IReadOnlyDictionary<string, string> SexWords = new Dictionary<string, string>
    {
        // In words: R's read.csv and readr read a column holding only "F" (a site with only women) as logical FALSE.
        ["F"] = "female", ["M"] = "male", ["X"] = "unspecified",
    };

    public override string Name => "participants";
    public override string Description => "One row per participant.";

    public override IReadOnlyList<ExtractColumn<ParticipantExtractRow>> Columns { get; } =
    [
        Column<ParticipantExtractRow>.Text("participant_code", "Participant code", r => r.Source.Text("Code"),
            "The participant's pseudonymous code, site code and a number assigned at enrolment in order (e.g. WAW-0001). Joins every other dataset (USUBJID in items and adverse-events).",
            "Participant.Code"),
        Column<ParticipantExtractRow>.Text("site", "Site code", r => r.Source.Text("SiteCode"), "The site that enrolled the participant.", "Participant.SiteCode"),
        Column<ParticipantExtractRow>.Text("sex", "Sex", r => SexWords.GetValueOrDefault(r.Source.Text("Sex") ?? "", r.Source.Text("Sex")!),
            "Sex as recorded at enrolment (stored as F, M or X), written in words.", "Participant.Sex", allowed: "female, male, unspecified"),
        Column<ParticipantExtractRow>.Integer("birth_year", "Year of birth", r => r.Source.Integer("BirthYear"),
            "Year of birth; the full date of birth is not collected.", "Participant.BirthYear", unit: "year"),
        Column<ParticipantExtractRow>.Date("enrolled_date", "Enrolment date", r => r.Source.Date("EnrolledDate"), "Date of consent and enrolment.", "Participant.EnrolledDate"),
        Column<ParticipantExtractRow>.Text("status", "Participant status", r => r.Source.Text("Status"),
            "Where the participant stands in the study: completed once the last follow-up visit of the plan (FU-M6) is recorded; withdrawn when they left "
            + "(lost to follow-up included).", "Participant.Status", allowed: "enrolled, withdrawn, completed"),
        Column<ParticipantExtractRow>.Date("infusions_discontinued_date", "Infusions discontinued", r => r.Source.Date("InfusionsDiscontinuedDate"),
            "Date infusions were stopped early; empty when they were not. Follow-up continues, anchored on the last infusion given.",
            "Participant.InfusionsDiscontinuedDate"),
        Column<ParticipantExtractRow>.Text("discontinuation_reason_code", "Coded reason infusions were discontinued", r => r.Source.Text("DiscontinuationReasonCode"),
            "Why infusions were stopped early, as a CDISC NCOMPLT term (the site's words are discontinuation_reason, with free text only). Empty when they were not "
            + "stopped, or when stopped before coded reasons were kept.", "Participant.DiscontinuationReasonCode", allowed: string.Join(", ", DispositionReasons.All)),
        Column<ParticipantExtractRow>.Date("withdrawn_date", "Withdrawal date", r => r.Source.Date("WithdrawnDate"), "Date the participant withdrew from the study; empty when they did not.", "Participant.WithdrawnDate"),
        Column<ParticipantExtractRow>.Text("withdrawal_reason_code", "Coded reason for withdrawal", r => r.Source.Text("WithdrawalReasonCode"),
            "Why the participant left the study, as a CDISC NCOMPLT term (LOST TO FOLLOW-UP for a participant lost to follow-up; the site's words are "
            + "withdrawal_reason, with free text only). Empty when they did not leave, or left before coded reasons were kept.",
            "Participant.WithdrawalReasonCode", allowed: string.Join(", ", DispositionReasons.All)),
        Column<ParticipantExtractRow>.Text("protocol_version", "Protocol version at enrolment", r => r.Source.Text("ProtocolVersion"),
            "Version of the protocol file in force when the participant was enrolled.", "Participant.ProtocolVersion"),
        Column<ParticipantExtractRow>.Boolean("emergency_unblinded", "Emergency unblinded", r => r.UnblindedDate is not null,
            "True when an investigator unblinded the participant in an emergency (POST /participants/{code}/unblinding): their arm was revealed "
            + "at the site, so their later data were collected unblinded. Says nothing of which arm. FALSE in a study without blinding.",
            "Participant.UnblindedUtc"),
        Column<ParticipantExtractRow>.Date("emergency_unblinded_date", "Emergency unblinding date", r => r.UnblindedDate,
            "The site's calendar date of the first emergency unblinding; empty when never unblinded.", "Participant.UnblindedUtc (in the site's time zone)"),
        Column<ParticipantExtractRow>.Text("discontinuation_reason", "Reason infusions were discontinued", r => r.Source.Text("DiscontinuationReason"),
            "The site's free-text reason for stopping infusions early.", "Participant.DiscontinuationReason", freeText: true),
        Column<ParticipantExtractRow>.Text("withdrawal_reason", "Reason for withdrawal", r => r.Source.Text("WithdrawalReason"),
            "The site's free-text reason for the withdrawal from the study.", "Participant.WithdrawalReason", freeText: true),
    ];

    protected override Func<ParticipantExtractRow, string?> ParticipantOf => r => r.Source.Text("Code");

    /// <summary>
    /// Every column of the participant (p.*), so a column added to Participant (withdrawal) reaches
    /// the extract by one line in its dataset definition. Incremental: also a participant unblinded in an
    /// emergency or randomised since (the randomisation fills the unblinded extracts' arm columns).
    /// </summary>
    public const string ParticipantsSql =
        $"""
        SELECT p.* FROM Participant p
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR {ExtractSql.ParticipantChanged} OR p.UnblindedUtc >= @sinceUtc
               OR EXISTS (SELECT 1 FROM Allocation al WHERE al.ParticipantId = p.Id AND al.RandomisedUtc >= @sinceUtc))
        ORDER BY p.SiteCode, p.Number
        """;

    protected override async IAsyncEnumerable<ParticipantExtractRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, ParticipantsSql, context.Filter, ct);
        var row = new ParticipantExtractRow(new ReaderRow(reader));
        while (await reader.ReadAsync(ct))
        {
            row.UnblindedDate = row.Source.Instant("UnblindedUtc") is { } at ? context.LocalDate(row.Source.Text("SiteCode")!, at) : null;
            yield return row;
        }
    }
}
