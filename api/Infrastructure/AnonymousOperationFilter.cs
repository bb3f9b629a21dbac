using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Trial.Api.Infrastructure;

/// <summary>
/// The document requires the bearer token of every operation; one that takes no token (health, the activation of an
/// account) says so with an empty requirement (<c>security: []</c>), so clients and Swagger UI send it none.
/// </summary>
public sealed class AnonymousOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any()) operation.Security = [];
    }
}
