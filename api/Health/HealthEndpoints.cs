using Trial.Db.Health;
using Trial.Db.Infrastructure;

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

    private static async Task<IResult> ReadyAsync(Database db)
    {
        try
        {
            var applied = await db.ReadAsync(HealthQueries.AppliedMigrationsAsync);
            var expected = Migrator.Scripts(db.Provider).Count;
            return applied >= expected
                ? Results.Ok(new HealthResponse("ready"))
                : Results.Json(new HealthResponse("not-ready", $"{applied} of {expected} migrations applied."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            return Results.Json(new HealthResponse("not-ready", "The database does not answer."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
