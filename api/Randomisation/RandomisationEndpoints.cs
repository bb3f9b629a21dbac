using Trial.Api.Access;
using Trial.Api.Infrastructure;
using Trial.Application.Randomisation;
using Trial.Db.Randomisation;

namespace Trial.Api.Randomisation;

/// <summary>What everyone at the site may know of a randomisation: that it happened, its number and when. Never the arm.</summary>
public sealed record RandomisationResponse(int RandomisationNumber, DateTime RandomisedUtc);

/// <summary>A participant's allocation, for the unblinded (pharmacist, unblinded statistician) only.</summary>
public sealed record AllocationResponse(
    string ParticipantCode, string SiteCode, string Arm, string ArmName, string Drug, decimal DoseMgPerKg, string Stratum, int SequenceNumber,
    int RandomisationNumber, DateTime RandomisedUtc, decimal LatestWeightKg, DateTime? UnblindedUtc)
{
    public static AllocationResponse From(AllocationDetails a) =>
        new(a.ParticipantCode, a.SiteCode, a.Arm, a.ArmName, a.Drug, a.DoseMgPerKg, a.Stratum, a.SequenceNumber, a.RandomisationNumber, a.RandomisedUtc,
            a.LatestWeightKg, a.UnblindedUtc);
}

public sealed record AllocationListItem(
    string ParticipantCode, string SiteCode, string Arm, string Stratum, int SequenceNumber, int RandomisationNumber, DateTime RandomisedUtc, DateTime? UnblindedUtc)
{
    public static AllocationListItem From(ParticipantAllocation a) =>
        new(a.ParticipantCode, a.SiteCode, a.Arm, a.Stratum, a.SequenceNumber, a.RandomisationNumber, a.RandomisedUtc, a.UnblindedUtc);
}

/// <summary>
/// The routes of randomisation (the use cases are <see cref="Randomise"/> and <see cref="ReadAllocations"/>; the allocation
/// list's are in <see cref="AllocationListEndpoints"/>): the investigator randomises an eligible participant after baseline
/// and before the first infusion; the next place of the participant's stratum in the concealed sequence gives the arm,
/// which only the unblinded see.
/// </summary>
public static class RandomisationEndpoints
{
    public static IEndpointRouteBuilder MapRandomisation(this IEndpointRouteBuilder app)
    {
        var participant = app.MapGroup("/api/v1/participants/{code}").WithTags("Randomisation");
        participant.MapPost("/randomisation", RandomiseAsync).RequireAuthorization(Policies.Investigator).WithName("Randomise")
            .WithSummary("Randomise a participant of your site (investigator): eligible, baseline visit recorded with a complete MADRS (it decides the stratum), " +
                         "no preparation or infusion recorded yet (visit records, pre-infusion ratings and vital signs do not block it). Takes the next place of the " +
                         "participant's stratum in the concealed sequence. The response holds the randomisation number and time only: the arm is never shown to " +
                         "blinded roles. 409 when not yet possible, after the first preparation or infusion (recordedStep names it), or a second time.")
            .Produces<RandomisationResponse>(StatusCodes.Status201Created).ProducesProblem(404).ProducesProblem(403).ProducesProblem(409);
        participant.MapGet("/randomisation", GetRandomisationAsync).RequireAuthorization(Policies.ClinicalReader).WithName("GetRandomisation")
            .WithSummary("Whether and when the participant was randomised, and their randomisation number (never the arm).")
            .Produces<RandomisationResponse>().ProducesProblem(404).ProducesProblem(403);
        participant.MapGet("/allocation", GetAllocationAsync).RequireAuthorization(Policies.AllocationReader).WithName("GetAllocation")
            .WithSummary("The participant's arm, its drug and dose per kg, stratum and randomisation number, and the latest weight recorded " +
                         "(pharmacist or unblinded statistician of the participant's site).")
            .Produces<AllocationResponse>().ProducesProblem(404).ProducesProblem(403);

        var group = app.MapGroup("/api/v1/randomisation").WithTags("Randomisation");
        group.MapGet("/allocations", ListAllocationsAsync).RequireAuthorization(Policies.AllocationReader).WithName("ListAllocations")
            .WithSummary("The allocations at your sites, optionally of one site, in the order of randomisation, a page at a time (pharmacist or unblinded statistician); the next page is in the Link header.")
            .Produces<IReadOnlyList<AllocationListItem>>().ProducesValidationProblem(422).ProducesProblem(403).Paged();
        app.MapAllocationList();
        return app;
    }

    private static async Task<IResult> RandomiseAsync(string code, Randomise randomise, IdempotentWrites writes, TimeProvider clock, HttpContext http)
    {
        var checkedParticipant = await randomise.CheckAsync(http.Actor(), code);
        if (checkedParticipant.IsRefused) return checkedParticipant.Refusal!.ToResult();
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(http, now, w => randomise.WriteAsync(w, checkedParticipant.Value!),
            made => Results.Created($"/api/v1/participants/{code}/randomisation", new RandomisationResponse(made.RandomisationNumber, made.RandomisedUtc)));
    }

    private static async Task<IResult> GetRandomisationAsync(string code, ReadAllocations allocations, HttpContext http)
    {
        var allocation = await allocations.RandomisationAsync(http.User.Actor(), code);
        return allocation.IsRefused
            ? allocation.Refusal!.ToResult()
            : Results.Ok(new RandomisationResponse(allocation.Value!.RandomisationNumber, allocation.Value.RandomisedUtc));
    }

    private static async Task<IResult> GetAllocationAsync(string code, ReadAllocations allocations, HttpContext http)
    {
        var allocation = await allocations.AllocationAsync(http.User.Actor(), code);
        return allocation.IsRefused ? allocation.Refusal!.ToResult() : Results.Ok(AllocationResponse.From(allocation.Value!));
    }

    private static async Task<IResult> ListAllocationsAsync(string? site, int? limit, string? cursor, ReadAllocations allocations, HttpContext http)
    {
        var page = await allocations.ListAsync(http.User.Actor(), site, limit, cursor);
        return page.IsRefused ? page.Refusal!.ToResult() : PageLinks.Ok(http, page.Value!, AllocationListItem.From);
    }
}
