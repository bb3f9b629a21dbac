namespace Trial.Tests.Core.Instruments;

/// <summary>Builds item lists for tests so each test states only the numbers that matter to it.</summary>
internal static class TestItems
{
    public static decimal?[] Filled(int count, decimal value) => Enumerable.Repeat<decimal?>(value, count).ToArray();

    /// <summary>
    /// <paramref name="answered"/> answered items (the rest, at the end, null) whose values add up to
    /// <paramref name="sum"/>, filled greedily with <paramref name="max"/> from the first item on.
    /// </summary>
    public static decimal?[] WithSum(int count, int answered, int max, int sum)
    {
        if (sum > answered * max)
        {
            throw new ArgumentOutOfRangeException(nameof(sum), sum, "Sum cannot be reached with these items.");
        }

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

    public static decimal?[] With(decimal?[] items, int itemNumber, decimal? value)
    {
        var copy = (decimal?[])items.Clone();
        copy[itemNumber - 1] = value;
        return copy;
    }
}
