using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Schedule;

namespace Trial.Tests.Core.Schedule;

/// <summary>EPOCH as every extract derives it, and where the plan puts the first dose.</summary>
[TestFixture]
public class StudyEpochsTests
{
    private static readonly DateOnly Inf1 = new(2026, 3, 2), Inf4 = new(2026, 3, 12);

    [TestCase("2026-02-20", false, StudyEpochs.Screening)]
    [TestCase("2026-03-02", true, StudyEpochs.Screening)]
    [TestCase("2026-03-02", false, StudyEpochs.Treatment)]
    [TestCase("2026-03-12", false, StudyEpochs.Treatment)]
    [TestCase("2026-03-13", false, StudyEpochs.FollowUp)]
    public void Of_BeforeTheFirstDoseScreening_ToTheEndOfTheInfusionsTreatment_AfterFollowUp(string date, bool beforeFirstDose, string expected) =>
        Assert.That(StudyEpochs.Of(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), Inf1, Inf4, beforeFirstDose), Is.EqualTo(expected));

    [Test]
    public void Of_WithoutAFirstInfusion_Screening_WhileInfusionsGoOn_Treatment()
    {
        Assert.That(StudyEpochs.Of(new DateOnly(2026, 6, 1), null, null), Is.EqualTo(StudyEpochs.Screening));
        Assert.That(StudyEpochs.Of(new DateOnly(2026, 6, 1), Inf1, null), Is.EqualTo(StudyEpochs.Treatment));
    }

    [Test]
    public void TreatmentEnded_DiscontinuationWins_ThenTheLastInfusion_ThenAWithdrawalAfterInf1()
    {
        var stopped = new DateOnly(2026, 3, 6);
        var withdrawn = new DateOnly(2026, 3, 8);
        Assert.That(StudyEpochs.TreatmentEnded(Inf1, stopped, Inf4, withdrawn), Is.EqualTo(stopped));
        Assert.That(StudyEpochs.TreatmentEnded(Inf1, null, Inf4, withdrawn), Is.EqualTo(Inf4));
        Assert.That(StudyEpochs.TreatmentEnded(Inf1, null, null, withdrawn), Is.EqualTo(withdrawn));
        Assert.That(StudyEpochs.TreatmentEnded(null, null, null, withdrawn), Is.Null, "left before any infusion: no treatment to end");
        Assert.That(StudyEpochs.TreatmentEnded(Inf1, null, null, null), Is.Null);
    }

    [TestCase("SCR", null, true)]
    [TestCase("BL", null, true)]
    [TestCase("INF1", "pre", true)]
    [TestCase("INF1", "t40", false)]
    [TestCase("POST24", null, false)]
    [TestCase("INF2", "pre", false)]
    [TestCase("FU-D7", null, false)]
    [TestCase("NOT-A-VISIT", null, false)]
    public void FirstDose_OfTheDefaultPlan_VisitsBeforeInf1AndInf1PreComeBeforeIt(string visit, string? timepoint, bool before) =>
        Assert.That(new FirstDose(ProtocolLoader.LoadDefault()).IsBefore(visit, timepoint), Is.EqualTo(before));
}
