using NUnit.Framework;
using Trial.Core.Schedule;
using static Trial.Tests.Core.Schedule.ScheduleTestData;

namespace Trial.Tests.Core.Schedule;

[TestFixture]
public class VisitSequencingTests
{
    private const string Today = "2026-03-20";

    private static string? Check(ScheduleInput input, string code, string date, string today = Today) =>
        VisitSequencing.CheckRecording(Protocol, input, code, D(date), D(today));

    // --- always-applicable refusals ---

    [Test]
    public void CheckRecording_UnknownVisitCode_RefusedNamingTheCode()
    {
        Assert.That(Check(Input(), "INF9", "2026-03-02"), Does.Contain("INF9").And.Contain("not a visit"));
    }

    [Test]
    public void CheckRecording_DateAfterToday_RefusedAsFuture()
    {
        Assert.That(Check(Input(), "INF1", "2026-03-03", today: "2026-03-02"), Does.Contain("future").And.Contain("2026-03-03"));
    }

    [Test]
    public void CheckRecording_DateIsToday_Allowed()
    {
        Assert.That(Check(Input(), "INF1", "2026-03-02", today: "2026-03-02"), Is.Null);
    }

    [Test]
    public void CheckRecording_DateBeforeEnrolment_RefusedNamingEnrolmentDate()
    {
        Assert.That(Check(Input(), "BL", "2026-02-15"), Does.Contain("enrolled").And.Contain("2026-02-16"));
    }

    [Test]
    public void CheckRecording_DateOnEnrolmentDay_Allowed()
    {
        Assert.That(Check(Input(), "BL", "2026-02-16"), Is.Null);
    }

    [Test]
    public void CheckRecording_ScreeningBeforeEnrolment_Refused()
    {
        Assert.That(Check(Input(), "SCR", "2026-02-10"), Does.Contain("enrolled"));
    }

    // --- anchored on a visit ---

    [TestCase("POST24")]
    [TestCase("INF2")]
    [TestCase("INF3")]
    [TestCase("INF4")]
    public void CheckRecording_AnchorInf1NotRecorded_RefusedNamingInf1(string code)
    {
        Assert.That(Check(Input(), code, "2026-03-10"), Does.Contain(code).And.Contain("INF1").And.Contain("has been recorded"));
    }

    [Test]
    public void CheckRecording_Post24BeforeInf1Date_Refused()
    {
        Assert.That(Check(Input("INF1", "2026-03-02"), "POST24", "2026-03-01"),
            Does.Contain("before INF1").And.Contain("2026-03-02"));
    }

    [Test]
    public void CheckRecording_Post24OnInf1DayOutsideWindow_AllowedAsDeviation()
    {
        Assert.That(Check(Input("INF1", "2026-03-02"), "POST24", "2026-03-02"), Is.Null);
    }

    [Test]
    public void CheckRecording_Post24LongAfterWindow_AllowedAsDeviation()
    {
        Assert.That(Check(Input("INF1", "2026-03-02"), "POST24", "2026-03-15"), Is.Null);
    }

    [Test]
    public void CheckRecording_BaselineBeforeInf1Recorded_Allowed()
    {
        Assert.That(Check(Input(), "BL", "2026-02-25"), Is.Null);
    }

    [Test]
    public void CheckRecording_BaselineAfterInf1OutsideWindow_AllowedAsDeviation()
    {
        Assert.That(Check(Input("INF1", "2026-03-02"), "BL", "2026-03-04"), Is.Null);
    }

    // --- follow-ups (last infusion) ---

    [Test]
    public void CheckRecording_FollowUpWithNoInfusionRecorded_Refused()
    {
        Assert.That(Check(Input("BL", "2026-02-25"), "FU-D7", "2026-03-09"), Does.Contain("FU-D7").And.Contain("no infusion has been recorded"));
    }

    [Test]
    public void CheckRecording_FollowUpBeforeLastInfusionGiven_RefusedNamingThatInfusion()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "FU-D7", "2026-03-04"),
            Does.Contain("INF2").And.Contain("2026-03-05"));
    }

    [Test]
    public void CheckRecording_FollowUpOnDayOfLastInfusion_AllowedAsDeviation()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "FU-D7", "2026-03-05"), Is.Null);
    }

    [Test]
    public void CheckRecording_FollowUpAfterSomeInfusionsOnly_Allowed()
    {
        // FU-D7 after INF2 (before INF3/INF4 would be due) is out of its provisional window but not impossible.
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "FU-D7", "2026-03-12"), Is.Null);
    }

    // --- infusion order ---

    [Test]
    public void CheckRecording_Inf2OnSameDayAsInf1_Refused()
    {
        Assert.That(Check(Input("INF1", "2026-03-02"), "INF2", "2026-03-02"), Does.Contain("INF1").And.Contain("2026-03-02"));
    }

    [Test]
    public void CheckRecording_Inf3NotAfterInf2_Refused()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-06"), "INF3", "2026-03-06"),
            Does.Contain("INF2").And.Contain("2026-03-06"));
    }

    [Test]
    public void CheckRecording_Inf3DayAfterInf2OutsideWindow_AllowedAsDeviation()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-06"), "INF3", "2026-03-07"), Is.Null);
    }

    [Test]
    public void CheckRecording_Inf3WithInf2Missed_Allowed()
    {
        Assert.That(Check(Input("INF1", "2026-03-02"), "INF3", "2026-03-09"), Is.Null);
    }

    [Test]
    public void CheckRecording_Inf4NotAfterLatestEarlierInfusionWhenInf3Missing_Refused()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "INF4", "2026-03-05"), Does.Contain("INF2"));
    }

    [TestCase("2026-03-09", Description = "same day as INF3")]
    [TestCase("2026-03-10", Description = "after INF3")]
    public void CheckRecording_EarlierInfusionNotBeforeLaterRecordedOne_RefusedNamingTheLaterOne(string inf2Date)
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF3", "2026-03-09"), "INF2", inf2Date),
            Does.Contain("INF3").And.Contain("2026-03-09"));
    }

    [Test]
    public void CheckRecording_EarlierInfusionEnteredLateButDatedBetween_Allowed()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF3", "2026-03-09"), "INF2", "2026-03-05"), Is.Null);
    }

    [Test]
    public void CheckRecording_Inf1AfterInf2AlreadyRecorded_Refused()
    {
        // Only reachable through a correction of INF1: the other record stays.
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "INF1", "2026-03-06"), Does.Contain("INF2"));
    }

    // --- infusions against later visits already recorded ---

    [Test]
    public void CheckRecording_InfusionDatedAfterARecordedFollowUp_RefusedNamingTheFollowUpAndItsDate()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "FU-D7", "2026-03-12"), "INF3", "2026-03-13"), Is.EqualTo(
            "INF3 (Infusion 3) cannot be recorded on 2026-03-13: FU-D7 (Follow-up day 7), which comes later in the protocol, is already recorded on 2026-03-12."));
    }

    [Test]
    public void CheckRecording_InfusionOnTheDayOfARecordedFollowUp_Allowed()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "FU-D7", "2026-03-12"), "INF3", "2026-03-12"), Is.Null);
    }

    [Test]
    public void CheckRecording_InfusionBeforeARecordedFollowUp_Allowed()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05", "FU-D7", "2026-03-12"), "INF3", "2026-03-09"), Is.Null);
    }

    [Test]
    public void CheckRecording_Inf1CorrectedToAfterPost24_RefusedNamingPost24()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "POST24", "2026-03-03"), "INF1", "2026-03-04"),
            Does.Contain("POST24").And.Contain("2026-03-03"));
    }

    [Test]
    public void CheckRecording_SeveralLaterVisitsBeforeTheInfusion_NamesTheEarliestDated()
    {
        var input = Input("INF1", "2026-03-02", "INF2", "2026-03-05", "FU-D7", "2026-03-12", "FU-D14", "2026-03-14");

        Assert.That(Check(input, "INF3", "2026-03-15"), Does.Contain("FU-D7 (Follow-up day 7)").And.Contain("2026-03-12").And.Not.Contain("FU-D14"));
    }

    [Test]
    public void CheckRecording_NonInfusionVisitDatedAfterALaterVisit_AllowedAsDeviation()
    {
        // POST24 done late, after INF2: out of its window, but not impossible (only infusions are held to this order).
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "POST24", "2026-03-06"), Is.Null);
    }

    // --- discontinuation ---

    [Test]
    public void CheckRecording_InfusionAfterDiscontinuation_RefusedNamingTheDate()
    {
        Assert.That(Check(Input(D("2026-03-06"), "INF1", "2026-03-02", "INF2", "2026-03-05"), "INF3", "2026-03-09"),
            Does.Contain("discontinued").And.Contain("2026-03-06"));
    }

    [Test]
    public void CheckRecording_InfusionGivenBeforeDiscontinuationEnteredLate_Allowed()
    {
        Assert.That(Check(Input(D("2026-03-06"), "INF1", "2026-03-02"), "INF2", "2026-03-05"), Is.Null);
    }

    [Test]
    public void CheckRecording_InfusionOnDiscontinuationDay_Allowed()
    {
        // Stopping after the day's infusion is the common case: "after" is strictly after.
        Assert.That(Check(Input(D("2026-03-05"), "INF1", "2026-03-02"), "INF2", "2026-03-05"), Is.Null);
    }

    [Test]
    public void CheckRecording_FollowUpAfterDiscontinuation_Allowed()
    {
        Assert.That(Check(Input(D("2026-03-06"), "INF1", "2026-03-02", "INF2", "2026-03-05"), "FU-D7", "2026-03-12"), Is.Null);
    }

    // --- corrections ---

    [Test]
    public void CheckRecording_CorrectionToLaterValidDate_Allowed()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "INF2", "2026-03-06"), Is.Null);
    }

    [Test]
    public void CheckRecording_CorrectionToImpossibleDate_Refused()
    {
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "INF2", "2026-03-01"), Is.Not.Null);
    }

    [Test]
    public void CheckRecording_CorrectionOfLatestInfusionToEarlierDate_AllowedIgnoringOwnPreviousRecord()
    {
        // Were INF2's old record (03-05) counted, the new date 03-04 would look "not after the
        // latest infusion" and be refused.
        Assert.That(Check(Input("INF1", "2026-03-02", "INF2", "2026-03-05"), "INF2", "2026-03-04"), Is.Null);
    }
}
