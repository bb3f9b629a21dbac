using NUnit.Framework;
using Trial.Core.Schedule;
using static Trial.Tests.Core.Schedule.ScheduleTestData;

namespace Trial.Tests.Core.Schedule;

[TestFixture]
public class WorklistTests
{
    private static readonly DateOnly Today = D("2026-03-10");

    private static ScheduledVisit Visit(string code, string target, string start, string end,
        bool provisional = false, string status = VisitStatuses.Scheduled) =>
        new(code, code, "infusion", D(target), D(start), D(end), provisional, status,
            status == VisitStatuses.Done ? D(target) : null, status == VisitStatuses.Done ? true : null);

    private static IReadOnlyList<string> Codes(IReadOnlyList<DueVisit> due) => due.Select(d => d.Visit.VisitCode).ToList();

    // --- selection ---

    [Test]
    public void Select_WindowStartsOnLastDayOfHorizon_Included()
    {
        var due = Worklist.Select([Visit("A", "2026-03-18", "2026-03-17", "2026-03-19")], Today, 7);

        Assert.That(Codes(due), Is.EqualTo(new[] { "A" }));
    }

    [Test]
    public void Select_WindowStartsDayAfterHorizon_Excluded()
    {
        var due = Worklist.Select([Visit("A", "2026-03-19", "2026-03-18", "2026-03-20")], Today, 7);

        Assert.That(due, Is.Empty);
    }

    [Test]
    public void Select_WindowClosesToday_IncludedWithZeroDaysLeft()
    {
        var due = Worklist.Select([Visit("A", "2026-03-09", "2026-03-08", "2026-03-10")], Today, 7);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Codes(due), Is.EqualTo(new[] { "A" }));
            Assert.That(due[0].DaysLeft, Is.Zero);
        }
    }

    [Test]
    public void Select_WindowClosedYesterday_Excluded()
    {
        var due = Worklist.Select([Visit("A", "2026-03-08", "2026-03-07", "2026-03-09")], Today, 7);

        Assert.That(due, Is.Empty);
    }

    [Test]
    public void Select_ZeroDays_OnlyWindowsOpenToday()
    {
        var due = Worklist.Select(
            [Visit("OPEN", "2026-03-10", "2026-03-09", "2026-03-11"), Visit("TOMORROW", "2026-03-12", "2026-03-11", "2026-03-13")],
            Today, 0);

        Assert.That(Codes(due), Is.EqualTo(new[] { "OPEN" }));
    }

    [TestCase(true, VisitStatuses.Scheduled, Description = "provisional")]
    [TestCase(false, VisitStatuses.Done, Description = "done")]
    [TestCase(false, VisitStatuses.Missed, Description = "missed")]
    public void Select_ProvisionalDoneOrMissed_Excluded(bool provisional, string status)
    {
        var due = Worklist.Select([Visit("A", "2026-03-10", "2026-03-09", "2026-03-11", provisional, status)], Today, 7);

        Assert.That(due, Is.Empty);
    }

    [Test]
    public void Select_NegativeDays_Throws()
    {
        Assert.That(() => Worklist.Select([], Today, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    // --- urgency and days left ---

    [TestCase("2026-03-09", "2026-03-08", "2026-03-11", Urgencies.Overdue, 1, Description = "past target, window open")]
    [TestCase("2026-03-10", "2026-03-09", "2026-03-11", Urgencies.InWindow, 1, Description = "target is today")]
    [TestCase("2026-03-11", "2026-03-10", "2026-03-12", Urgencies.InWindow, 2, Description = "window opens today")]
    [TestCase("2026-03-12", "2026-03-11", "2026-03-13", Urgencies.Upcoming, 3, Description = "window opens tomorrow")]
    public void Select_TargetAndWindowAroundToday_UrgencyAndDaysUntilWindowCloses(string target, string start, string end, string expectedUrgency, int expectedDaysLeft)
    {
        var due = Worklist.Select([Visit("A", target, start, end)], Today, 7);

        Assert.That(due, Has.Count.EqualTo(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(due[0].Urgency, Is.EqualTo(expectedUrgency));
            Assert.That(due[0].DaysLeft, Is.EqualTo(expectedDaysLeft));
        }
    }

    // --- sort ---

    [Test]
    public void Select_SeveralDue_SortedByDaysLeftThenTargetThenCode()
    {
        ScheduledVisit[] schedule =
        [
            Visit("LATE", "2026-03-14", "2026-03-12", "2026-03-16"),   // 6 days left
            Visit("B", "2026-03-12", "2026-03-11", "2026-03-13"),      // 3 days left, target 03-12
            Visit("A", "2026-03-12", "2026-03-11", "2026-03-13"),      // 3 days left, target 03-12
            Visit("EARLY", "2026-03-11", "2026-03-09", "2026-03-13"),  // 3 days left, target 03-11
            Visit("NOW", "2026-03-10", "2026-03-10", "2026-03-10"),    // 0 days left
        ];

        var due = Worklist.Select(schedule, Today, 7);

        Assert.That(Codes(due), Is.EqualTo(new[] { "NOW", "EARLY", "A", "B", "LATE" }));
    }

    // --- with a real schedule ---

    [Test]
    public void Select_DayAfterInf1_Post24InWindowAndInf2Upcoming()
    {
        // INF1 2026-03-02. On 03-03: BL's window closed (missed), POST24 03-03..03-04, INF2 03-04..03-06,
        // INF3 opens 03-08 (beyond 03-03 + 3), follow-ups provisional.
        var schedule = ScheduleCalculator.Build(Protocol, Input("INF1", "2026-03-02"), D("2026-03-03"));

        var due = Worklist.Select(schedule, D("2026-03-03"), 3);

        Assert.That(due, Is.EqualTo(new[]
        {
            new DueVisit(schedule.Visit("POST24"), 1, Urgencies.InWindow),
            new DueVisit(schedule.Visit("INF2"), 3, Urgencies.Upcoming),
        }));
    }
}
