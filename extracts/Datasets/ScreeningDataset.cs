using System.Runtime.CompilerServices;
using Trial.Core.Participants;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class ScreeningExtractRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;
    public string StudyId { get; set; } = "";
    public IReadOnlyList<string> FailedCriteria { get; set; } = [];

    public bool Fails(string criterion) => FailedCriteria.Contains(criterion);
}

/// <summary>
/// One row per screening, screen failures included (CONSORT: assessed for eligibility, excluded with reasons): where and when,
/// the outcome, one TRUE/FALSE column per eligibility criterion saying whether it was failed, and the participant enrolled from
/// it. No eligibility answers, no names or dates of birth (none are stored); the site's comment only with free text.
/// </summary>
public sealed class ScreeningDataset : ExtractDataset<ScreeningExtractRow>
{
    public override string Name => "screening";
    public override string Description => "One row per screening, eligible or screen failure.";

    public override IReadOnlyList<ExtractColumn<ScreeningExtractRow>> Columns { get; } =
    [
        Column<ScreeningExtractRow>.Text("study_id", "Study identifier", r => r.StudyId, "The protocol's identifier.", "protocol file: protocolId"),
        Column<ScreeningExtractRow>.Text("site", "Site code", r => r.Source.Text("SiteCode"), "The site that screened the candidate.", "Screening.SiteCode"),
        Column<ScreeningExtractRow>.Text("screening_number", "Screening number", r => r.Source.Text("ScreeningNumber"),
            "The screening's number: the site code, S and a number the site's screenings take in order (e.g. WAW-S0001). Pseudonymous; stable across extracts.",
            "Screening.ScreeningNumber"),
        Column<ScreeningExtractRow>.Date("screening_date", "Screening date", r => r.Source.Date("ScreeningDate"),
            "Date of the screening in the site's calendar. For a participant enrolled without a separate screening, the enrolment date.", "Screening.ScreeningDate"),
        Column<ScreeningExtractRow>.Text("outcome", "Screening outcome", r => r.Source.Text("Outcome"),
            "eligible when every eligibility criterion of the protocol was met, else screen-failure (computed from the answers by the rule enrolment applies).",
            "Screening.Outcome", allowed: string.Join(", ", ScreeningOutcomes.All)),
        Column<ScreeningExtractRow>.Boolean("fails_antidepressant_trials", "Fails: adequate antidepressant trials",
            r => r.Fails(EligibilityCriteria.FailedAntidepressantTrials),
            "TRUE when the screening failed the criterion of treatment-resistant depression on antidepressant trials (fewer adequate trials without response than the protocol requires; API code failedAntidepressantTrials).",
            "Screening.FailedCriteria"),
        Column<ScreeningExtractRow>.Boolean("fails_psychotherapy_without_response", "Fails: psychotherapy without response",
            r => r.Fails(EligibilityCriteria.PsychotherapyWithoutResponse),
            "TRUE when the screening failed the criterion of at least one course of psychotherapy without response (API code psychotherapyWithoutResponse).",
            "Screening.FailedCriteria"),
        Column<ScreeningExtractRow>.Boolean("fails_bpd_diagnosis", "Fails: borderline personality disorder diagnosis",
            r => r.Fails(EligibilityCriteria.BpdDiagnosis),
            "TRUE when the screening failed the criterion of a borderline personality disorder diagnosis (API code bpdDiagnosis).", "Screening.FailedCriteria"),
        Column<ScreeningExtractRow>.Boolean("fails_psychotic_personality_organisation", "Fails: no psychotic-level personality organisation",
            r => r.Fails(EligibilityCriteria.PsychoticPersonalityOrganisation),
            "TRUE when the screening failed the exclusion of a psychotic-level personality organisation (API code psychoticPersonalityOrganisation).",
            "Screening.FailedCriteria"),
        Column<ScreeningExtractRow>.Text("participant_code", "Participant code", r => r.Source.Text("ParticipantCode"),
            "The participant enrolled from this screening (joins the participants dataset); empty when none was.", "Participant.Code (Participant.ScreeningNumber)"),
        Column<ScreeningExtractRow>.Text("protocol_version", "Protocol version at screening", r => r.Source.Text("ProtocolVersion"),
            "Version of the protocol file whose eligibility rules judged the screening.", "Screening.ProtocolVersion"),
        Column<ScreeningExtractRow>.Text("comment", "Site's comment", r => r.Source.Text("Reason"),
            "The site's free-text comment on the screening (e.g. why the candidate was not eligible).", "Screening.Reason", freeText: true),
    ];

    /// <summary>
    /// Every screening of the sites, with the participant enrolled from it. Incremental: screenings recorded since, and those
    /// a participant was enrolled from since (their participant_code was filled).
    /// </summary>
    public const string ScreeningSql =
        """
        SELECT sc.ScreeningNumber, sc.SiteCode, sc.ScreeningDate, sc.Outcome, sc.FailedCriteria, sc.Reason, sc.ProtocolVersion, p.Code AS ParticipantCode
        FROM Screening sc
        LEFT JOIN Participant p ON p.ScreeningNumber = sc.ScreeningNumber
        WHERE (@anySite = 1 OR sc.SiteCode IN @sites)
          AND (@sinceUtc IS NULL OR sc.RecordedUtc >= @sinceUtc OR p.EnrolledUtc >= @sinceUtc)
        ORDER BY sc.SiteCode, sc.Number
        """;

    protected override async IAsyncEnumerable<ScreeningExtractRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, ScreeningSql, context.Filter, ct);
        var row = new ScreeningExtractRow(new ReaderRow(reader)) { StudyId = context.Protocol.ProtocolId };
        while (await reader.ReadAsync(ct))
        {
            var failed = row.Source.Text("FailedCriteria") ?? "";
            row.FailedCriteria = failed.Length == 0 ? [] : failed.Split(';');
            yield return row;
        }
    }
}
