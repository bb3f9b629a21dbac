using NUnit.Framework;

// The fast tests share nothing (each fixture has its own database file, clock and data), so fixtures run side by side,
// one per core: the property tests of Core take most of the time and no longer hold up the rest.
[assembly: Parallelizable(ParallelScope.Fixtures)]
