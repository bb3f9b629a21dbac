using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Trial.Application.Paging;

namespace Trial.Api.Infrastructure;

/// <summary>Marks a list endpoint that answers a page at a time (see <see cref="PageLinks"/>).</summary>
public sealed class PagedList;

public static class PagedListExtensions
{
    /// <summary>The endpoint answers a page at a time; the document says so (limit, cursor, Link).</summary>
    public static RouteHandlerBuilder Paged(this RouteHandlerBuilder builder) => builder.WithMetadata(new PagedList());
}

/// <summary>
/// Documents the paging of every list the same way: what <c>limit</c> and <c>cursor</c> mean, and the <c>Link</c> header of the
/// next page on the 200 response, so a client learns from the document how to read a whole list.
/// </summary>
public sealed class PagedListFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<PagedList>().Any()) return;
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (parameter.Name == "limit")
                parameter.Description = $"Rows per page, 1 to {Pages.MaxLimit}; {Pages.DefaultLimit} when left out.";
            else if (parameter.Name == "cursor")
                parameter.Description = "Where the page starts: leave out for the first page; the next page's URL, with its cursor, is in the Link header.";
        }
        if (operation.Responses?.TryGetValue("200", out var response) == true && response is OpenApiResponse ok)
        {
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
            ok.Headers[PageLinks.Header] = new OpenApiHeader
            {
                Description = "RFC 8288 link to the next page, `<url>; rel=\"next\"`: the same request with the next cursor. Absent on the last page.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
    }
}
