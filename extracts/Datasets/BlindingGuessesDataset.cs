using System.Runtime.CompilerServices;
using Trial.Core.Randomisation;
using Trial.Extracts.Reading;

namespace Trial.Extracts.Datasets;

public sealed class BlindingGuessRow(ReaderRow source)
{
    public ReaderRow Source { get; } = source;
    public int? VisitNumber { get; set; }
    public DateTimeOffset? GuessedLocal { get; set; }
    public DateOnly? DayZero { get; set; }
}

/// <summary>
/// One row per guess of the arm (blinding integrity): who guessed (the rater or the participant), at which visit, after
/// which infusion, what, and when. A guess is blinded data, made and entered by blinded people, so every extract reader
/// gets it; what would tell the arm is whether the guess was right, which is in no column: the blinded never read the
/// arm, and the unblinded statistician compares the guess with the arm columns that follow in their extract.
/// </summary>
public sealed class BlindingGuessesDataset : ExtractDataset<BlindingGuessRow>
{
    public override string Name => "blinding-guesses";
    public override string Description => "One row per guess of the arm by the rater or the participant (blinding integrity; see docs/extracts.md).";

    public override IReadOnlyList<ExtractColumn<BlindingGuessRow>> Columns { get; } =
    [
        Column<BlindingGuessRow>.Text("guess_id", "Guess id", r => r.Source.Id("Id")?.ToString(), "Stable id of the guess (guesses are never changed).", "BlindingGuess.Id"),
        Column<BlindingGuessRow>.Text("participant_code", "Participant code", r => r.Source.Text("ParticipantCode"), "The participant whose arm was guessed.", "Participant.Code"),
        Column<BlindingGuessRow>.Text("site", "Site code", r => r.Source.Text("SiteCode"), "The participant's site.", "Participant.SiteCode"),
        Column<BlindingGuessRow>.Text("visit_code", "Visit code", r => r.Source.Text("VisitCode"),
            "The visit the guess was made at (the protocol's guess visits: INF1, the last infusion given and FU-D7 by default).", "BlindingGuess.VisitCode"),
        Column<BlindingGuessRow>.Integer("visit_num", "Visit number", r => r.VisitNumber,
            "Position of the visit in the protocol's visit plan (as in visits).", "protocol file: order of visits[]"),
        Column<BlindingGuessRow>.Text("guesser", "Who guessed", r => r.Source.Text("Guesser"),
            "rater: the blinded rater; participant: the participant.", "BlindingGuess.Guesser", allowed: string.Join(", ", BlindingGuesses.Guessers)),
        Column<BlindingGuessRow>.Text("guess", "Guess", r => r.Source.Text("Guess"),
            "The arm the guesser thought the participant received, as an arm code, or unknown (don't know). The guess, not the arm: whether it was right "
            + "is not in the file.", "BlindingGuess.Guess", allowed: $"the protocol's arm codes, or {BlindingGuesses.DontKnow}"),
        Column<BlindingGuessRow>.Integer("infusion_number", "Infusions given before the guess", r => r.Source.Integer("InfusionNumber"),
            "The number, among the infusions given, of the infusion the guess follows (1 after the first). Guesses are comparable only at the same "
            + "number. Empty for guesses recorded before the number was kept.", "BlindingGuess.InfusionNumber"),
        Column<BlindingGuessRow>.Integer("minutes_after_infusion_end", "Minutes after the infusion ended", r => r.Source.Integer("MinutesAfterInfusionEnd"),
            "Whole minutes from the end of that infusion to the guess. Empty for guesses recorded before it was kept.", "BlindingGuess.MinutesAfterInfusionEnd", unit: "min"),
        Column<BlindingGuessRow>.Instant("guessed_utc", "Guessed (UTC)", r => r.Source.Instant("GuessedUtc"),
            "When the guess was made, as stated by the site, in UTC. Empty for guesses recorded before it was kept.", "BlindingGuess.GuessedUtc"),
        Column<BlindingGuessRow>.LocalDateTime("guessed_local", "Guessed (site time)", r => r.GuessedLocal,
            "The same instant in the site's local time with its offset from UTC; its date part is the one study_day counts.", "BlindingGuess.GuessedUtc"),
        Column<BlindingGuessRow>.Integer("study_day", "Study day", r => ExtractText.StudyDay(ExtractText.LocalDate(r.GuessedLocal), r.DayZero),
            "The date part of guessed_local relative to INF1's actual date as SDTM counts it (INF1 is day 1, the day before -1, no day 0).", "derived", unit: "days"),
        Column<BlindingGuessRow>.Instant("recorded_utc", "Recorded", r => r.Source.Instant("RecordedUtc"), "When the guess was entered, UTC.", "BlindingGuess.RecordedUtc"),
    ];

    protected override Func<BlindingGuessRow, string?> ParticipantOf => r => r.Source.Text("ParticipantCode");

    /// <summary>
    /// Every guess with INF1's date, by participant, then as made (the rater before the participant when both are stamped
    /// alike). Guesses are append-only, so an incremental pull gives those entered since.
    /// </summary>
    public const string BlindingGuessesSql =
        $"""
        SELECT g.Id, p.Code AS ParticipantCode, p.SiteCode, g.VisitCode, g.Guesser, g.Guess, g.InfusionNumber, g.MinutesAfterInfusionEnd, g.GuessedUtc, g.RecordedUtc,
               d0.ActualDate AS DayZeroDate
        FROM BlindingGuess g
        JOIN Participant p ON p.Id = g.ParticipantId
        {ExtractSql.DayZeroJoin}
        WHERE {ExtractSql.SiteFilter}
          AND (@sinceUtc IS NULL OR g.RecordedUtc >= @sinceUtc)
        ORDER BY p.SiteCode, p.Number, g.GuessedUtc, g.RecordedUtc, g.Guesser, g.Id
        """;

    protected override async IAsyncEnumerable<BlindingGuessRow> RowsAsync(ExportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await ExtractSql.ReadAsync(context.Snapshot, BlindingGuessesSql, context.Filter, context.Anchors, ct);
        var source = new ReaderRow(reader);
        var row = new BlindingGuessRow(source);
        while (await reader.ReadAsync(ct))
        {
            row.VisitNumber = context.VisitNumbers.TryGetValue(source.Text("VisitCode")!, out var number) ? number : null;
            row.GuessedLocal = source.Instant("GuessedUtc") is { } guessed ? context.LocalDateTime(source.Text("SiteCode")!, guessed) : null;
            row.DayZero = source.Date("DayZeroDate");
            yield return row;
        }
    }
}
