using System.Globalization;
using Trial.Core.Protocol;
using Trial.Core.Schedule;

namespace Trial.Tests.Core.Schedule;

/// <summary>
/// Shared fixtures. The participant is enrolled on 2026-02-16; with the default protocol's
/// 14-day planning delay INF1 is planned for 2026-03-02, and most tests also give INF1 on
/// 2026-03-02 so the hand-computed dates read the same as the protocol table.
/// </summary>
internal static class ScheduleTestData
{
    public static readonly ProtocolDefinition Protocol = ProtocolLoader.LoadDefault();

    public static readonly DateOnly Enrolled = D("2026-02-16");

    public static DateOnly D(string isoDate) => DateOnly.ParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Pairs of visit code and ISO date, e.g. Input("INF1", "2026-03-02", "INF2", "2026-03-05").</summary>
    public static ScheduleInput Input(params string[] codeDatePairs) => Input(null, codeDatePairs);

    public static ScheduleInput Input(DateOnly? discontinued, params string[] codeDatePairs)
    {
        if (codeDatePairs.Length % 2 != 0)
            throw new ArgumentException("Visits are given as code/date pairs.", nameof(codeDatePairs));
        var visits = Enumerable.Range(0, codeDatePairs.Length / 2)
            .Select(i => new RecordedVisit(codeDatePairs[2 * i], D(codeDatePairs[2 * i + 1])))
            .ToList();
        return new ScheduleInput(Enrolled, visits, discontinued);
    }

    public static ScheduledVisit Visit(this IReadOnlyList<ScheduledVisit> schedule, string code) =>
        schedule.SingleOrDefault(v => v.VisitCode == code)
        ?? throw new InvalidOperationException($"{code} is not in the schedule ({string.Join(", ", schedule.Select(v => v.VisitCode))}).");
}
