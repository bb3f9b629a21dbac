namespace Trial.Application;

/// <summary>Collects field errors while an input is checked; <see cref="ToRefusal"/> gives them as one 422 refusal.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>How many messages have been added, so a part of a check can tell whether it added any.</summary>
    public int Count => _errors.Values.Sum(e => e.Count);

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
        var utc = value.Value.ToUniversalTime();
        if (!AcceptedDates.Contains(utc))
        {
            Add(field, $"{what} must be {AcceptedDates.Range}; got {utc:yyyy-MM-dd}.");
            return null;
        }
        return utc;
    }

    /// <summary>
    /// Adds an error when <paramref name="value"/> has more than <paramref name="decimals"/> decimal places (see
    /// <see cref="Trial.Core.Protocol.RecordedDecimals"/>): it is refused rather than stored rounded.
    /// </summary>
    public void Decimals(decimal? value, int decimals, string field, string what)
    {
        if (value is { } v && v != Math.Round(v, decimals))
            Add(field, $"{what} is recorded with at most {decimals} decimal places; got {v}.");
    }

    public Invalid ToRefusal() =>
        new(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            _errors.Count == 1 && _errors.First().Value.Count == 1 ? _errors.First().Value[0] : "One or more fields are invalid; nothing was stored.");
}
