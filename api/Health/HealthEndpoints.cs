using Trial.Application.Health;

namespace Trial.Api.Health;

public sealed record HealthResponse(string Status, string? Detail = null);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", () => Results.Ok(new HealthResponse("live"))).WithName("Live")
            .WithSummary("The process is up.").Produces<HealthResponse>();
        group.MapGet("/ready", ReadyAsync).WithName("Ready")
            .WithSummary("The database answers and its migrations are applied; 503 otherwise.")
            .Produces<HealthResponse>().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> ReadyAsync(CheckReadiness readiness)
    {
        var ready = await readiness.CheckAsync();
        return ready.Ready
            ? Results.Ok(new HealthResponse("ready"))
            : Results.Json(new HealthResponse("not-ready", ready.Detail), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
