using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Declares the text/html alternative beside the JSON of a 200 response. Two Produces for one status code do not add up
/// (the last one replaces the first), so the page is added to the JSON response's content here.
/// </summary>
public sealed class HtmlResponseFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ProducesPrintableHtml>().Any()) return;
        if (operation.Responses is null || !operation.Responses.TryGetValue("200", out var response) || response is not OpenApiResponse ok) return;
        ok.Content ??= new Dictionary<string, IOpenApiMediaType>();
        ok.Content["text/html"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One self-contained printable page (Accept: text/html)." } };
    }
}
