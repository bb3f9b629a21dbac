using NUnit.Framework;
using Trial.Core.Schedule;
using static Trial.Tests.Core.Schedule.ScheduleTestData;

namespace Trial.Tests.Core.Schedule;

/// <summary>A withdrawn participant's plan: what happened stays, what was missed before stays missed, nothing after is planned or missed.</summary>
public class WithdrawalScheduleTests
{
    [Test]
    public void Build_WithdrawnAfterInf2_VisitsStillToComeLeaveThePlanAndNoneIsMissed()
    {
        var input = Input("BL", "2026-02-27", "INF1", "2026-03-02", "POST24", "2026-03-03", "INF2", "2026-03-05") with { WithdrawnDate = D("2026-03-06") };

        // Months later every window has closed; none of the later visits counts as missed.
        var schedule = ScheduleCalculator.Build(Protocol, input, D("2026-12-01"));

        Assert.That(schedule.Select(v => v.VisitCode), Is.EqualTo(new[] { "SCR", "BL", "INF1", "POST24", "INF2" }));
        Assert.That(schedule.Where(v => v.Status == VisitStatuses.Missed), Is.Empty);
    }

    [Test]
    public void Build_VisitMissedBeforeWithdrawal_StaysMissed()
    {
        // POST24's window (03-03 to 03-04) closed before the withdrawal on 03-06; INF2's (03-04 to 03-06) had not.
        var input = Input("INF1", "2026-03-02") with { WithdrawnDate = D("2026-03-06") };

        var schedule = ScheduleCalculator.Build(Protocol, input, D("2026-03-20"));

        Assert.That(schedule.Visit("POST24").Status, Is.EqualTo(VisitStatuses.Missed));
        Assert.That(schedule.Select(v => v.VisitCode), Does.Not.Contain("INF2").And.Not.Contain("FU-D7"));
    }

    [Test]
    public void Build_NotWithdrawn_LaterVisitsAreMissedAsBefore()
    {
        var schedule = ScheduleCalculator.Build(Protocol, Input("INF1", "2026-03-02"), D("2026-03-20"));

        Assert.That(schedule.Visit("INF2").Status, Is.EqualTo(VisitStatuses.Missed));
    }
}
