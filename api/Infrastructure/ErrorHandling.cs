using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Template;
using Trial.Db.Infrastructure;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Turns request-reading failures (malformed JSON, a value of the wrong type, an impossible
/// date) into a 400 problem+json that names the field, a write that lost a race to a unique constraint into a 409, and
/// anything unexpected into a 500
/// problem+json without internals. No bad input ever reaches a 500.
/// </summary>
public sealed partial class ErrorHandling(IProblemDetailsService problems, ILogger<ErrorHandling> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException bad)
        {
            problem = new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = "The request is malformed.",
                Detail = Describe(bad),
            };
            // The field at fault: the JSON path when the reader knows it, else the part of the request that was wrong as a whole.
            problem.Extensions["field"] = bad.InnerException is JsonException json ? FieldOf(json)
                : bad.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "Content-Type"
                : "body";
        }
        else if (UniqueViolations.Is(exception))
        {
            // Another request wrote the same key between this one's check and its write (several API processes on SQL Server):
            // the write was rolled back whole, and the record that won is there to read.
            log.LogWarning(exception, "Unique constraint met on {Method} {Path}: answered 409", context.Request.Method, context.Request.Path);
            var columns = UniqueViolations.ColumnsOf((DbException)FirstDbException(exception)!);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Conflict.",
                Detail = "Another request stored a record with the same key at the same moment; nothing of this request was stored. " +
                         "Read the current record, then repeat the request if it is still needed.",
            };
            problem.Extensions["field"] = columns is { Count: > 0 } ? JsonNamingPolicy.CamelCase.ConvertName(columns[^1]) : "body";
        }
        else
        {
            log.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "An unexpected error occurred.",
                Detail = "The server failed to process the request. Nothing acknowledged was lost; the error has been logged.",
            };
        }
        await Problems.WriteAsync(problems, context, problem, exception);
        return true;
    }

    private static Exception? FirstDbException(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is DbException) return e;
        return null;
    }

    /// <summary>
    /// An error status set without a body (by Kestrel or routing) gets a problem+json that says what went wrong in words.
    /// </summary>
    public static async Task StatusCodePageAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts (Limits__MaxRequestBodyKilobytes); nothing was stored.",
            StatusCodes.Status404NotFound => $"There is no endpoint {http.Request.Method} {http.Request.Path}; the endpoints are listed at /swagger.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}; the endpoints are listed at /swagger.",
            StatusCodes.Status415UnsupportedMediaType => AcceptedTypes(http) is { Count: > 0 } types
                ? $"{http.Request.Method} {http.Request.Path} takes a body of Content-Type {string.Join(" or ", types)} (see /swagger)."
                : "The request body must be JSON (Content-Type: application/json), or text/csv where the endpoint also takes it (see /swagger).",
            _ => null,
        };
        var problem = new ProblemDetails { Status = status, Detail = detail };
        // As for a 415 found while reading the body: the part of the request at fault.
        if (status == StatusCodes.Status415UnsupportedMediaType) problem.Extensions["field"] = "Content-Type";
        await Problems.WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http, problem);
    }

    /// <summary>
    /// The media types the endpoint at the request's path and method declares it takes (its Accepts): routing answers a body of
    /// another type with a bare 415 and no longer says which endpoint it matched, so its types are looked up here to name them.
    /// </summary>
    private static List<string> AcceptedTypes(HttpContext http)
    {
        var endpoints = http.RequestServices.GetService<EndpointDataSource>()?.Endpoints ?? [];
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || !methods.HttpMethods.Contains(http.Request.Method)) continue;
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not { ContentTypes.Count: > 0 } accepts) continue;
            var matcher = new TemplateMatcher(TemplateParser.Parse(endpoint.RoutePattern.RawText ?? ""), new RouteValueDictionary());
            if (matcher.TryMatch(http.Request.Path, new RouteValueDictionary())) return [.. accepts.ContentTypes];
        }
        return [];
    }

    /// <summary>
    /// The 400 for a body an endpoint reads itself (because it also takes another media type) that is not JSON of the
    /// expected shape: the same words and the same field as when the framework reads the body.
    /// </summary>
    public static IResult MalformedJson(JsonException json) =>
        Results.Problem(detail: Describe(json), statusCode: StatusCodes.Status400BadRequest, title: "The request is malformed.",
            extensions: new Dictionary<string, object?> { ["field"] = FieldOf(json) });

    /// <summary>The JSON path of the value that could not be read, or "body" when the body as a whole is not JSON.</summary>
    private static string FieldOf(JsonException json) => json.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body";

    private static string Describe(JsonException json) => json.Path is { Length: > 1 } path
        ? $"The field '{path.TrimStart('$', '.')}' has a value that cannot be read (wrong type, impossible date or malformed JSON). {Clean(json.Message)}"
        : $"The request body is not valid JSON. {Clean(json.Message)}";

    private static string Describe(BadHttpRequestException bad) => bad.InnerException switch
    {
        JsonException json => Describe(json),
        _ when bad.Message.Contains("body was empty", StringComparison.OrdinalIgnoreCase) || bad.Message.Contains("Implicit body", StringComparison.OrdinalIgnoreCase) =>
            "A JSON request body is required.",
        _ when bad.StatusCode == StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        _ when bad.StatusCode == StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts (Limits__MaxRequestBodyKilobytes); nothing was stored.",
        _ => bad.Message,
    };

    private static string Clean(string message)
    {
        // System.Text.Json appends its own path and position hints, and names .NET types; a
        // client needs the expected kind of value instead.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        if (UnknownMember().Match(text) is { Success: true } unknown) return UnknownField(unknown.Groups["field"].Value, unknown.Groups["type"].Value);
        // The reader's advice ("Change the reader options.") is for the server's code, not for the client.
        text = text.Replace(" Change the reader options.", "", StringComparison.Ordinal);
        var typeAt = text.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (typeAt < 0) return text;
        var type = text[(typeAt + "could not be converted to ".Length)..].TrimEnd('.');
        return "Expected " + Expected(type) + ".";
    }

    /// <summary>"unknown field 'actualDat'; the fields are actualDate, reason": in the API's terms, with the request's own fields.</summary>
    private static string UnknownField(string field, string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
        var fields = type?.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Select(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false).OfType<System.Text.Json.Serialization.JsonPropertyNameAttribute>()
                .FirstOrDefault()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToList();
        return fields is { Count: > 0 }
            ? $"Unknown field '{field}'; the fields are {string.Join(", ", fields)}."
            : $"Unknown field '{field}'.";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"The JSON property '(?<field>.*?)' could not be mapped to any \.NET member contained in type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex UnknownMember();

    private static string Expected(string type) =>
        type.Contains("DateOnly", StringComparison.Ordinal) ? "a calendar date written yyyy-MM-dd, such as 2026-03-01"
        : type.Contains("DateTime", StringComparison.Ordinal) ? "an ISO-8601 instant in UTC, such as 2026-03-01T09:30:00Z"
        : type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number"
        : type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Double", StringComparison.Ordinal) ? "a number"
        : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
        : type.Contains("String", StringComparison.Ordinal) ? "a text value"
        : type.Contains("[]", StringComparison.Ordinal) || type.Contains("List", StringComparison.Ordinal) ? "a JSON array"
        // Constructor-bound records report the record, not the field, so name every format.
        : "a value of the documented type: dates as yyyy-MM-dd (2026-03-01), instants as ISO-8601 UTC (2026-03-01T09:30:00Z), numbers as JSON numbers, true or false for flags";
}
