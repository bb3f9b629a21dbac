using Trial.Application.Participants;
using Trial.Core.Access;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;

namespace Trial.Application.Randomisation;

/// <param name="ParticipantCode">The participant whose arm is guessed.</param>
/// <param name="VisitCode">The blinding-guess visit it is guessed at.</param>
/// <param name="Guesser">rater or participant.</param>
/// <param name="Guess">An arm code, or "unknown".</param>
/// <param name="GuessedUtc">When the guess was made, with its time zone; now when null. Never in the future.</param>
public sealed record BlindingGuessInput(string ParticipantCode, string VisitCode, string? Guesser, string? Guess, DateTime? GuessedUtc);

/// <summary>
/// A guess as stored: InfusionNumber is the number, among the infusions given, of the infusion it follows (at an infusion
/// visit, that visit's; at a follow-up, the last one given), InfusionVisitCode where that infusion was given, and
/// MinutesAfterInfusionEnd the whole minutes from its end to GuessedUtc.
/// </summary>
public sealed record RecordedBlindingGuess(
    Guid Id, string ParticipantCode, string VisitCode, string Guesser, string Guess, DateTime GuessedUtc, int InfusionNumber, string InfusionVisitCode,
    int MinutesAfterInfusionEnd, DateTime RecordedUtc);

/// <summary>
/// A guess as the audit trail records it: who guessed where, when and after which infusion, not what. Guesses must stay
/// independent of one another (a rater who read the participant's guess would be swayed), and the trail is read by
/// blinded staff.
/// </summary>
internal sealed record AuditedGuess(
    Guid Id, string ParticipantCode, string VisitCode, string Guesser, DateTime GuessedUtc, int InfusionNumber, string InfusionVisitCode,
    int MinutesAfterInfusionEnd, DateTime RecordedUtc);

/// <summary>
/// Blinding integrity: at the protocol's guess visits (by default after the first infusion, after the last infusion given
/// and at FU-D7), the rater and the participant each say which arm they think the participant received (or that they do
/// not know), after the infusion ended. The unblinded statistician's blinding index compares the guesses with the
/// allocation, never pooling guesses made after different numbers of infusions.
/// </summary>
public sealed class RecordBlindingGuess(Database db, ProtocolDefinition protocol)
{
    /// <summary>A checked guess, ready to be written.</summary>
    public sealed record Checked(ParticipantRow Participant, string VisitCode, string Guesser, string Guess, DateTime GuessedUtc);

    /// <summary>What can be decided before the write: the design, the participant (and the actor's access), the fields.</summary>
    public async Task<Outcome<Checked>> CheckAsync(Actor actor, BlindingGuessInput input, DateTime nowUtc)
    {
        var design = protocol.Design;
        if (!design.IsBlinded)
            return new Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} is {design.Blinding}: there is no arm to guess.");
        var (participant, refusal) = await ParticipantAccess.FindAsync(db, input.ParticipantCode, actor);
        if (refusal is not null) return refusal;
        if (protocol.FindVisit(input.VisitCode) is null) return new NotFound($"Visit '{input.VisitCode}' is not in protocol {protocol.Version}.");
        var errors = new FieldErrors();
        var guesser = errors.Required(input.Guesser?.Trim(), "guesser", "Who guesses (guesser)");
        if (guesser is not null && !BlindingGuesses.Guessers.Contains(guesser))
            errors.Add("guesser", $"guesser must be one of {string.Join(", ", BlindingGuesses.Guessers)}; got '{guesser}'.");
        var answers = BlindingGuesses.Answers(design);
        var guess = errors.Required(input.Guess?.Trim(), "guess", "The guess");
        if (guess is not null && !answers.Contains(guess)) errors.Add("guess", $"guess must be one of {string.Join(", ", answers)}; got '{guess}'.");
        var guessed = input.GuessedUtc is null ? nowUtc : errors.Instant(input.GuessedUtc, "guessedUtc", "The time of the guess (guessedUtc)");
        if (guessed > nowUtc)
            errors.Add("guessedUtc", $"The time of the guess {guessed:yyyy-MM-ddTHH:mm:ssZ} is in the future (now is {nowUtc:yyyy-MM-ddTHH:mm:ssZ}).");
        if (errors.Any) return errors.ToRefusal();
        return new Checked(participant!, input.VisitCode, guesser!, guess!, guessed!.Value);
    }

    /// <summary>Records the guess, with its audit row, when the participant's data allows it.</summary>
    public async Task<Outcome<RecordedBlindingGuess>> WriteAsync(WriteScope w, Checked input)
    {
        var (p, code, visitCode, now) = (input.Participant, input.Participant.Code, input.VisitCode, w.NowUtc);
        // First, and under a lock on the participant: once the arm is out at the site, a guess no longer tells whether the blind held.
        if (await RandomisationQueries.UnblindedUtcForGuessAsync(w.Session, p.Id) is { } unblinded)
        {
            return new Conflict($"{code} was unblinded in an emergency on {unblinded:yyyy-MM-dd HH:mm} UTC: a guess of the arm made or entered after " +
                                "that cannot tell whether the blind held, so it is not recorded. Guesses recorded before the unblinding stay in the index, marked.",
                new Dictionary<string, object?> { ["unblindedUtc"] = unblinded });
        }

        var records = await ParticipantQueries.VisitRecordsAsync(w.Session, p.Id);
        var visits = BlindingGuesses.Visits(protocol, p.InfusionsDiscontinuedDate is not null, records.Select(r => r.VisitCode));
        if (!visits.Contains(visitCode))
            return Invalid.Field("visitCode", $"The arm of {code} is guessed at {string.Join(", ", visits)}, not at {visitCode}.");
        var record = records.FirstOrDefault(r => r.VisitCode == visitCode);
        if (record is null)
        {
            return new Conflict($"Visit {visitCode} of {code} has not been recorded yet; record it before the guesses made at it.",
                new Dictionary<string, object?> { ["missingVisit"] = visitCode });
        }

        if (await RandomisationQueries.FindAllocationAsync(w.Session, p.Id) is null)
            return new Conflict($"{code} has not been randomised: there is no arm to guess.");
        if (await RandomisationQueries.FindGuessAsync(w.Session, p.Id, visitCode, input.Guesser) is not null)
            return new Conflict($"The {input.Guesser}'s guess for {code} at {visitCode} is already recorded; a guess is made once.");
        var infusions = await RandomisationQueries.GuessInfusionsAsync(w.Session, p.Id);
        var timing = BlindingGuesses.Timing(protocol, visitCode, record.ActualDate, p.TimeZone,
            [.. infusions.Select(i => new GivenInfusion(i.VisitCode, i.StartUtc, i.EndUtc))], input.GuessedUtc);
        if (timing.Timing is not { } t) return TimingRefusal(code, timing);

        var row = new BlindingGuessRow
        {
            Id = SequentialGuid.New(now), ParticipantId = p.Id, VisitCode = visitCode, Guesser = input.Guesser, Guess = input.Guess, RecordedUtc = now,
            RecordedBy = w.Actor.UserId, GuessedUtc = input.GuessedUtc, InfusionNumber = t.InfusionNumber, MinutesAfterInfusionEnd = t.MinutesAfterInfusionEnd,
        };
        await RandomisationQueries.InsertGuessAsync(w.Session, row);
        await w.AuditAsync(AuditEntry.Created(AuditEntities.BlindingGuess, row.Id.ToString(),
            new AuditedGuess(row.Id, code, visitCode, input.Guesser, input.GuessedUtc, t.InfusionNumber, t.InfusionVisitCode, t.MinutesAfterInfusionEnd, now),
            p.SiteCode, code, flag: DataEntry.Flag(p)));
        return new RecordedBlindingGuess(row.Id, code, visitCode, row.Guesser, row.Guess, input.GuessedUtc, t.InfusionNumber, t.InfusionVisitCode,
            t.MinutesAfterInfusionEnd, now);
    }

    private static Refusal TimingRefusal(string code, GuessTimingResult refused) => refused.Problem switch
    {
        GuessTimingProblem.InfusionNotRecorded or GuessTimingProblem.NoInfusionGiven => new Conflict($"{code}: {refused.Message}",
            new Dictionary<string, object?> { ["missingInfusion"] = refused.InfusionVisitCode }),
        _ => Invalid.Field("guessedUtc", refused.Message!),
    };
}
