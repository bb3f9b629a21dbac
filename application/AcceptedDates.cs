namespace Trial.Application;

/// <summary>
/// The dates the system takes in: 1900-01-01 to 2200-12-31. Anything outside is a typing error (0001-01-01 is what an
/// empty date becomes in some clients), and date arithmetic on it (a visit window, a reporting clock) would leave the
/// calendar; refusing it at the door keeps every later step inside it.
/// </summary>
public static class AcceptedDates
{
    public static readonly DateOnly Earliest = new(1900, 1, 1);
    public static readonly DateOnly Latest = new(2200, 12, 31);

    public const string Range = "between 1900-01-01 and 2200-12-31";

    public static bool Contains(DateOnly date) => date >= Earliest && date <= Latest;

    /// <summary>An instant is accepted when its UTC date is (instants here are UTC; one with an offset was converted when read).</summary>
    public static bool Contains(DateTime instant) => Contains(DateOnly.FromDateTime(instant));

    /// <summary>Adds an error naming <paramref name="field"/> when a query's instant is outside the range.</summary>
    public static void Check(DateTime? instant, string field, FieldErrors errors)
    {
        if (instant is { } value && !Contains(value)) errors.Add(field, $"{field} must be {Range}; got {value:yyyy-MM-dd}.");
    }
}
