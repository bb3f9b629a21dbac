using Microsoft.OpenApi;

namespace Trial.Api.Infrastructure;

public static class OpenApiSetup
{
    public const string SecuritySchemeId = "bearer";

    public static IServiceCollection AddTrialOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Trial API",
                Version = "v1",
                Description = "Clinical-trial data platform for IV ketamine in treatment-resistant depression with borderline personality disorder: " +
                              "enrolment, visits, rating scales scored by the server, safety alerts and extracts. " +
                              "Every error is RFC 9457 problem+json. Use the Authorize button with an API token.",
            });
            o.AddSecurityDefinition(SecuritySchemeId, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API token of one's own, from the activation code an admin gave (POST /api/v1/tokens), sent as 'Authorization: Bearer <token>'.",
            });
            o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SecuritySchemeId, document)] = [],
            });
            o.SchemaFilter<RequestExamples>();
            o.OperationFilter<HtmlResponseFilter>();
            o.OperationFilter<AnonymousOperationFilter>();
            o.OperationFilter<PagedListFilter>();
            // After the others: the statuses, headers and descriptions every operation gets from its metadata.
            o.OperationFilter<ContractResponses>();
            o.DocumentFilter<ContractDocument>();
            o.DocumentFilter<ContractSchemas>();
            // A non-nullable reference in a response is never null, so a client types it so.
            o.SupportNonNullableReferenceTypes();
            o.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, "Trial.Api.xml"), includeControllerXmlComments: false);
        });
        return services;
    }
}
