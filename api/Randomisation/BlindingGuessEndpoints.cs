using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Api.Participants;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;
using Trial.Db.Audit;
using Trial.Db.Infrastructure;
using Trial.Db.Participants;
using Trial.Db.Randomisation;

namespace Trial.Api.Randomisation;

/// <param name="Guesser">rater or participant.</param>
/// <param name="Guess">An arm code, or "unknown".</param>
/// <param name="GuessedUtc">When the guess was made, with its time zone; the server's time when left out. Never in the future.</param>
public sealed record BlindingGuessRequest(string? Guesser, string? Guess, DateTime? GuessedUtc = null);

/// <summary>
/// A guess as stored: InfusionNumber is the number, among the infusions given, of the infusion it follows (at an infusion
/// visit, that visit's; at a follow-up, the last one given), InfusionVisitCode where that infusion was given, and
/// MinutesAfterInfusionEnd the whole minutes from its end to GuessedUtc.
/// </summary>
public sealed record BlindingGuessResponse(
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
public static class BlindingGuessEndpoints
{
    public static IEndpointRouteBuilder MapBlindingGuesses(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/visits/{visitCode}/blinding-guess", RecordAsync).WithTags("Randomisation")
            .RequireAuthorization(Policies.Investigator).WithName("RecordBlindingGuess")
            .WithSummary("Record the rater's or the participant's guess of the arm (an arm code, or \"unknown\") at a blinding-guess visit of the protocol " +
                         "(INF1, the last infusion given and FU-D7 by default), once the visit is recorded. guessedUtc is when the guess was made (default: now; " +
                         "never in the future). At an infusion visit the guess is made after that visit's infusion ended and before the next infusion started; " +
                         "at a follow-up, after the last infusion given and not before the visit's date. The response gives the infusion the guess follows " +
                         "(infusionNumber among the infusions given, infusionVisitCode) and minutesAfterInfusionEnd. One guess per guesser and visit; guesses " +
                         "are never shown to blinded roles, only counted in the unblinded statistician's blinding index. 409 when the participant was " +
                         "unblinded in an emergency (a guess then says nothing about the blind), when the visit or its infusion is not recorded yet " +
                         "(missingVisit, missingInfusion), when no infusion was given before a follow-up, or when this guess is already recorded; 422 " +
                         "naming the field for a guessedUtc in the future or outside the time after its infusion.")
            .Produces<BlindingGuessResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> RecordAsync(string code, string visitCode, BlindingGuessRequest body, Database db, WritePath writes, ProtocolDefinition protocol,
        TimeProvider clock, HttpContext http)
    {
        var design = protocol.Design;
        if (!design.IsBlinded)
            return Problems.Conflict($"Protocol {protocol.ProtocolId} {protocol.Version} is {design.Blinding}: there is no arm to guess.");
        var (participant, error) = await ParticipantAccess.FindAsync(db, code, http.Actor());
        if (error is not null) return error;
        if (protocol.FindVisit(visitCode) is null) return Problems.NotFound($"Visit '{visitCode}' is not in protocol {protocol.Version}.");
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        var guesser = errors.Required(body.Guesser?.Trim(), "guesser", "Who guesses (guesser)");
        if (guesser is not null && !BlindingGuesses.Guessers.Contains(guesser))
            errors.Add("guesser", $"guesser must be one of {string.Join(", ", BlindingGuesses.Guessers)}; got '{guesser}'.");
        var answers = BlindingGuesses.Answers(design);
        var guess = errors.Required(body.Guess?.Trim(), "guess", "The guess");
        if (guess is not null && !answers.Contains(guess)) errors.Add("guess", $"guess must be one of {string.Join(", ", answers)}; got '{guess}'.");
        var guessed = body.GuessedUtc is null ? now : errors.Instant(body.GuessedUtc, "guessedUtc", "The time of the guess (guessedUtc)");
        if (guessed > now)
            errors.Add("guessedUtc", $"The time of the guess {guessed:yyyy-MM-ddTHH:mm:ssZ} is in the future (now is {now:yyyy-MM-ddTHH:mm:ssZ}).");
        if (errors.Any) return errors.ToResult();

        return await writes.RunAsync(http, now, async w =>
        {
            var p = participant!;
            // First, and under a lock on the participant: once the arm is out at the site, a guess no longer tells whether the blind held.
            if (await RandomisationQueries.UnblindedUtcForGuessAsync(w.Session, p.Id) is { } unblinded)
            {
                return Problems.Conflict($"{code} was unblinded in an emergency on {unblinded:yyyy-MM-dd HH:mm} UTC: a guess of the arm made or entered after " +
                                         "that cannot tell whether the blind held, so it is not recorded. Guesses recorded before the unblinding stay in the index, marked.",
                    new Dictionary<string, object?> { ["unblindedUtc"] = unblinded });
            }

            var records = await ParticipantQueries.VisitRecordsAsync(w.Session, p.Id);
            var visits = BlindingGuesses.Visits(protocol, p.InfusionsDiscontinuedDate is not null, records.Select(r => r.VisitCode));
            if (!visits.Contains(visitCode))
                return Problems.Validation("visitCode", $"The arm of {code} is guessed at {string.Join(", ", visits)}, not at {visitCode}.");
            var record = records.FirstOrDefault(r => r.VisitCode == visitCode);
            if (record is null)
            {
                return Problems.Conflict($"Visit {visitCode} of {code} has not been recorded yet; record it before the guesses made at it.",
                    new Dictionary<string, object?> { ["missingVisit"] = visitCode });
            }

            if (await RandomisationQueries.FindAllocationAsync(w.Session, p.Id) is null)
                return Problems.Conflict($"{code} has not been randomised: there is no arm to guess.");
            if (await RandomisationQueries.FindGuessAsync(w.Session, p.Id, visitCode, guesser!) is not null)
                return Problems.Conflict($"The {guesser}'s guess for {code} at {visitCode} is already recorded; a guess is made once.");
            var infusions = await RandomisationQueries.GuessInfusionsAsync(w.Session, p.Id);
            var timing = BlindingGuesses.Timing(protocol, visitCode, record.ActualDate, p.TimeZone,
                [.. infusions.Select(i => new GivenInfusion(i.VisitCode, i.StartUtc, i.EndUtc))], guessed!.Value);
            if (timing.Timing is not { } t) return Refusal(code, timing);

            var row = new BlindingGuessRow
            {
                Id = SequentialGuid.New(now), ParticipantId = p.Id, VisitCode = visitCode, Guesser = guesser!, Guess = guess!, RecordedUtc = now, RecordedBy = w.Actor.UserId,
                GuessedUtc = guessed, InfusionNumber = t.InfusionNumber, MinutesAfterInfusionEnd = t.MinutesAfterInfusionEnd,
            };
            await RandomisationQueries.InsertGuessAsync(w.Session, row);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.BlindingGuess, row.Id.ToString(),
                new AuditedGuess(row.Id, code, visitCode, guesser!, guessed.Value, t.InfusionNumber, t.InfusionVisitCode, t.MinutesAfterInfusionEnd, now),
                p.SiteCode, code, flag: DataEntry.Flag(p)));
            return Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/blinding-guess",
                new BlindingGuessResponse(row.Id, code, visitCode, row.Guesser, row.Guess, guessed.Value, t.InfusionNumber, t.InfusionVisitCode,
                    t.MinutesAfterInfusionEnd, now));
        });
    }

    private static IResult Refusal(string code, GuessTimingResult refused) => refused.Problem switch
    {
        GuessTimingProblem.InfusionNotRecorded => Problems.Conflict($"{code}: {refused.Message}",
            new Dictionary<string, object?> { ["missingInfusion"] = refused.InfusionVisitCode }),
        GuessTimingProblem.NoInfusionGiven => Problems.Conflict($"{code}: {refused.Message}",
            new Dictionary<string, object?> { ["missingInfusion"] = refused.InfusionVisitCode }),
        _ => Problems.Validation("guessedUtc", refused.Message!),
    };
}
