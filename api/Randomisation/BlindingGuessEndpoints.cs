using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Randomisation;

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
    int MinutesAfterInfusionEnd, DateTime RecordedUtc)
{
    public static BlindingGuessResponse From(RecordedBlindingGuess g) =>
        new(g.Id, g.ParticipantCode, g.VisitCode, g.Guesser, g.Guess, g.GuessedUtc, g.InfusionNumber, g.InfusionVisitCode, g.MinutesAfterInfusionEnd, g.RecordedUtc);
}

/// <summary>
/// The route of a blinding guess; the use case is <see cref="RecordBlindingGuess"/>. Blinding integrity: at the protocol's guess visits (by default after the first infusion, after the last infusion given
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
                         "(infusionNumber among the infusions given, infusionVisitCode) and minutesAfterInfusionEnd. One guess per guesser and visit; no endpoint " +
                         "shows guesses to the roles that guess or rate (investigators, monitors); statisticians read them in the blinding-guesses extract, " +
                         "where only the unblinded statistician's has the arm to compare with, and in the blinding index. 409 when the participant was " +
                         "unblinded in an emergency (a guess then says nothing about the blind), when the visit or its infusion is not recorded yet " +
                         "(missingVisit, missingInfusion), when no infusion was given before a follow-up, or when this guess is already recorded; 422 " +
                         "naming the field for a guessedUtc in the future or outside the time after its infusion.")
            .Produces<BlindingGuessResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> RecordAsync(string code, string visitCode, BlindingGuessRequest body, RecordBlindingGuess guesses, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedGuess = await guesses.CheckAsync(http.Actor(), new BlindingGuessInput(code, visitCode, body.Guesser, body.Guess, body.GuessedUtc), now);
        if (checkedGuess.IsRefused) return checkedGuess.Refusal!.ToResult();
        return await writes.RunAsync(http, now, w => guesses.WriteAsync(w, checkedGuess.Value!),
            guess => Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/blinding-guess", BlindingGuessResponse.From(guess)));
    }
}
