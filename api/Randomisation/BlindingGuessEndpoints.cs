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

public sealed record BlindingGuessRequest(string? Guesser, string? Guess);

public sealed record BlindingGuessResponse(Guid Id, string ParticipantCode, string VisitCode, string Guesser, string Guess, DateTime RecordedUtc);

/// <summary>
/// A guess as the audit trail records it: who guessed where, not what. Guesses must stay independent of one another
/// (a rater who read the participant's guess would be swayed), and the trail is read by blinded staff.
/// </summary>
internal sealed record AuditedGuess(Guid Id, string ParticipantCode, string VisitCode, string Guesser, DateTime RecordedUtc);

/// <summary>
/// Blinding integrity: at the last infusion and at the protocol's follow-up, the rater and the participant each say which
/// arm they think the participant received (or that they do not know). The unblinded statistician's blinding index
/// compares the guesses with the allocation.
/// </summary>
public static class BlindingGuessEndpoints
{
    public static IEndpointRouteBuilder MapBlindingGuesses(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/visits/{visitCode}/blinding-guess", RecordAsync).WithTags("Randomisation")
            .RequireAuthorization(Policies.Investigator).WithName("RecordBlindingGuess")
            .WithSummary("Record the rater's or the participant's guess of the arm (an arm code, or \"unknown\") at a blinding-guess visit of the protocol " +
                         "(the last infusion given, and FU-D7 by default), once the visit is recorded. One guess per guesser and visit; guesses are never shown " +
                         "to blinded roles, only counted in the unblinded statistician's blinding index.")
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
        var errors = new FieldErrors();
        var guesser = errors.Required(body.Guesser?.Trim(), "guesser", "Who guesses (guesser)");
        if (guesser is not null && !BlindingGuesses.Guessers.Contains(guesser))
            errors.Add("guesser", $"guesser must be one of {string.Join(", ", BlindingGuesses.Guessers)}; got '{guesser}'.");
        var answers = BlindingGuesses.Answers(design);
        var guess = errors.Required(body.Guess?.Trim(), "guess", "The guess");
        if (guess is not null && !answers.Contains(guess)) errors.Add("guess", $"guess must be one of {string.Join(", ", answers)}; got '{guess}'.");
        if (errors.Any) return errors.ToResult();

        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, async w =>
        {
            var p = participant!;
            var records = await ParticipantQueries.VisitRecordsAsync(w.Connection, p.Id, w.Transaction);
            var visits = BlindingGuesses.Visits(protocol, p.InfusionsDiscontinuedDate is not null, records.Select(r => r.VisitCode));
            if (!visits.Contains(visitCode))
                return Problems.Validation("visitCode", $"The arm of {code} is guessed at {string.Join(" and ", visits)}, not at {visitCode}.");
            if (records.All(r => r.VisitCode != visitCode))
                return Problems.Conflict($"Visit {visitCode} of {code} has not been recorded yet; record it before the guesses made at it.",
                    new Dictionary<string, object?> { ["missingVisit"] = visitCode });
            if (await RandomisationQueries.FindAllocationAsync(w.Connection, p.Id, w.Transaction) is null)
                return Problems.Conflict($"{code} has not been randomised: there is no arm to guess.");
            if (await RandomisationQueries.FindGuessAsync(w.Connection, w.Transaction, p.Id, visitCode, guesser!) is not null)
                return Problems.Conflict($"The {guesser}'s guess for {code} at {visitCode} is already recorded; a guess is made once.");
            var row = new BlindingGuessRow
            {
                Id = SequentialGuid.New(now), ParticipantId = p.Id, VisitCode = visitCode, Guesser = guesser!, Guess = guess!, RecordedUtc = now, RecordedBy = w.Actor.UserId,
            };
            await RandomisationQueries.InsertGuessAsync(w.Connection, w.Transaction, row);
            await w.AuditAsync(AuditEntry.Created(AuditEntities.BlindingGuess, row.Id.ToString(), new AuditedGuess(row.Id, code, visitCode, guesser!, now),
                p.SiteCode, code, flag: DataEntry.Flag(p)));
            return Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/blinding-guess",
                new BlindingGuessResponse(row.Id, code, visitCode, row.Guesser, row.Guess, now));
        });
    }
}
