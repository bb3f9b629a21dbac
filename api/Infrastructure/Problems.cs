using Microsoft.AspNetCore.Mvc;

namespace Trial.Api.Infrastructure;

/// <summary>RFC 9457 problem+json responses with messages a clinician can act on.</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors, string detail = "One or more fields are invalid; nothing was stored.") =>
        Results.ValidationProblem(errors, detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The request could not be accepted.");

    public static IResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] }, message);

    public static IResult NotFound(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static IResult Forbidden(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.");

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.", extensions: extensions);

    public static IResult BadRequest(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is malformed.");

    public static ProblemDetails Example(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    /// <summary>Writes a problem from middleware or an authentication handler, where there is no endpoint result to return; the status code is set too.</summary>
    public static Task WriteAsync(IProblemDetailsService problems, HttpContext http, int status, string title, string detail) =>
        WriteAsync(problems, http, new ProblemDetails { Status = status, Title = title, Detail = detail });

    /// <summary>
    /// Writes <paramref name="problem"/> as problem+json whatever the request accepts: the framework's writer declines a request
    /// that accepts neither JSON nor problem+json (a browser asking for text/html), and a refusal must never become a 500.
    /// </summary>
    public static async Task WriteAsync(IProblemDetailsService problems, HttpContext http, ProblemDetails problem, Exception? exception = null)
    {
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception })) return;
        await http.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }
}

/// <summary>Collects field errors while a request body is checked.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>Adds "<paramref name="field"/> is required" when the value is missing, and returns the value.</summary>
    public T? Required<T>(T? value, string field, string? what = null)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s)) Add(field, $"{what ?? field} is required.");
        return value;
    }

    /// <summary>
    /// An instant must say which time zone it is in (Z or an offset): a bare local time would be
    /// read in the server's zone and silently shift a clinical record. Returns it in UTC.
    /// </summary>
    public DateTime? Instant(DateTime? value, string field, string what, bool required = true)
    {
        if (value is null)
        {
            if (required) Add(field, $"{what} is required.");
            return null;
        }
        if (value.Value.Kind == DateTimeKind.Unspecified)
        {
            Add(field, $"{what} must state its time zone: end it with Z for UTC (e.g. 2026-03-01T09:30:00Z) or give an offset such as +01:00.");
            return null;
        }
        return value.Value.ToUniversalTime();
    }

    public IResult ToResult() =>
        Problems.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            _errors.Count == 1 && _errors.First().Value.Count == 1 ? _errors.First().Value[0] : "One or more fields are invalid; nothing was stored.");
}
