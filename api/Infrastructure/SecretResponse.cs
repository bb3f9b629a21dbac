using System.Text.Json;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Marks an endpoint whose successful response holds a secret (a new token) or arm data (an unblinding, a preparation).
/// The idempotency store keeps responses for a day and goes into every backup, so for such an endpoint it keeps only that
/// the request was carried out: a retry with the same Idempotency-Key gets 409 problem+json saying so, with the record's
/// Location and, in <see cref="Guidance"/>, where the caller may read what they are entitled to.
/// </summary>
public sealed record SecretResponse(string What, string Guidance)
{
    /// <summary>What is stored in place of the response: the outcome without the secret.</summary>
    public CapturedResponse Withheld(CapturedResponse first)
    {
        var problem = new Dictionary<string, object?>
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
            ["title"] = "This request was already carried out.",
            ["status"] = StatusCodes.Status409Conflict,
            ["detail"] = $"This request succeeded on its first try ({first.StatusCode}); its response held {What}, which is not kept for retries. {Guidance}",
            ["field"] = Idempotency.Header,
            ["location"] = first.Location,
        };
        return new CapturedResponse(StatusCodes.Status409Conflict, "application/problem+json", first.Location, null, JsonSerializer.Serialize(problem));
    }
}
