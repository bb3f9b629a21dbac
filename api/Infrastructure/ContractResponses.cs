using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Trial.Api.Infrastructure;

/// <summary>Marks an endpoint whose success response carries the record's version in the ETag header.</summary>
public sealed class VersionedRecord;

/// <summary>Marks an endpoint whose success response carries a header the document should describe (e.g. an extract's snapshot time).</summary>
public sealed record ResponseHeader(string Name, string Description, string? Format = null);

public static class ContractMetadata
{
    /// <summary>The success response carries the record's version as ETag (the value a correction names in If-Match).</summary>
    public static RouteHandlerBuilder Versioned(this RouteHandlerBuilder builder) => builder.WithMetadata(new VersionedRecord());

    /// <summary>The success response carries <paramref name="name"/>; the document describes it.</summary>
    public static RouteHandlerBuilder WithResponseHeader(this RouteHandlerBuilder builder, string name, string description, string? format = null) =>
        builder.WithMetadata(new ResponseHeader(name, description, format));
}

/// <summary>
/// Declares, from each endpoint's metadata, every status the pipeline around it can answer, so no endpoint has to list
/// them by hand: 401 and the rate limit's 429 wherever a token is read, 403 where a role is required, 404 for a route
/// that names a record, 400/413/415/422 for a body; every one as problem+json. It also describes the headers the
/// pipeline reads and writes (Idempotency-Key, If-Match, ETag, Location, RateLimit-*) and gives each operation a
/// description of who may call it.
/// </summary>
public sealed class ContractResponses(IOptions<AuthorizationOptions> authorization) : IOperationFilter
{
    public const string ProblemJson = "application/problem+json";

    private static readonly Dictionary<int, string> Meanings = new()
    {
        [400] = "The request is malformed: a body that is not JSON, or a value of the wrong type (problem+json naming the field).",
        [401] = "No valid bearer token: none was sent, or it is unknown, revoked or expired.",
        [403] = "The caller's role or sites do not allow this.",
        [404] = "No such record, or not one at the caller's sites.",
        [409] = "The request conflicts with the record's state.",
        [412] = "If-Match names a version that is no longer the current one: read the record again.",
        [413] = "The request body is larger than the server accepts; nothing was stored.",
        [415] = "The request body's Content-Type is not one the endpoint takes.",
        [422] = "One or more fields are invalid (errors lists each field with its messages); nothing was stored.",
        [428] = "If-Match is required to change a record already recorded.",
        [429] = "Too many requests from this token or address; try again after Retry-After seconds. Nothing was stored.",
        [503] = "The service is not ready.",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var api = context.ApiDescription;
        var metadata = api.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var roles = anonymous ? null : RequiredRoles(metadata);
        var hasBody = api.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body)
                      || operation.RequestBody is not null;
        var writes = !HttpMethods.IsGet(api.HttpMethod ?? "GET");
        var idempotent = writes && !anonymous && TakesIdempotentWrites(metadata);
        operation.Responses ??= new OpenApiResponses();

        var statuses = new List<int>();
        if (hasBody) statuses.AddRange([400, 413, 415, 422]);
        if (api.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Query && p.Type != typeof(string)))
            statuses.Add(400);
        if (!anonymous) statuses.Add(401);
        if (roles is not null) statuses.Add(403);
        if (api.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Path)) statuses.Add(404);
        // An Idempotency-Key reused for another request is refused with a 422, whatever the endpoint.
        if (idempotent) statuses.Add(422);
        statuses.Add(429);
        foreach (var status in statuses.Distinct()) Declare(operation, context, status);

        foreach (var (code, response) in operation.Responses)
        {
            if (response is not OpenApiResponse r || !int.TryParse(code, out var status)) continue;
            if (status >= 400) Problem(r, context, status);
            if (Meanings.TryGetValue(status, out var meaning) && (string.IsNullOrEmpty(r.Description) || r.Description == ReasonPhrase(status))) r.Description = meaning;
            if (status >= 200 && status < 300) SuccessHeaders(r, status, metadata, anonymous, idempotent);
            if (status == 429) AddHeader(r, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
        }
        operation.Responses = Sorted(operation.Responses);

        if (idempotent)
        {
            AddParameter(operation, Idempotency.Header, $"Makes a retry safe: a retry with the same key (any string of at most {Idempotency.MaxKeyLength} characters, new for each new request) " +
                                                        "is given the first response back without running again; the same key with another request is a 422.");
        }

        if (operation.Responses.ContainsKey("412"))
            AddParameter(operation, "If-Match", "The record's current version, the ETag its GET returned; a stale version is refused with 412 and nothing is stored.");

        operation.Description = Describe(operation, anonymous, roles, idempotent);
    }

    /// <summary>
    /// The roles an endpoint admits: the intersection of the role requirements of its policies; null when any authenticated
    /// caller may call it (no policy with roles applies).
    /// </summary>
    private IReadOnlySet<string>? RequiredRoles(IList<object> metadata)
    {
        HashSet<string>? roles = null;
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            var policy = data.Policy is null ? null : authorization.Value.GetPolicy(data.Policy);
            foreach (var allowed in policy?.Requirements.OfType<RolesAuthorizationRequirement>().Select(r => r.AllowedRoles) ?? [])
            {
                if (roles is null) roles = new HashSet<string>(allowed, StringComparer.Ordinal);
                else roles.IntersectWith(allowed);
            }
            if (data.Roles is { Length: > 0 } named)
            {
                var allowed = named.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (roles is null) roles = new HashSet<string>(allowed, StringComparer.Ordinal);
                else roles.IntersectWith(allowed);
            }
        }
        return roles;
    }

    /// <summary>Whether the handler writes through <see cref="IdempotentWrites"/>, the one place that stores a response for a retry.</summary>
    private static bool TakesIdempotentWrites(IList<object> metadata) =>
        metadata.OfType<MethodInfo>().Any(m => m.GetParameters().Any(p => p.ParameterType == typeof(IdempotentWrites)));

    private static string Describe(OpenApiOperation operation, bool anonymous, IReadOnlySet<string>? roles, bool idempotent)
    {
        var parts = new List<string>
        {
            anonymous ? "Anonymous: no token is needed."
            : roles is null ? "Any authenticated caller (Authorization: Bearer <token>); what is answered is limited to the caller's sites."
            : $"Requires a bearer token of the role {string.Join(" or ", roles.Order(StringComparer.Ordinal))}; what is answered is limited to the caller's sites.",
        };
        if (idempotent) parts.Add("Retry-safe with an Idempotency-Key header.");
        if (operation.Parameters?.Any(p => p.Name == "If-Match") == true) parts.Add("Send If-Match with the record's ETag to change it.");
        parts.Add("Refusals are RFC 9457 problem+json naming the field at fault.");
        return string.Join(" ", parts);
    }

    private static void Declare(OpenApiOperation operation, OperationFilterContext context, int status)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        operation.Responses[key] = new OpenApiResponse { Description = Meanings[status] };
        Problem((OpenApiResponse)operation.Responses[key], context, status);
    }

    /// <summary>Every error is problem+json: a 422 with its field errors, the rest as plain problem details.</summary>
    private static void Problem(OpenApiResponse response, OperationFilterContext context, int status)
    {
        var type = status == 422 ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails);
        response.Content ??= new Dictionary<string, IOpenApiMediaType>();
        if (response.Content.TryGetValue(ProblemJson, out var existing) && existing.Schema is not null) return;
        response.Content.Clear();
        response.Content[ProblemJson] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(type, context.SchemaRepository) };
    }

    private static void SuccessHeaders(OpenApiResponse response, int status, IList<object> metadata, bool anonymous, bool idempotent)
    {
        if (idempotent)
            AddHeader(response, CapturedResponse.ReplayedHeader, "true when this is the stored response to an earlier request with the same Idempotency-Key, which did not run again.", JsonSchemaType.Boolean);
        if (status == 201) AddHeader(response, "Location", "The URL of the record created.", JsonSchemaType.String);
        if (metadata.OfType<VersionedRecord>().Any())
            AddHeader(response, "ETag", "The record's version, quoted; name it in If-Match to change the record.", JsonSchemaType.String);
        foreach (var header in metadata.OfType<ResponseHeader>()) AddHeader(response, header.Name, header.Description, JsonSchemaType.String, header.Format);
        if (anonymous) return;
        AddHeader(response, "RateLimit-Limit", "Requests this token may make in one window.", JsonSchemaType.Integer);
        AddHeader(response, "RateLimit-Remaining", "Requests left in the current window.", JsonSchemaType.Integer);
        AddHeader(response, "RateLimit-Reset", "Seconds until the window ends.", JsonSchemaType.Integer);
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type, string? format = null)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        if (response.Headers.ContainsKey(name)) return;
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type, Format = format } };
    }

    private static void AddParameter(OpenApiOperation operation, string name, string description)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.Name == name && p.In == ParameterLocation.Header)) return;
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name, In = ParameterLocation.Header, Required = false, Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = name == Idempotency.Header ? Idempotency.MaxKeyLength : null },
        });
    }

    /// <summary>Responses in status order, so the document reads the same whatever order the filters added them in.</summary>
    private static OpenApiResponses Sorted(OpenApiResponses responses)
    {
        var sorted = new OpenApiResponses();
        foreach (var (code, response) in responses.OrderBy(r => r.Key, StringComparer.Ordinal)) sorted[code] = response;
        return sorted;
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
