using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Schedule;
using static Trial.Tests.Core.Schedule.ScheduleTestData;

namespace Trial.Tests.Core.Schedule;

[TestFixture]
public class ScheduleCalculatorTests
{
    private static readonly string[] FollowUpCodes = ["FU-D7", "FU-D14", "FU-D28", "FU-M3", "FU-M6"];

    private static IReadOnlyList<ScheduledVisit> Build(ScheduleInput input, string today) =>
        ScheduleCalculator.Build(Protocol, input, D(today));

    // --- order and shape ---

    [Test]
    public void Build_AnyInput_ReturnsEveryVisitInProtocolOrder()
    {
        var schedule = Build(Input(), "2026-02-16");

        Assert.That(schedule.Select(v => v.VisitCode),
            Is.EqualTo(new[] { "SCR", "BL", "INF1", "POST24", "INF2", "INF3", "INF4", "FU-D7", "FU-D14", "FU-D28", "FU-M3", "FU-M6" }));
    }

    // --- screening ---

    [Test]
    public void Build_NoScreeningRecorded_ScreeningDoneOnEnrolmentDate()
    {
        var schedule = Build(Input(), "2026-02-16");

        Assert.That(schedule.Visit("SCR"), Is.EqualTo(new ScheduledVisit("SCR", "Screening", "screening",
            D("2026-02-16"), D("2026-02-16"), D("2026-02-16"), false, VisitStatuses.Done, D("2026-02-16"), true)));
    }

    [Test]
    public void Build_ScreeningDateRecorded_ScreeningDoneOnRecordedDate()
    {
        var schedule = Build(Input("SCR", "2026-02-18"), "2026-03-01");

        Assert.That(schedule.Visit("SCR"), Is.EqualTo(new ScheduledVisit("SCR", "Screening", "screening",
            D("2026-02-18"), D("2026-02-18"), D("2026-02-18"), false, VisitStatuses.Done, D("2026-02-18"), true)));
    }

    // --- INF1 (unanchored) ---

    [Test]
    public void Build_Inf1NotRecorded_ProvisionalOnPlannedDateWithOneDayWindow()
    {
        var schedule = Build(Input(), "2026-02-16");

        Assert.That(schedule.Visit("INF1"), Is.EqualTo(new ScheduledVisit("INF1", "Infusion 1", "infusion",
            D("2026-03-02"), D("2026-03-02"), D("2026-03-02"), true, VisitStatuses.Scheduled, null, null)));
    }

    [Test]
    public void Build_Inf1RecordedLaterThanPlanned_TargetIsActualDateAndInWindow()
    {
        var schedule = Build(Input("INF1", "2026-03-04"), "2026-03-04");

        Assert.That(schedule.Visit("INF1"), Is.EqualTo(new ScheduledVisit("INF1", "Infusion 1", "infusion",
            D("2026-03-04"), D("2026-03-04"), D("2026-03-04"), false, VisitStatuses.Done, D("2026-03-04"), true)));
    }

    [Test]
    public void Build_ProtocolWithOtherPlanningDelay_Inf1PlannedFromThatDelay()
    {
        var protocol = Protocol with { Inf1PlannedDaysAfterEnrolment = 7 };

        var schedule = ScheduleCalculator.Build(protocol, Input(), D("2026-02-16"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF1").TargetDate, Is.EqualTo(D("2026-02-23")));
            Assert.That(schedule.Visit("INF2").TargetDate, Is.EqualTo(D("2026-02-26")));
        }
    }

    // --- visits anchored on INF1 ---

    [Test]
    public void Build_Inf1NotRecorded_VisitsAnchoredOnInf1AreProvisionalFromPlannedDate()
    {
        var schedule = Build(Input(), "2026-02-16");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("BL"), Is.EqualTo(new ScheduledVisit("BL", "Baseline", "baseline",
                D("2026-03-02"), D("2026-02-16"), D("2026-03-02"), true, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("POST24"), Is.EqualTo(new ScheduledVisit("POST24", "24 hours after infusion 1", "post-infusion",
                D("2026-03-03"), D("2026-03-03"), D("2026-03-04"), true, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("INF2"), Is.EqualTo(new ScheduledVisit("INF2", "Infusion 2", "infusion",
                D("2026-03-05"), D("2026-03-04"), D("2026-03-06"), true, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("INF3"), Is.EqualTo(new ScheduledVisit("INF3", "Infusion 3", "infusion",
                D("2026-03-09"), D("2026-03-08"), D("2026-03-10"), true, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("INF4"), Is.EqualTo(new ScheduledVisit("INF4", "Infusion 4", "infusion",
                D("2026-03-12"), D("2026-03-11"), D("2026-03-13"), true, VisitStatuses.Scheduled, null, null)));
        }
    }

    [Test]
    public void Build_Inf1Recorded_VisitsAnchoredOnInf1FollowItsActualDateAndAreFirm()
    {
        // INF1 two days after its planned 2026-03-02: everything anchored on it moves by two days.
        var schedule = Build(Input("INF1", "2026-03-04"), "2026-03-04");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("BL"), Is.EqualTo(new ScheduledVisit("BL", "Baseline", "baseline",
                D("2026-03-04"), D("2026-02-18"), D("2026-03-04"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("POST24"), Is.EqualTo(new ScheduledVisit("POST24", "24 hours after infusion 1", "post-infusion",
                D("2026-03-05"), D("2026-03-05"), D("2026-03-06"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("INF2"), Is.EqualTo(new ScheduledVisit("INF2", "Infusion 2", "infusion",
                D("2026-03-07"), D("2026-03-06"), D("2026-03-08"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("INF3"), Is.EqualTo(new ScheduledVisit("INF3", "Infusion 3", "infusion",
                D("2026-03-11"), D("2026-03-10"), D("2026-03-12"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("INF4"), Is.EqualTo(new ScheduledVisit("INF4", "Infusion 4", "infusion",
                D("2026-03-14"), D("2026-03-13"), D("2026-03-15"), false, VisitStatuses.Scheduled, null, null)));
        }
    }

    [TestCase("2026-03-03", Description = "early, out of window")]
    [TestCase("2026-03-06", Description = "last day of window")]
    [TestCase("2026-03-08", Description = "late, out of window")]
    public void Build_Inf2EarlyOrLate_Inf3AndInf4KeepInf1BasedTargets(string inf2Date)
    {
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", inf2Date), "2026-03-08");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF2").TargetDate, Is.EqualTo(D("2026-03-05")));
            Assert.That(schedule.Visit("INF3").TargetDate, Is.EqualTo(D("2026-03-09")));
            Assert.That(schedule.Visit("INF3").WindowStart, Is.EqualTo(D("2026-03-08")));
            Assert.That(schedule.Visit("INF3").WindowEnd, Is.EqualTo(D("2026-03-10")));
            Assert.That(schedule.Visit("INF4").TargetDate, Is.EqualTo(D("2026-03-12")));
            Assert.That(schedule.Visit("INF4").WindowStart, Is.EqualTo(D("2026-03-11")));
            Assert.That(schedule.Visit("INF4").WindowEnd, Is.EqualTo(D("2026-03-13")));
        }
    }

    // --- window edges (inclusive both ends) ---

    [TestCase("2026-03-03", false)]
    [TestCase("2026-03-04", true)]
    [TestCase("2026-03-06", true)]
    [TestCase("2026-03-07", false)]
    public void Build_Inf2AroundItsOneDayWindow_InWindowOnlyWithinBothEnds(string inf2Date, bool expectedInWindow)
    {
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", inf2Date), "2026-03-10");

        var inf2 = schedule.Visit("INF2");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inf2.Status, Is.EqualTo(VisitStatuses.Done));
            Assert.That(inf2.ActualDate, Is.EqualTo(D(inf2Date)));
            Assert.That(inf2.InWindow, Is.EqualTo(expectedInWindow));
        }
    }

    [TestCase("2026-03-02", false)]
    [TestCase("2026-03-03", true)]
    [TestCase("2026-03-04", true)]
    [TestCase("2026-03-05", false)]
    public void Build_Post24AroundItsZeroPlusOneWindow_InWindowOnlyWithinBothEnds(string post24Date, bool expectedInWindow)
    {
        var schedule = Build(Input("INF1", "2026-03-02", "POST24", post24Date), "2026-03-10");

        Assert.That(schedule.Visit("POST24").InWindow, Is.EqualTo(expectedInWindow));
    }

    [TestCase("2026-03-23", false)]
    [TestCase("2026-03-24", true)]
    [TestCase("2026-03-28", true)]
    [TestCase("2026-03-29", false)]
    public void Build_FuD14AroundItsTwoDayWindow_InWindowOnlyWithinBothEnds(string fuDate, bool expectedInWindow)
    {
        // Last infusion INF4 on 2026-03-12: FU-D14 target 2026-03-26, window 03-24..03-28.
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09", "INF4", "2026-03-12",
            "FU-D14", fuDate), "2026-04-01");

        var fu = schedule.Visit("FU-D14");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fu.TargetDate, Is.EqualTo(D("2026-03-26")));
            Assert.That(fu.Provisional, Is.False);
            Assert.That(fu.InWindow, Is.EqualTo(expectedInWindow));
        }
    }

    [Test]
    public void Build_BaselineOnFirstAndLastDayOfItsWindow_InWindow()
    {
        // INF1 on 2026-03-02: BL window 2026-02-16..2026-03-02.
        var first = Build(Input("BL", "2026-02-16", "INF1", "2026-03-02"), "2026-03-02").Visit("BL");
        var last = Build(Input("BL", "2026-03-02", "INF1", "2026-03-02"), "2026-03-02").Visit("BL");
        var after = Build(Input("BL", "2026-03-03", "INF1", "2026-03-02"), "2026-03-03").Visit("BL");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.InWindow, Is.True);
            Assert.That(last.InWindow, Is.True);
            Assert.That(after.InWindow, Is.False);
        }
    }

    // --- follow-ups (LAST_INFUSION) ---

    [Test]
    public void Build_AllInfusionsGiven_FollowUpsFirmFromLastInfusion()
    {
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09", "INF4", "2026-03-12"), "2026-03-12");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("FU-D7"), Is.EqualTo(new ScheduledVisit("FU-D7", "Follow-up day 7", "follow-up",
                D("2026-03-19"), D("2026-03-18"), D("2026-03-20"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-D14"), Is.EqualTo(new ScheduledVisit("FU-D14", "Follow-up day 14", "follow-up",
                D("2026-03-26"), D("2026-03-24"), D("2026-03-28"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-D28"), Is.EqualTo(new ScheduledVisit("FU-D28", "Follow-up day 28", "follow-up",
                D("2026-04-09"), D("2026-04-06"), D("2026-04-12"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-M3"), Is.EqualTo(new ScheduledVisit("FU-M3", "Follow-up month 3", "follow-up",
                D("2026-06-11"), D("2026-05-28"), D("2026-06-25"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-M6"), Is.EqualTo(new ScheduledVisit("FU-M6", "Follow-up month 6", "follow-up",
                D("2026-09-10"), D("2026-08-27"), D("2026-09-24"), false, VisitStatuses.Scheduled, null, null)));
        }
    }

    [Test]
    public void Build_LastInfusionOneDayLate_EveryFollowUpMovesOneDay()
    {
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09", "INF4", "2026-03-13"), "2026-03-13");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF4").InWindow, Is.True);
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-20")));
            Assert.That(schedule.Visit("FU-D14").TargetDate, Is.EqualTo(D("2026-03-27")));
            Assert.That(schedule.Visit("FU-D28").TargetDate, Is.EqualTo(D("2026-04-10")));
            Assert.That(schedule.Visit("FU-M3").TargetDate, Is.EqualTo(D("2026-06-12")));
            Assert.That(schedule.Visit("FU-M6").TargetDate, Is.EqualTo(D("2026-09-11")));
            Assert.That(schedule.Visit("FU-M6").WindowStart, Is.EqualTo(D("2026-08-28")));
            Assert.That(schedule.Visit("FU-M6").WindowEnd, Is.EqualTo(D("2026-09-25")));
            Assert.That(FollowUpCodes.Select(c => schedule.Visit(c).Provisional), Has.All.False);
        }
    }

    [Test]
    public void Build_NothingRecorded_FollowUpsProvisionalFromPlannedLastInfusion()
    {
        // INF1 planned 2026-03-02, so INF4 is expected on 2026-03-12.
        var schedule = Build(Input(), "2026-02-16");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("FU-D7"), Is.EqualTo(new ScheduledVisit("FU-D7", "Follow-up day 7", "follow-up",
                D("2026-03-19"), D("2026-03-18"), D("2026-03-20"), true, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-M6").TargetDate, Is.EqualTo(D("2026-09-10")));
            Assert.That(FollowUpCodes.Select(c => schedule.Visit(c).Provisional), Has.All.True);
        }
    }

    [Test]
    public void Build_Inf4StillExpected_FollowUpsProvisionalFromInf4Target()
    {
        // INF3 late (03-10); INF4 (target 03-12, window to 03-13) may still happen.
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-10"), "2026-03-13");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF4").Status, Is.EqualTo(VisitStatuses.Scheduled));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-19")));
            Assert.That(FollowUpCodes.Select(c => schedule.Visit(c).Provisional), Has.All.True);
        }
    }

    [Test]
    public void Build_Inf3MissedInf4StillExpected_FollowUpsProvisionalFromInf4Target()
    {
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "2026-03-11");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF3").Status, Is.EqualTo(VisitStatuses.Missed));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-19")));
            Assert.That(schedule.Visit("FU-D7").Provisional, Is.True);
        }
    }

    [Test]
    public void Build_Inf4Missed_FollowUpsFirmFromLatestInfusionGiven()
    {
        // INF4's window closed on 2026-03-13 without it: the last infusion given is INF3 on 03-09.
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09"), "2026-03-14");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF4").Status, Is.EqualTo(VisitStatuses.Missed));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-16")));
            Assert.That(schedule.Visit("FU-D14").TargetDate, Is.EqualTo(D("2026-03-23")));
            Assert.That(FollowUpCodes.Select(c => schedule.Visit(c).Provisional), Has.All.False);
        }
    }

    [Test]
    public void Build_LastInfusionMissedButEarlierOneStillExpected_FollowUpsProvisionalFromThatOne()
    {
        // A protocol where INF3's window (03-08..03-19) outlasts INF4's (03-11..03-13): on 03-14 INF4
        // is missed, INF3 may still be given, so the follow-ups wait, provisionally, on INF3's target.
        var protocol = Protocol with
        {
            Visits = Protocol.Visits.Select(v => v.Code == "INF3" ? v with { WindowAfterDays = 10 } : v).ToList(),
        };

        var schedule = ScheduleCalculator.Build(protocol, Input("INF1", "2026-03-02", "INF2", "2026-03-05"), D("2026-03-14"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF4").Status, Is.EqualTo(VisitStatuses.Missed));
            Assert.That(schedule.Visit("INF3").Status, Is.EqualTo(VisitStatuses.Scheduled));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-16")));
            Assert.That(schedule.Visit("FU-D7").Provisional, Is.True);
        }
    }

    // --- discontinuation ---

    [Test]
    public void Build_DiscontinuedAfterInf2_Inf3AndInf4OmittedAndFollowUpsFirmFromInf2()
    {
        var schedule = Build(Input(D("2026-03-06"), "INF1", "2026-03-02", "INF2", "2026-03-05"), "2026-03-06");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Select(v => v.VisitCode),
                Is.EqualTo(new[] { "SCR", "BL", "INF1", "POST24", "INF2", "FU-D7", "FU-D14", "FU-D28", "FU-M3", "FU-M6" }));
            Assert.That(schedule.Visit("FU-D7"), Is.EqualTo(new ScheduledVisit("FU-D7", "Follow-up day 7", "follow-up",
                D("2026-03-12"), D("2026-03-11"), D("2026-03-13"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-D14").TargetDate, Is.EqualTo(D("2026-03-19")));
            Assert.That(schedule.Visit("FU-D28").TargetDate, Is.EqualTo(D("2026-04-02")));
            Assert.That(schedule.Visit("FU-M3"), Is.EqualTo(new ScheduledVisit("FU-M3", "Follow-up month 3", "follow-up",
                D("2026-06-04"), D("2026-05-21"), D("2026-06-18"), false, VisitStatuses.Scheduled, null, null)));
            Assert.That(schedule.Visit("FU-M6").TargetDate, Is.EqualTo(D("2026-09-03")));
        }
    }

    [Test]
    public void Build_DiscontinuedAfterInf2AndFollowUpWindowClosed_FollowUpMissed()
    {
        // Firm follow-ups can be missed: FU-D7 window 2026-03-11..03-13.
        var schedule = Build(Input(D("2026-03-06"), "INF1", "2026-03-02", "INF2", "2026-03-05"), "2026-03-14");

        Assert.That(schedule.Visit("FU-D7").Status, Is.EqualTo(VisitStatuses.Missed));
    }

    [Test]
    public void Build_Inf2MissedBeforeDiscontinuationAfterInf3_Inf2StaysMissedAndInf4Omitted()
    {
        // INF2 window 03-04..03-06 closed without a visit before infusions stopped on 03-10; INF4 (window 03-11..03-13)
        // can no longer happen. Dropping INF2 too would erase a missed visit that really was missed.
        var schedule = Build(Input(D("2026-03-10"), "INF1", "2026-03-02", "INF3", "2026-03-09"), "2026-03-20");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Select(v => v.VisitCode),
                Is.EqualTo(new[] { "SCR", "BL", "INF1", "POST24", "INF2", "INF3", "FU-D7", "FU-D14", "FU-D28", "FU-M3", "FU-M6" }));
            Assert.That(schedule.Visit("INF2"), Is.EqualTo(new ScheduledVisit("INF2", "Infusion 2", "infusion",
                D("2026-03-05"), D("2026-03-04"), D("2026-03-06"), false, VisitStatuses.Missed, null, null)));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-16")));
            Assert.That(schedule.Visit("FU-D7").Provisional, Is.False);
        }
    }

    [TestCase("2026-03-06", false, Description = "stopped on the last day of INF2's window: INF2 could still have been given")]
    [TestCase("2026-03-07", true, Description = "stopped the day after INF2's window closed")]
    public void Build_DiscontinuedAroundTheEndOfAMissedInfusionsWindow_KeptAsMissedOnlyIfTheWindowClosedBefore(string discontinued, bool kept)
    {
        var schedule = Build(Input(D(discontinued), "INF1", "2026-03-02"), "2026-03-20");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Any(v => v.VisitCode == "INF2"), Is.EqualTo(kept));
            if (kept) Assert.That(schedule.Visit("INF2").Status, Is.EqualTo(VisitStatuses.Missed));
            Assert.That(schedule.Select(v => v.VisitCode), Does.Not.Contain("INF3").And.Not.Contain("INF4"));
        }
    }

    [Test]
    public void Build_DiscontinuedBeforeAnyInfusion_InfusionsOmittedAndFollowUpsProvisionalFromPlannedInf1()
    {
        var schedule = Build(Input(D("2026-02-20")), "2026-12-01");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Select(v => v.VisitCode),
                Is.EqualTo(new[] { "SCR", "BL", "POST24", "FU-D7", "FU-D14", "FU-D28", "FU-M3", "FU-M6" }));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-09")));
            Assert.That(schedule.Visit("FU-M6").TargetDate, Is.EqualTo(D("2026-08-31")));
            Assert.That(schedule.Where(v => v.Kind != VisitKinds.Screening).Select(v => v.Provisional), Has.All.True);
            Assert.That(schedule.Where(v => v.Kind != VisitKinds.Screening).Select(v => v.Status), Has.All.EqualTo(VisitStatuses.Scheduled));
        }
    }

    // --- missed ---

    [TestCase("2026-03-06", VisitStatuses.Scheduled, Description = "last day of window")]
    [TestCase("2026-03-07", VisitStatuses.Missed, Description = "day after window closed")]
    public void Build_Inf2NotRecorded_MissedOnlyAfterWindowCloses(string today, string expectedStatus)
    {
        var schedule = Build(Input("INF1", "2026-03-02"), today);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF2").Status, Is.EqualTo(expectedStatus));
            Assert.That(schedule.Visit("INF2").ActualDate, Is.Null);
            Assert.That(schedule.Visit("INF2").InWindow, Is.Null);
        }
    }

    [TestCase("2026-03-20", VisitStatuses.Scheduled)]
    [TestCase("2026-03-21", VisitStatuses.Missed)]
    public void Build_FollowUpNotRecorded_MissedOnlyAfterWindowCloses(string today, string expectedStatus)
    {
        // Last infusion 2026-03-12: FU-D7 window 03-18..03-20.
        var schedule = Build(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09", "INF4", "2026-03-12"), today);

        Assert.That(schedule.Visit("FU-D7").Status, Is.EqualTo(expectedStatus));
    }

    [Test]
    public void Build_Inf1NeverRecordedAndEveryWindowLongPast_NothingMissedBecauseAllProvisional()
    {
        var schedule = Build(Input(), "2027-06-01");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Where(v => v.Kind != VisitKinds.Screening).Select(v => v.Provisional), Has.All.True);
            Assert.That(schedule.Where(v => v.Kind != VisitKinds.Screening).Select(v => v.Status), Has.All.EqualTo(VisitStatuses.Scheduled));
        }
    }

    [Test]
    public void Build_FollowUpsProvisionalAndWindowPast_NotMissed()
    {
        // With the default windows a provisional follow-up window never closes before the last
        // infusion's; widen INF4's window so it is still open while FU-D7's (03-18..03-20) is past.
        var protocol = Protocol with
        {
            Visits = Protocol.Visits.Select(v => v.Code == "INF4" ? v with { WindowAfterDays = 30 } : v).ToList(),
        };

        var schedule = ScheduleCalculator.Build(protocol, Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09"), D("2026-03-21"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Visit("INF4").Status, Is.EqualTo(VisitStatuses.Scheduled));
            Assert.That(schedule.Visit("FU-D7").WindowEnd, Is.EqualTo(D("2026-03-20")));
            Assert.That(schedule.Visit("FU-D7").Provisional, Is.True);
            Assert.That(schedule.Visit("FU-D7").Status, Is.EqualTo(VisitStatuses.Scheduled));
        }
    }

    // --- protocol-generic ---

    [Test]
    public void Build_ProtocolWithThreeInfusions_FollowUpsFirmFromThirdInfusion()
    {
        var protocol = Protocol with { Visits = Protocol.Visits.Where(v => v.Code != "INF4").ToList() };

        var schedule = ScheduleCalculator.Build(protocol, Input("INF1", "2026-03-02", "INF2", "2026-03-05", "INF3", "2026-03-09"), D("2026-03-09"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.Select(v => v.VisitCode), Does.Not.Contain("INF4"));
            Assert.That(schedule.Visit("FU-D7").TargetDate, Is.EqualTo(D("2026-03-16")));
            Assert.That(schedule.Visit("FU-D7").Provisional, Is.False);
        }
    }

    // --- input handling ---

    [Test]
    public void Build_VisitRecordedTwice_Throws()
    {
        var input = Input("INF1", "2026-03-02", "INF1", "2026-03-03");

        Assert.That(() => Build(input, "2026-03-05"), Throws.ArgumentException.With.Message.Contains("INF1"));
    }

    [Test]
    public void Build_RecordOfCodeNotInProtocol_Ignored()
    {
        var with = Build(Input("INF1", "2026-03-02", "EXTRA", "2026-03-03"), "2026-03-05");
        var without = Build(Input("INF1", "2026-03-02"), "2026-03-05");

        Assert.That(with, Is.EqualTo(without));
    }
}
