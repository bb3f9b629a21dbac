using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Trial.Application;

namespace Trial.Api.Infrastructure;

/// <summary>
/// Reads every date in a request body as the default converter does and refuses one outside <see cref="AcceptedDates"/>:
/// the refusal is the 400 problem+json of any unreadable value, naming the field (see <see cref="ErrorHandling"/>).
/// Written as the default converter writes (yyyy-MM-dd).
/// </summary>
public sealed class AcceptedDateOnlyConverter : JsonConverter<DateOnly>
{
    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // An unreadable value throws without a message, so the serializer's own words (and the field) are reported.
        if (reader.TokenType != JsonTokenType.String
            || !DateOnly.TryParseExact(reader.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new JsonException();
        }

        if (!AcceptedDates.Contains(date)) throw new JsonException($"Dates must be {AcceptedDates.Range}; got {date:yyyy-MM-dd}.");
        return date;
    }

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}

/// <summary>The same for instants: read as the default converter reads them, refused when their date is outside the range.</summary>
public sealed class AcceptedDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var instant)) throw new JsonException();
        if (!AcceptedDates.Contains(instant.Kind == DateTimeKind.Unspecified ? instant : instant.ToUniversalTime()))
            throw new JsonException($"Dates must be {AcceptedDates.Range}; got {instant:yyyy-MM-dd}.");
        return instant;
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
