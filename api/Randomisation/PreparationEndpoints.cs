using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Randomisation;

namespace Trial.Api.Randomisation;

/// <summary>
/// What the pharmacy prepared. <c>weightKg</c> is the weight the dose was calculated for: by default the latest weight
/// recorded (see GET .../allocation).
/// </summary>
public sealed record RecordPreparationRequest(string? PreparationId, string? Arm, decimal? DoseMgPerKg, decimal? TotalDoseMg, decimal? VolumeMl, decimal? WeightKg);

public sealed record PreparationResponse(
    string PreparationId, string ParticipantCode, string VisitCode, string Arm, string Drug, decimal DoseMgPerKg, decimal TotalDoseMg, decimal VolumeMl,
    decimal WeightKg, DateTime PreparedUtc)
{
    public static PreparationResponse From(RecordedPreparation p) =>
        new(p.PreparationId, p.ParticipantCode, p.VisitCode, p.Arm, p.Drug, p.DoseMgPerKg, p.TotalDoseMg, p.VolumeMl, p.WeightKg, p.PreparedUtc);
}

/// <summary>
/// The routes of the pharmacy's preparations (the use case is <see cref="RecordPreparation"/>): the unblinded pharmacy's record
/// of each infusion it prepares in a blinded study, checked against the participant's allocation and the protocol's dose for
/// the arm, so a wrong syringe is refused before it reaches the ward. The investigator later records the infusion by the
/// preparation's label, never by its contents.
/// </summary>
public static class PreparationEndpoints
{
    public static IEndpointRouteBuilder MapPreparations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/participants/{code}/visits/{visitCode}/preparation").WithTags("Randomisation");
        group.MapPost("", RecordAsync).RequireAuthorization(Policies.Pharmacist).WithName("RecordPreparation")
            .WithSummary("Record the preparation of an infusion (pharmacist of the participant's site, blinded protocols): the label on the syringe " +
                         "(preparationId, which must not name an arm or drug), the arm, dose per kg, total dose and volume. Checked against the allocation, " +
                         "the protocol's dose for the arm and volume, and the weight (weightKg, default the latest recorded). One per infusion visit.")
            .Produces<PreparationResponse>(StatusCodes.Status201Created).ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409)
            .WithMetadata(new SecretResponse("the arm and the dose",
                "The preparation is recorded; read it at GET /api/v1/participants/{code}/visits/{visitCode}/preparation."));
        group.MapGet("", GetAsync).RequireAuthorization(Policies.AllocationReader).WithName("GetPreparation")
            .WithSummary("The preparation recorded for an infusion visit (pharmacist or unblinded statistician of the participant's site).")
            .Produces<PreparationResponse>().ProducesProblem(404).ProducesProblem(403);
        return app;
    }

    private static async Task<IResult> RecordAsync(string code, string visitCode, RecordPreparationRequest body, RecordPreparation preparations, IdempotentWrites writes,
        TimeProvider clock, HttpContext http)
    {
        var checkedPreparation = await preparations.CheckAsync(http.Actor(), code, visitCode,
            new PreparationInput(body.PreparationId, body.Arm, body.DoseMgPerKg, body.TotalDoseMg, body.VolumeMl, body.WeightKg));
        if (checkedPreparation.IsRefused) return checkedPreparation.Refusal!.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, w => preparations.WriteAsync(w, checkedPreparation.Value!),
            preparation => Results.Created($"/api/v1/participants/{code}/visits/{visitCode}/preparation", PreparationResponse.From(preparation)));
    }

    private static async Task<IResult> GetAsync(string code, string visitCode, RecordPreparation preparations, HttpContext http)
    {
        var preparation = await preparations.FindAsync(http.User.Actor(), code, visitCode);
        return preparation.IsRefused ? preparation.Refusal!.ToResult() : Results.Ok(PreparationResponse.From(preparation.Value!));
    }
}
