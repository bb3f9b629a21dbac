using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Randomisation;

namespace Trial.Api.Randomisation;

public sealed record UnblindRequest(string? Reason);

/// <summary>The arm, for the investigator who asked, and for nobody else: no GET returns it to a blinded role.</summary>
public sealed record UnblindingResponse(Guid Id, string ParticipantCode, string Arm, string ArmName, string Drug, decimal DoseMgPerKg, DateTime UnblindedUtc)
{
    public static UnblindingResponse From(Unblinded u) => new(u.Id, u.ParticipantCode, u.Arm, u.ArmName, u.Drug, u.DoseMgPerKg, u.UnblindedUtc);
}

/// <summary>
/// The route of an emergency unblinding (the use case is <see cref="UnblindParticipant"/>): an investigator who must know a participant's arm to treat them asks for it with a reason.
/// The arm goes to them alone; the unblinding is recorded and audited, the participant is flagged as unblinded for the
/// extracts, and the monitors get an UNBLINDED alert (without the arm) raised in the same transaction.
/// </summary>
public static class UnblindingEndpoints
{
    public static IEndpointRouteBuilder MapUnblinding(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/participants/{code}/unblinding", UnblindAsync).WithTags("Randomisation").RequireAuthorization(Policies.Investigator)
            .WithName("EmergencyUnblinding")
            .WithSummary("Emergency unblinding of one participant of your site (investigator), when knowing the arm changes their treatment; a reason is required. " +
                         "Returns the arm to you alone, records who, when and why, flags the participant as unblinded, and raises an UNBLINDED alert to the " +
                         "monitors, which does not name the arm.")
            .Produces<UnblindingResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .WithMetadata(new SecretResponse("the arm",
                "The participant is unblinded; to see the arm again, send the unblinding again without this key (it is recorded again, with its reason)."));
        return app;
    }

    private static async Task<IResult> UnblindAsync(string code, UnblindRequest body, UnblindParticipant unblinding, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var checkedRequest = await unblinding.CheckAsync(http.Actor(), code, body.Reason);
        if (checkedRequest.IsRefused) return checkedRequest.Refusal!.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, w => unblinding.WriteAsync(w, checkedRequest.Value!),
            unblinded => Results.Created($"/api/v1/participants/{code}/randomisation", UnblindingResponse.From(unblinded)));
    }
}
