namespace Trial.Tests;

/// <summary>
/// The tests' one builder of item lists, so each test states only the numbers that matter to it: generic lists
/// (filled, with a given sum, with one item changed) and lists of each instrument that score to chosen values.
/// </summary>
internal static class ItemBuilder
{
    public static decimal?[] Filled(int count, decimal value) => Enumerable.Repeat<decimal?>(value, count).ToArray();

    /// <summary>
    /// <paramref name="answered"/> answered items (the rest, at the end, null) whose values add up to
    /// <paramref name="sum"/>, filled greedily with <paramref name="max"/> from the first item on.
    /// </summary>
    public static decimal?[] WithSum(int count, int answered, int max, int sum)
    {
        if (sum > answered * max)
            throw new ArgumentOutOfRangeException(nameof(sum), sum, "Sum cannot be reached with these items.");

        var items = new decimal?[count];
        var remaining = sum;
        for (var i = 0; i < answered; i++)
        {
            var value = Math.Min(max, remaining);
            items[i] = value;
            remaining -= value;
        }
        return items;
    }

    /// <summary>A copy of <paramref name="items"/> with item <paramref name="itemNumber"/> (1-based) set to <paramref name="value"/>.</summary>
    public static decimal?[] With(decimal?[] items, int itemNumber, decimal? value)
    {
        var copy = (decimal?[])items.Clone();
        copy[itemNumber - 1] = value;
        return copy;
    }

    /// <summary>A complete MADRS with item 10 as given and items 1–9 spread evenly to make <paramref name="total"/>.</summary>
    public static decimal?[] Madrs(int total, int item10) => Spread(10, total - item10, 9, (10, item10));

    /// <summary>A complete BSL-23 with every item <paramref name="fill"/> except those set.</summary>
    public static decimal?[] Bsl(int fill, params (int Item, int Value)[] set) => Fill(23, fill, set);

    /// <summary>A complete CADSS whose 23 items add up to <paramref name="total"/>.</summary>
    public static decimal?[] Cadss(int total) => Spread(23, total, 23);

    /// <summary>A complete BPRS with every item 1 (not present) except those set.</summary>
    public static decimal?[] Bprs(params (int Item, int Value)[] set) => Fill(18, 1, set);

    /// <summary>A complete 5D-ASC, every item 15.</summary>
    public static decimal?[] Asc5D() => Fill(94, 15);

    private static decimal?[] Fill(int count, int value, params (int Item, int Value)[] set)
    {
        var items = Filled(count, value);
        foreach (var (item, v) in set) items[item - 1] = v;
        return items;
    }

    // The first `over` items share `sum` as evenly as possible; the set items then override.
    private static decimal?[] Spread(int count, int sum, int over, params (int Item, int Value)[] set)
    {
        var items = new decimal?[count];
        for (var i = 0; i < over; i++) items[i] = sum / over + (i < sum % over ? 1 : 0);
        for (var i = over; i < count; i++) items[i] = 0;
        foreach (var (item, v) in set) items[item - 1] = v;
        return items;
    }
}
