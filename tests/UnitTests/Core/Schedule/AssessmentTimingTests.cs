using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using static Trial.Tests.Core.Schedule.ScheduleTestData;

namespace Trial.Tests.Core.Schedule;

[TestFixture]
public class AssessmentTimingTests
{
    private static readonly VisitDefinition Inf2 = Protocol.FindVisit("INF2")!;
    private static readonly VisitDefinition FuD14 = Protocol.FindVisit("FU-D14")!;

    // INF2 given on 2026-03-05, its target; window 03-04..03-06.
    private static AssessmentTimingResult Infusion(string timepoint, string administered, string visitDate = "2026-03-05") =>
        AssessmentTiming.Check(Protocol, Inf2, timepoint, D(visitDate), D("2026-03-04"), D("2026-03-06"), D(administered));

    // FU-D14 recorded on 2026-03-19, its target; window 03-17..03-21.
    private static AssessmentTimingResult FollowUp(string administered) =>
        AssessmentTiming.Check(Protocol, FuD14, null, D("2026-03-19"), D("2026-03-17"), D("2026-03-21"), D(administered));

    [TestCase("pre")]
    [TestCase("t40")]
    [TestCase("t120")]
    [TestCase("t240")]
    public void Check_InfusionTimepointOnTheDayOfTheInfusion_AcceptedInWindow(string timepoint)
    {
        Assert.That(Infusion(timepoint, "2026-03-05"), Is.EqualTo(new AssessmentTimingResult(null, false)));
    }

    [TestCase("2026-03-04", Description = "the day before, inside the visit's window")]
    [TestCase("2026-03-06", Description = "the day after, inside the visit's window")]
    public void Check_InfusionTimepointOnAnotherDay_RefusedEvenInsideTheWindow(string administered)
    {
        var result = Infusion("t120", administered);

        Assert.That(result.Refusal, Does.Contain(administered).And.Contain("2026-03-05"));
    }

    [Test]
    public void Check_InfusionTimepointTheDayAfter_RefusalNamesTheTimepointVisitAndBothDates()
    {
        Assert.That(Infusion("t240", "2026-03-06").Refusal, Is.EqualTo(
            "The t240 assessment of INF2 (Infusion 2) is dated 2026-03-06, but infusion timepoints are measured on the day of the infusion, 2026-03-05."));
    }

    [Test]
    public void Check_InfusionGivenOutsideItsWindow_SameDayAcceptedAndFlaggedOutOfWindow()
    {
        // INF2 given on 03-08, two days after its window closed (a deviation the schedule flags): its timepoints are
        // still taken that day, and are out of window with it.
        Assert.That(Infusion("pre", "2026-03-08", visitDate: "2026-03-08"), Is.EqualTo(new AssessmentTimingResult(null, true)));
    }

    [TestCase("2026-03-17", Description = "first day of the window")]
    [TestCase("2026-03-19", Description = "the visit's own date")]
    [TestCase("2026-03-21", Description = "last day of the window")]
    public void Check_OutsideInfusionTimepointsWithinTheWindow_AcceptedInWindow(string administered)
    {
        Assert.That(FollowUp(administered), Is.EqualTo(new AssessmentTimingResult(null, false)));
    }

    [TestCase("2026-03-16", Description = "the day before the window opens")]
    [TestCase("2026-03-22", Description = "the day after the window closes")]
    public void Check_OutsideInfusionTimepointsOutsideTheWindow_AcceptedButFlaggedOutOfWindow(string administered)
    {
        Assert.That(FollowUp(administered), Is.EqualTo(new AssessmentTimingResult(null, true)));
    }

    [Test]
    public void Check_NoTimepointAtAnInfusionVisit_JudgedByTheWindowOnly()
    {
        // E.g. an unscheduled rating at an infusion visit without a timepoint: not held to the infusion day.
        var result = AssessmentTiming.Check(Protocol, Inf2, null, D("2026-03-05"), D("2026-03-04"), D("2026-03-06"), D("2026-03-06"));

        Assert.That(result, Is.EqualTo(new AssessmentTimingResult(null, false)));
    }

    [Test]
    public void Check_TimepointNotInTheProtocol_RefusedNamingIt()
    {
        Assert.That(Infusion("t60", "2026-03-05").Refusal, Does.Contain("'t60'").And.Contain("pre, t40, t120, t240"));
    }

    [Test]
    public void Check_WindowEndsBeforeItStarts_Throws()
    {
        Assert.That(() => AssessmentTiming.Check(Protocol, FuD14, null, D("2026-03-19"), D("2026-03-21"), D("2026-03-17"), D("2026-03-19")),
            Throws.ArgumentException);
    }
}
