using System.Text;

namespace Trial.Api.Infrastructure;

/// <summary>A response written once to memory, so it can be stored with the write and sent again to a retry.</summary>
public sealed class CapturedResponse(int statusCode, string? contentType, string? location, string? etag, string? body, bool replayed = false)
    : IResult, IStatusCodeHttpResult
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    public int StatusCode { get; } = statusCode;

    /// <summary>The stored answer to an earlier request with the same Idempotency-Key, not this request's own write.</summary>
    public bool Replayed { get; } = replayed;
    public string? ContentType { get; } = contentType;
    public string? Location { get; } = location;
    public string? ETag { get; } = etag;
    public string? Body { get; } = body;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public static async Task<CapturedResponse> CaptureAsync(IResult result, HttpContext http)
    {
        var buffer = new DefaultHttpContext { RequestServices = http.RequestServices };
        using var body = new MemoryStream();
        buffer.Response.Body = body;
        await result.ExecuteAsync(buffer);
        var response = buffer.Response;
        return new CapturedResponse(response.StatusCode, response.ContentType, NullIfEmpty(response.Headers.Location), NullIfEmpty(response.Headers.ETag),
            body.Length == 0 ? null : Encoding.UTF8.GetString(body.ToArray()));
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCode;
        if (Location is not null) http.Response.Headers.Location = Location;
        if (ETag is not null) http.Response.Headers.ETag = ETag;
        if (Replayed) http.Response.Headers[ReplayedHeader] = "true";
        if (Body is null) return;
        http.Response.ContentType = ContentType ?? "application/json; charset=utf-8";
        await http.Response.WriteAsync(Body, Encoding.UTF8);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
