using Microsoft.AspNetCore.Mvc;
using Trial.Application;

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

    /// <summary>A use case's refusal as the problem+json the contract gives it: the same status codes and words everywhere.</summary>
    public static IResult ToResult(this Refusal refusal) => refusal switch
    {
        NotFound r => NotFound(r.Detail),
        Forbidden r => Forbidden(r.Detail),
        Conflict r => Conflict(r.Detail, r.Extensions is null ? null : new Dictionary<string, object?>(r.Extensions)),
        Invalid r => Validation(new Dictionary<string, string[]>(r.Errors), r.Detail),
        VersionRequired r => Results.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required.",
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-3", detail: r.Detail),
        VersionStale r => Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: $"The {r.What} has changed.", detail: r.Detail),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "A refusal of a kind the API does not answer."),
    };

    /// <summary>The field errors collected while a request was checked, as one 422.</summary>
    public static IResult ToResult(this FieldErrors errors) => errors.ToRefusal().ToResult();
}
