using System.Diagnostics;
using NUnit.Framework;

namespace Trial.Tests;

/// <summary>The tests' one bounded wait, for background work (Hangfire jobs, sweeps, a restarted process) a test cannot await directly.</summary>
internal static class Eventually
{
    /// <summary>How long background work may take before a test calls it lost, unless the test says otherwise.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test naming <paramref name="what"/> once <paramref name="within"/> (default <see cref="Bound"/>) has passed.</summary>
    public static Task<TimeSpan> HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null) =>
        HoldsAsync(condition, () => $"Timed out waiting for: {what}", within ?? Bound);

    /// <summary>As above, with the failure message built when the wait runs out (to show the state that was still waiting). Returns how long it took.</summary>
    public static async Task<TimeSpan> HoldsAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > within) Assert.Fail(failure());
            await Task.Delay(PollEvery);
        }
        return watch.Elapsed;
    }
}
