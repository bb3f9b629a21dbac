namespace Trial.Api.Infrastructure;

/// <summary>Endpoint metadata: besides its JSON, the endpoint answers 200 with one printable text/html page when the caller asks for it.</summary>
public sealed class ProducesPrintableHtml;

public static class HtmlResponses
{
    public static RouteHandlerBuilder ProducesHtml(this RouteHandlerBuilder builder) => builder.WithMetadata(new ProducesPrintableHtml());
}
